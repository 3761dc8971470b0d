/**
 * Preload (sandboxed, context-isolated): exposes exactly `window.baseline = { invoke, on }` and nothing
 * else of Electron or Node to the page (Bitwarden's pattern: one small object). Bundled to CommonJS because
 * sandboxed preloads cannot load ES modules.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';

const EVENT_CHANNEL = 'baseline:event';

const api = {
  /** Calls one operation; resolves to the envelope `{ ok, value } | { ok: false, error }`. */
  async invoke(op: string, request: unknown): Promise<unknown> {
    if (typeof op !== 'string' || !/^[a-z]+\.[a-zA-Z]+$/.test(op)) {
      return {
        ok: false,
        error: {
          code: 'unknown-operation',
          message: `"${String(op)}" is not an operation name.`,
          hint: 'Use a name from the API contract.',
        },
      };
    }
    try {
      return await ipcRenderer.invoke(`baseline:${op}`, request);
    } catch {
      return {
        ok: false,
        error: {
          code: 'unknown-operation',
          message: `"${op}" is not an operation Baseline offers.`,
          hint: 'Update the app: the page and the main process must be the same version.',
        },
      };
    }
  },
  /** Subscribes to a pushed event; returns the unsubscribe function. */
  on(event: string, listener: (payload: unknown) => void): () => void {
    const handler = (_e: IpcRendererEvent, name: string, payload: unknown) => {
      if (name === event) listener(payload);
    };
    ipcRenderer.on(EVENT_CHANNEL, handler);
    return () => ipcRenderer.removeListener(EVENT_CHANNEL, handler);
  },
};

contextBridge.exposeInMainWorld('baseline', api);
