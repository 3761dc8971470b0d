/**
 * The byte pipe under Baseline's own S7 requests (pymodbus "transport" + "transaction" layers): one TCP
 * connection, TPKT framing of the received stream, and strictly one request in flight with a timeout. Every
 * failure becomes a device error naming the controller and the step (refused, unreachable, timeout, closed,
 * malformed); nothing is thrown from a socket handler.
 */
import { connect, type Socket } from 'node:net';
import { BaselineError } from '../../../../src-shared/common/errors.ts';
import { deviceError, type DeviceErrorKind } from '../../device-error.ts';
import { TpktSplitter } from './iso-on-tcp.ts';
import { S7_MALFORMED } from './s7-wire.ts';

interface Failure {
  kind: DeviceErrorKind;
  detail: string;
}

interface Waiter {
  what: string;
  resolve(frame: Uint8Array): void;
  reject(err: BaselineError): void;
  timer: ReturnType<typeof setTimeout>;
}

function socketFailure(err: NodeJS.ErrnoException): Failure {
  const code = err.code ?? '';
  if (code === 'ECONNREFUSED') return { kind: 'refused', detail: 'connection refused' };
  if (['EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EADDRNOTAVAIL'].includes(code))
    return { kind: 'unreachable', detail: `the host cannot be reached (${code})` };
  if (code === 'ECONNRESET' || code === 'EPIPE') return { kind: 'closed', detail: `the CPU reset the connection (${code})` };
  return { kind: 'closed', detail: err.message || code || 'socket error' };
}

/** Turns a frame decoding error (s7-frame-malformed) into a device error; passes other errors through. */
export function asDeviceError(err: unknown, controller: string, what: string): BaselineError {
  if (err instanceof BaselineError && err.code === S7_MALFORMED)
    return deviceError('malformed', controller, what, err.message.replace(/\.$/, ''), { frame: err.details });
  if (err instanceof BaselineError) return err;
  return deviceError('malformed', controller, what, err instanceof Error ? err.message : String(err));
}

/** One ISO-on-TCP connection to a controller, used one request at a time. */
export class IsoLink {
  readonly controller: string;
  private readonly socket: Socket;
  private readonly splitter = new TpktSplitter();
  private readonly frames: Uint8Array[] = [];
  private waiter: Waiter | null = null;
  private failure: Failure | null = null;

  private constructor(socket: Socket, controller: string) {
    this.socket = socket;
    this.controller = controller;
    socket.on('data', (chunk: Buffer) => {
      if (this.failure) return;
      try {
        this.frames.push(...this.splitter.push(chunk));
      } catch (err) {
        this.fail({ kind: 'malformed', detail: err instanceof Error ? err.message.replace(/\.$/, '') : String(err) });
        socket.destroy();
        return;
      }
      this.pump();
    });
    socket.on('error', (err: NodeJS.ErrnoException) => this.fail(socketFailure(err)));
    socket.on('close', () => this.fail({ kind: 'closed', detail: 'the CPU closed the connection' }));
  }

  /** Opens the TCP connection, bounded by `timeoutMs`. */
  static open(host: string, port: number, timeoutMs: number, controller: string): Promise<IsoLink> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port });
      socket.setNoDelay(true);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(deviceError('timeout', controller, 'connecting', `no TCP connection within ${timeoutMs} ms`));
      }, timeoutMs);
      const onError = (err: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        socket.destroy();
        const f = socketFailure(err);
        reject(deviceError(f.kind, controller, 'connecting', f.detail));
      };
      socket.once('error', onError);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.off('error', onError);
        resolve(new IsoLink(socket, controller));
      });
    });
  }

  private fail(f: Failure): void {
    if (this.failure) return;
    this.failure = f;
    const w = this.waiter;
    if (w) {
      this.waiter = null;
      clearTimeout(w.timer);
      w.reject(deviceError(f.kind, this.controller, w.what, f.detail));
    }
  }

  private pump(): void {
    const w = this.waiter;
    const frame = this.frames.shift();
    if (!w || !frame) {
      if (frame) this.frames.unshift(frame);
      return;
    }
    this.waiter = null;
    clearTimeout(w.timer);
    w.resolve(frame);
  }

  /** Sends one frame and waits for the next whole frame, at most `timeoutMs`. */
  exchange(frame: Uint8Array, what: string, timeoutMs: number): Promise<Uint8Array> {
    if (this.failure) return Promise.reject(deviceError(this.failure.kind, this.controller, what, this.failure.detail));
    if (this.waiter)
      return Promise.reject(
        new BaselineError('internal', 'Two S7 requests were in flight on one connection.', 'This is a defect in Baseline.'),
      );
    this.frames.length = 0; // a late reply to an earlier, timed-out request is not this request's answer
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = null;
        reject(deviceError('timeout', this.controller, what, `no answer within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiter = { what, resolve, reject, timer };
      this.socket.write(frame);
    });
  }

  /** Closes the connection (idempotent). */
  close(): void {
    this.fail({ kind: 'closed', detail: 'the connection was closed by Baseline' });
    this.socket.destroy();
  }
}
