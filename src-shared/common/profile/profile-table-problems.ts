/**
 * The profile editor saves its table as a profile CSV it generates (formatProfileCsv), and the import's refusal speaks
 * of that CSV's lines, which the engineer never saw (a description with line breaks even moves every later line).
 * This reads a refusal back onto the table: each problem by the row the table shows (1-based, in the table's order),
 * its tag and the column's header.
 */
import { readCsvTable } from '../csv-table.ts';
import type { ErrorData } from '../errors.ts';
import { formatProfileCsv, PROFILE_COLUMNS, type ProfileCsvError, type ProfileCsvRow } from './profile-csv.ts';

/** One problem of the editor's table: its row (null: the table as a whole), the row's tag, the column header. */
export interface ProfileTableProblem {
  row: number | null;
  tag: string;
  column: string | null;
  message: string;
}

/** The profile editor's column headers, by profile CSV column. */
const HEADERS: Record<string, string> = {
  tag: 'Tag',
  address: 'Address',
  type: 'Type',
  class: 'Class',
  safety: 'Safety',
  writable: 'Writable',
  description: 'Description',
  tolerance: 'Tolerance ±',
  tolerance_pct: 'Tolerance %',
};

/** `row 3, Line1_Temp, Address: message` (or `the table: message`). */
export function formatTableProblem(p: ProfileTableProblem): string {
  const where = p.row === null ? 'the table' : `row ${p.row}, ${p.tag}`;
  return `${where}${p.column ? `, ${p.column}` : ''}: ${p.message}`;
}

/**
 * A profile import's refusal (`profile-invalid`, its problems by line of the CSV made from `rows`) in the words of the
 * editor's table; any other error is returned as it is.
 */
export function profileErrorForTable(error: ErrorData, rows: readonly ProfileCsvRow[]): ErrorData {
  const found = error.details?.['errors'];
  if (error.code !== 'profile-invalid' || !Array.isArray(found)) return error;
  // The same reading the import did, of the same text: each data row's first line, in the table's order.
  const table = readCsvTable(formatProfileCsv(rows), PROFILE_COLUMNS, ['tag', 'address', 'type'], ['tag', 'tags']);
  const rowOfLine = new Map(table.rows.map((r, i) => [r.line, i]));
  const rowWords = (line: number): string | null => {
    const i = rowOfLine.get(line);
    return i === undefined ? null : `row ${i + 1}`;
  };
  const problems = (found as ProfileCsvError[]).map((p): ProfileTableProblem => {
    const i = rowOfLine.get(p.line);
    return {
      row: i === undefined ? null : i + 1,
      tag: i === undefined ? '' : (rows[i]?.tag ?? ''),
      column: p.column === null ? null : (HEADERS[p.column] ?? p.column),
      message: p.message.replace(/\bon line (\d+)/g, (whole, n: string) => {
        const r = rowWords(Number(n));
        return r ? `in ${r}` : whole;
      }),
    };
  });
  const shown = problems
    .slice(0, 3)
    .map((p) => formatTableProblem(p).replace(/\.$/, ''))
    .join('; ');
  const more = problems.length > 3 ? `; and ${problems.length - 3} more` : '';
  return {
    code: error.code,
    message: `The profile was not saved: ${problems.length} problem${problems.length === 1 ? '' : 's'} in the table (${shown}${more}).`,
    hint: 'Correct the listed rows in the table and save again; the profile in use is unchanged.',
    details: { errors: problems },
  };
}
