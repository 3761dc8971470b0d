/**
 * What crosses a transport: one envelope per call, so errors arrive as data (ErrorData) whatever the
 * transport (Electron IPC would otherwise strip an Error's fields).
 */
import type { ErrorData } from '../errors.ts';
import type { OperationName, OperationRequest, OperationResponse, PushedEventName, PushedEventPayload } from './contract.ts';

/** The reply to one call. */
export type Envelope<T> = { ok: true; value: T } | { ok: false; error: ErrorData };

/** The raw bridge every transport provides (Electron preload's `window.baseline`, the WebSocket client). */
export interface BaselineBridge {
  invoke(op: string, request: unknown): Promise<Envelope<unknown>>;
  on(event: string, listener: (payload: unknown) => void): () => void;
}

/** The typed client the renderer and tests use. */
export interface BaselineApi {
  invoke<N extends OperationName>(op: N, request: OperationRequest<N>): Promise<OperationResponse<N>>;
  on<E extends PushedEventName>(event: E, listener: (payload: PushedEventPayload<E>) => void): () => void;
}

/** WebSocket frames of the loopback web host (client -> host). */
export interface WsCall { kind: 'call'; id: number; op: string; request: unknown }
/** WebSocket frames of the loopback web host (host -> client). */
export type WsMessage =
  | { kind: 'reply'; id: number; envelope: Envelope<unknown> }
  | { kind: 'event'; event: string; payload: unknown };
