/**
 * What crosses a transport: one envelope per call, so errors arrive as data (ErrorData) whatever the
 * transport (Electron IPC would otherwise strip an Error's fields).
 */
import type { ErrorData } from '../errors.ts';
import { PROFILE_CSV_MAX_CHARS } from './contract.ts';
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
export interface WsCall {
  kind: 'call';
  id: number;
  op: string;
  request: unknown;
}
/** WebSocket frames of the loopback web host (host -> client). */
export type WsMessage = { kind: 'reply'; id: number; envelope: Envelope<unknown> } | { kind: 'event'; event: string; payload: unknown };

/**
 * The largest WebSocket message the loopback web host accepts, in bytes.
 *
 * It is set by the largest request the contract accepts: a `profiles.import` with a 10,000,000-character CSV. JSON
 * writes a character in at most 6 bytes (a control character as `\u001f`; any other UTF-16 unit takes at most 3 bytes
 * of UTF-8), so that request is at most 60 MB plus its short name and envelope: 64 MiB holds it with room to spare.
 * Every other bounded request (2 MB policy, plant and roster files) is far smaller.
 */
export const MAX_WS_MESSAGE_BYTES = 64 * 1024 * 1024;

/** The bound above, checked where it is declared: the worst-case profile import must fit. */
export const WORST_CASE_REQUEST_BYTES = PROFILE_CSV_MAX_CHARS * 6 + 4096;

/** Why a WebSocket connection to the host ended, in the user's words (from the RFC 6455 §7.4.1 close code). */
export function describeWsClose(code: number, reason: string): { message: string; hint: string } {
  const reload = 'Reload this page to reconnect; if that fails, restart `npm start` (or `npm run web`) and open its new URL.';
  const said = reason ? ` (${reason})` : '';
  switch (code) {
    case 1009:
      return {
        message: `The Baseline host closed the connection: a message was larger than it accepts (${MAX_WS_MESSAGE_BYTES / 1024 / 1024} MiB)${said}.`,
        hint: reload,
      };
    case 1007:
      return { message: `The Baseline host closed the connection: a message was not valid UTF-8 text${said}.`, hint: reload };
    case 1002:
      return { message: `The Baseline host closed the connection: a WebSocket protocol error${said}.`, hint: reload };
    case 1001:
      return { message: 'The Baseline host stopped.', hint: 'Start it again (`npm start` or `npm run web`) and open its new URL.' };
    case 1006:
      return {
        message: 'The connection to the Baseline host was lost (the host stopped or the network connection dropped).',
        hint: reload,
      };
    default:
      return { message: `The connection to the Baseline host was closed (code ${code})${said}.`, hint: reload };
  }
}
