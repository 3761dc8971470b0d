/**
 * Errors as data: every failure that crosses a boundary (IPC, WebSocket, CLI output, sync) is
 * `{ code, message, hint, details }`. `message` says what is wrong in the user's words, `hint` what to do.
 */

/** The serialisable form of an error, as it crosses process and network boundaries. */
export interface ErrorData {
  code: string;
  message: string;
  hint: string;
  details?: Record<string, unknown>;
}

/** An error that knows what to tell the user; the only error type services throw on purpose. */
export class BaselineError extends Error {
  readonly code: string;
  readonly hint: string;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: string, message: string, hint: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'BaselineError';
    this.code = code;
    this.hint = hint;
    this.details = details;
  }

  /** The plain-data form, for transports. */
  toData(): ErrorData {
    const data: ErrorData = { code: this.code, message: this.message, hint: this.hint };
    if (this.details !== undefined) data.details = this.details;
    return data;
  }
}

/** Turns anything thrown into ErrorData; unexpected errors keep their message but never a stack trace. */
export function toErrorData(err: unknown): ErrorData {
  if (err instanceof BaselineError) return err.toData();
  const message = err instanceof Error ? err.message : String(err);
  return {
    code: 'internal',
    message: `Unexpected internal error: ${message}`,
    hint: 'This is a defect in Baseline. Nothing was changed by the failed operation; report it with the log file.',
  };
}

/** Type guard for ErrorData received over a transport. */
export function isErrorData(value: unknown): value is ErrorData {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v['code'] === 'string' && typeof v['message'] === 'string' && typeof v['hint'] === 'string';
}
