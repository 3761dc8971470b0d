/**
 * Capture profile CSV import (format in docs/formats.md): header `tag,address,type,class,safety,writable,description`,
 * optionally `tolerance,tolerance_pct` (a live tag's declared tolerance: diff/live-tolerance.ts), columns in any
 * order, only `tag`, `address` and `type` required. Reading (Papa Parse, line numbers, header check)
 * is csv-table.ts; this module adds the validation of each tag and collects every problem with its line and column.
 */
import { BaselineError } from '../errors.ts';
import { decodeUtf8, formatCsvProblem, readCsvTable, rowShapeProblems, sortProblems, writeCsv, type CsvProblem } from '../csv-table.ts';
import {
  parseAddress,
  type CaptureProfile,
  type LiveTolerance,
  type ProfileProtocol,
  type ProfileTag,
  type TagClass,
} from './capture-profile.ts';
import { readTolerance } from '../diff/live-tolerance.ts';

/** One problem in a profile file: where it is and what is wrong. `column` is null when the whole line is at fault. */
export type ProfileCsvError = CsvProblem;

/** The outcome of reading a profile file: the profile, or every problem found. */
export type ProfileCsvResult = { ok: true; profile: CaptureProfile } | { ok: false; errors: ProfileCsvError[] };

/** The columns a profile file may have, in the order Baseline writes them. */
export const PROFILE_COLUMNS = [
  'tag',
  'address',
  'type',
  'class',
  'safety',
  'writable',
  'description',
  'tolerance',
  'tolerance_pct',
] as const;

/** The columns Baseline writes when no tag declares a tolerance. */
const BASIC_COLUMNS = PROFILE_COLUMNS.slice(0, 7);

/** A column of a profile file. */
export type ProfileColumn = (typeof PROFILE_COLUMNS)[number];

const REQUIRED: readonly ProfileColumn[] = ['tag', 'address', 'type'];
const MAX_TAG_LENGTH = 200;
const TRUE_WORDS = new Set(['true', 'yes', '1']);
const FALSE_WORDS = new Set(['false', 'no', '0']);

function parseFlag(value: string): boolean | null {
  const v = value.trim().toLowerCase();
  if (v === '' || FALSE_WORDS.has(v)) return false;
  if (TRUE_WORDS.has(v)) return true;
  return null;
}

