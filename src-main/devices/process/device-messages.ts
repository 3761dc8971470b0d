/**
 * Messages between the main process and the device process (ARCHITECTURE §5). Plain structured-clone data;
 * errors travel as ErrorData.
 */
import type { ErrorData } from '../../../src-shared/common/errors.ts';

/** A job for the device process: `kind` selects the handler, `payload` is its input. */
export interface DeviceJob {
  kind: string;
  payload: unknown;
}

/** main -> device process. */
export type ToDevice = { type: 'job'; id: number; job: DeviceJob } | { type: 'cancel'; id: number };

/** device process -> main. */
export type FromDevice =
  | { type: 'ready' }
  | { type: 'progress'; id: number; progress: JobProgress }
  | { type: 'result'; id: number; ok: true; value: unknown }
  | { type: 'result'; id: number; ok: false; error: ErrorData }
  | { type: 'crash'; message: string };

/** Progress of a running job. */
export interface JobProgress {
  done: number;
  total: number;
  detail: string;
  /**
   * A restore's value about to be sent (its bytes, hex): until its outcome (`written`) arrives it is in flight, so a
   * job that fails as a whole now leaves this one value's outcome unknown and every later one not attempted.
   */
  writing?: { tag: string; expectedRaw: string };
  /** A restore's step: what happened to the value just written (the main process journals it at once). */
  written?: {
    tag: string;
    status: 'written-verified' | 'write-failed' | 'readback-mismatch';
    expectedRaw: string;
    readBackRaw: string | null;
  };
}

/**
 * What every job gets besides its payload: its cancel signal and a progress channel. It lives here, with the
 * messages, so the drivers and jobs import it from below and the job table (job-handlers.ts) imports them.
 */
export interface JobContext {
  signal: AbortSignal;
  /**
   * True when the payload is the caller's own typed data in this process (the one-shot CLI's in-process runner),
   * already checked where it was made; false when it came over IPC from another process and is checked here.
   */
  sameProcess?: boolean;
  progress(p: JobProgress): void;
}

/** A job handler. */
export type JobHandler = (payload: unknown, ctx: JobContext) => Promise<unknown>;
