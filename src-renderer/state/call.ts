/**
 * The store's one way to call the main process: every slice's action goes through `call`, which gives either the
 * value or the error as data. The one error idiom built on it: a screen's load puts its error in that screen's
 * error slot (shown until a load works again); an action started from a form resolves to its error, and the form
 * shows it (each form's error belongs to that form).
 */
import type { BaselineApi } from '../../src-shared/common/api/transport.ts';
import type { ErrorData } from '../../src-shared/common/errors.ts';
import { errorOf } from './error-of.ts';

/** A call's value, or the error to show. */
export type Result<T> = { value: T } | { error: ErrorData };

/** What `call` needs from the store: the connection, once there is one. */
export interface Connected {
  api: BaselineApi | null;
}

/** The error before the app has connected to the main process. */
export const NOT_CONNECTED: ErrorData = {
  code: 'offline',
  message: 'Baseline is not connected yet.',
  hint: 'Wait a moment, or reload the page.',
};

/** Runs `fn` with the API: its value, or the error (also when the API is not connected yet). */
export async function call<T>(get: () => Connected, fn: (api: BaselineApi) => Promise<T>): Promise<Result<T>> {
  const api = get().api;
  if (!api) return { error: NOT_CONNECTED };
  try {
    return { value: await fn(api) };
  } catch (err) {
    return { error: errorOf(err) };
  }
}

/** The error of a result, or null when it worked (what a form's action resolves to). */
export function errorIn(r: Result<unknown>): ErrorData | null {
  return 'error' in r ? r.error : null;
}
