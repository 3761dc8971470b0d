/**
 * What every device-process job gets besides its payload. It sits below the capture, browse and restore modules
 * and the job table (process/job-handlers.ts) that names them, so they import in one direction only.
 */
import type { JobProgress } from './process/device-messages.ts';

/** What a job gets besides its payload: its cancel signal and a progress channel. */
export interface JobContext {
  signal: AbortSignal;
  progress(p: JobProgress): void;
}

/** A job handler. */
export type JobHandler = (payload: unknown, ctx: JobContext) => Promise<unknown>;
