import type { ErrorData } from '../../src-shared/common/errors.ts';

/** Shows an error as the user needs it: what is wrong, and what to do. */
export function ErrorPanel({ error, title }: { error: ErrorData; title?: string }) {
  return (
    <div className="error-panel" role="alert">
      <strong>{title ?? 'Something went wrong'}</strong>
      <p>{error.message}</p>
      <p className="hint">What to do: {error.hint}</p>
    </div>
  );
}
