/** Error display: an error as the user needs it (what is wrong, what to do), with the file's problems when it lists them. */
import type { ErrorData } from '../../src-shared/common/errors.ts';
import { formatTableProblem, type ProfileTableProblem } from '../../src-shared/common/profile/profile-table-problems.ts';
import { WarningIcon } from './icons.tsx';

/**
 * One problem in an imported file, as the main process lists them in an error's details (by line); or in a table the
 * user edited, by the row they see and its tag (profile-table-problems.ts).
 */
type FileProblem = { line: number; column: string | null; message: string } | ProfileTableProblem;

/** Shows an error as the user needs it: what is wrong, and what to do (and each problem of a refused file, by line, or of an edited table, by row). */
export function ErrorPanel({ error, title, problemsLabel }: { error: ErrorData; title?: string; problemsLabel?: string }) {
  const problems = (error.details?.['errors'] as FileProblem[] | undefined) ?? [];
  return (
    <div className="error-panel" role="alert">
      <strong>
        <WarningIcon />
        {title ?? 'Something went wrong'}
      </strong>
      <p>{error.message}</p>
      <p className="hint">What to do: {error.hint}</p>
      {problems.length > 0 && (
        <ul className="problems" aria-label={problemsLabel ?? 'Problems in the file'}>
          {problems.map((p, i) => (
            <li key={i}>{'line' in p ? `line ${p.line}${p.column ? `, ${p.column}` : ''}: ${p.message}` : formatTableProblem(p)}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