/** Reads a profile file (text, or UTF-8 bytes; a byte-order mark is ignored) for one protocol, collecting every problem. */
export function parseProfileCsv(input: string | Uint8Array, protocol: ProfileProtocol): ProfileCsvResult {
  let text: string;
  if (typeof input === 'string') {
    text = input;
  } else {
    const decoded = decodeUtf8(input);
    if ('problem' in decoded) return { ok: false, errors: [decoded.problem] };
    text = decoded.text;
  }
  const table = readCsvTable(text, PROFILE_COLUMNS, REQUIRED, ['tag', 'tags']);
  const errors: ProfileCsvError[] = [...table.problems];
  if (table.problems.length > 0 && (table.rows.length === 0 || REQUIRED.some((c) => !table.index.has(c)))) return { ok: false, errors };
  type Row = (typeof table.rows)[number];
  const cell = (row: Row, column: ProfileColumn): string => row.cell(column);
  const firstLine = new Map<string, number>();
  const tags: ProfileTag[] = [];
  for (const row of table.rows) {
    const before = errors.length;
    const add = (column: string | null, message: string): void => {
      errors.push({ line: row.line, column, message });
    };
    // (Each test below is skipped when it cannot find anything: a 10,000-row file reads in a fraction of the time.)
    if (row.parseErrors.length > 0 || row.fieldCount > table.headerFieldCount) errors.push(...rowShapeProblems(table, row));
    const tag = cell(row, 'tag').trim();
    if (tag === '') add('tag', 'The tag name is empty.');
    else if (tag.length > MAX_TAG_LENGTH)
      add('tag', `The tag name is ${tag.length} characters long; at most ${MAX_TAG_LENGTH} are allowed.`);
    // eslint-disable-next-line no-control-regex
    else if (/[\u0000-\u001f\u007f]/.test(tag)) add('tag', 'The tag name contains a line break or another control character.');
    else {
      const seen = firstLine.get(tag);
      if (seen !== undefined) add('tag', `Tag "${tag}" is already defined on line ${seen}; tag names must be unique.`);
      else firstLine.set(tag, row.line);
    }
    const address = cell(row, 'address').trim();
    const parsed = parseAddress(protocol, address, cell(row, 'type'));
    if (!parsed.ok) for (const p of parsed.problems) add(p.column, p.message);
    const classText = cell(row, 'class').trim().toLowerCase();
    let tagClass: TagClass = 'config';
    if (classText === 'live') tagClass = 'live';
    else if (classText !== '' && classText !== 'config') add('class', `Class "${cell(row, 'class').trim()}" is not config or live.`);
    const flag = (column: 'safety' | 'writable'): boolean => {
      const value = parseFlag(cell(row, column));
      if (value === null) add(column, `"${cell(row, column).trim()}" is not true or false (yes/no and 1/0 are accepted too).`);
      return value ?? false;
    };
    const safety = flag('safety');
    const writable = flag('writable');
    const absolute = cell(row, 'tolerance');
    const percent = cell(row, 'tolerance_pct');
    let tolerance: LiveTolerance | null = null;
    if (absolute !== '' || percent !== '') {
      const read = readTolerance(tag, tagClass, cell(row, 'type'), absolute, percent);
      for (const p of read.problems) add(p.column, p.message);
      tolerance = read.tolerance;
    }
    if (errors.length === before && parsed.ok) {
      const description = cell(row, 'description').trim();
      const { type } = parsed.address;
      const location = parsed.address;
      // The same members in the same order as ever, the tolerance (when declared) before the location.
      tags.push(
        tolerance
          ? { tag, address, type, class: tagClass, safety, writable, description, tolerance, location }
          : { tag, address, type, class: tagClass, safety, writable, description, location },
      );
    }
  }
  if (errors.length > 0) return { ok: false, errors: sortProblems(errors, table) };
  // Every location was parsed for this protocol, so the tags array matches the protocol's profile type.
  return { ok: true, profile: { protocol, tags } as CaptureProfile };
}

/** One line per problem, `line 4, address: message`, for logs and the CLI. */
export const formatProfileCsvError: (e: ProfileCsvError) => string = formatCsvProblem;

/** Reads a profile file or throws one BaselineError (`profile-invalid`) whose details list every problem. */
export function importProfileCsv(input: string | Uint8Array, protocol: ProfileProtocol): CaptureProfile {
  const result = parseProfileCsv(input, protocol);
  if (result.ok) return result.profile;
  const shown = result.errors.slice(0, 3).map(formatProfileCsvError).join('; ');
  const more = result.errors.length > 3 ? `; and ${result.errors.length - 3} more` : '';
  throw new BaselineError(
    'profile-invalid',
    `The profile cannot be imported: ${result.errors.length} problem${result.errors.length === 1 ? '' : 's'} (${shown}${more}).`,
    'Correct the listed lines in the CSV file and import it again; nothing was imported.',
    { errors: result.errors },
  );
}

/** One row to write into a profile CSV. */
export interface ProfileCsvRow {
  tag: string;
  address: string;
  type: string;
  class?: 'config' | 'live';
  safety?: boolean;
  writable?: boolean;
  description?: string;
  tolerance?: LiveTolerance;
}

/** Writes profile rows as CSV with the standard header (Papa Parse does the quoting). */
export function formatProfileCsv(rows: readonly ProfileCsvRow[]): string {
  const cells = (r: ProfileCsvRow) => [
    r.tag,
    r.address,
    r.type,
    r.class ?? 'config',
    String(r.safety ?? false),
    String(r.writable ?? false),
    r.description ?? '',
  ];
  if (!rows.some((r) => r.tolerance)) return writeCsv(BASIC_COLUMNS, rows.map(cells));
  return writeCsv(
    PROFILE_COLUMNS,
    rows.map((r) => [...cells(r), String(r.tolerance?.absolute ?? ''), String(r.tolerance?.percent ?? '')]),
  );
}
