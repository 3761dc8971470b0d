// Types for the parts of nodes7 (MIT, no typings of its own) that Baseline uses.
declare module 'nodes7' {
  /** A nodes7 connection. */
  class NodeS7 {
    constructor(opts?: { silent?: boolean; debug?: boolean });
    initiateConnection(params: Record<string, unknown>, cb: (err?: { code?: string; message?: string }) => void): void;
    setTranslationCB(cb: (tag: string) => string): void;
    addItems(items: string | string[]): void;
    removeItems(items?: string | string[]): void;
    readAllItems(cb: (anyBad: boolean, values: Record<string, unknown>) => void): void;
    writeItems(items: string | string[], values: unknown, cb: (anyBad: boolean) => void): void;
    dropConnection(cb: () => void): void;
    maxPDU: number;
    /** 4 when connected; nodes7 resets it after a packet timeout. */
    isoConnectionState: number;
    requestMaxPDU: number;
    isoclient?: { write: (...args: unknown[]) => boolean };
  }
  export default NodeS7;
}
