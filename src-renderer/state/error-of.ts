/** Any failure as the error data the UI shows (its own module, so every slice can use it without import cycles). */
import { ApiError } from '../../src-shared/common/api/api-client.ts';
import type { ErrorData } from '../../src-shared/common/errors.ts';

/** Renders any failure as the error data the UI shows. */
export function errorOf(err: unknown): ErrorData {
  if (err instanceof ApiError) return err.data;
  return {
    code: 'client',
    message: err instanceof Error ? err.message : String(err),
    hint: 'Reload the page; if it persists, restart Baseline.',
  };
}
