import { describe, expect, it } from 'vitest';
import { BaselineError, toErrorData } from '../../../src-shared/common/errors.ts';
import { formatProfileCsv, importProfileCsv, type ProfileCsvRow } from '../../../src-shared/common/profile/profile-csv.ts';
import { profileErrorForTable } from '../../../src-shared/common/profile/profile-table-problems.ts';

/** What the server answers when the editor's CSV is refused: the import's own error, as it crosses the API. */
function refusal(rows: readonly ProfileCsvRow[]) {
  try {
    importProfileCsv(formatProfileCsv(rows), 'modbus');
  } catch (err) {
    if (err instanceof BaselineError) return toErrorData(err);
  }
  throw new Error('the profile was accepted');
}

describe("the profile editor's save refusals name the table's rows, not the lines of the CSV it generated", () => {
  // A description with line breaks spans three lines of the generated CSV, so the CSV's line numbers run ahead of
  // the rows the engineer sees.
  const rows: ProfileCsvRow[] = [
    { tag: 'Line1_SpeedSP', address: 'hr:0', type: 'FLOAT32', class: 'config', writable: true, description: 'Speed\nset by\nrecipe' },
    { tag: 'Line1_Dwell', address: 'hr:12', type: 'INT32', class: 'config' },
    { tag: 'Line1_Temp', address: 'hr:99999', type: 'UINT16', class: 'live' },
    { tag: 'Line1_Recipe', address: 'hr:20', type: 'UINT16', class: 'config' },
    { tag: 'Line1_Dwell', address: 'hr:30', type: 'UINT16', class: 'config' },
  ];

  it('lists each problem by row number, tag and the column header the table shows', () => {
    const raw = refusal(rows);
    // The import itself speaks of lines 6 and 8 (the CSV), which the engineer never saw.
    expect(raw.message).toMatch(/line 6/);
    const e = profileErrorForTable(raw, rows);
    expect(e.code).toBe('profile-invalid');
    const problems = e.details!['errors'] as { row: number; tag: string; column: string | null; message: string }[];
    expect(problems.map((p) => [p.row, p.tag, p.column])).toEqual([
      [3, 'Line1_Temp', 'Address'],
      [5, 'Line1_Dwell', 'Tag'],
    ]);
    // A message that pointed at another line of the CSV points at the row instead.
    expect(problems[1]!.message).toMatch(/already defined in row 2; tag names must be unique/);
    expect(problems[1]!.message).not.toMatch(/line/);
    expect(e.message).toMatch(
      /^The profile was not saved: 2 problems in the table \(row 3, Line1_Temp, Address: .+; row 5, Line1_Dwell, Tag: .+\)\.$/,
    );
    expect(e.message).not.toMatch(/line \d/);
    expect(e.hint).toMatch(/Correct the listed rows in the table/);
  });

  it('leaves any other error as it is', () => {
    const other = { code: 'store-busy', message: 'The store is busy.', hint: 'Try again.' };
    expect(profileErrorForTable(other, rows)).toBe(other);
  });
});
