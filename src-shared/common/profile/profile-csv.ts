// The reference makes every layer that compiles this file (main, renderer) see the local Papa Parse types; an
// import cannot, since those types are an ambient module declaration (see papaparse.d.ts for why they are local).
// eslint-disable-next-line @typescript-eslint/triple-slash-reference
/// <reference path="./papaparse.d.ts" />
/**
 * Capture profile CSV import (format in docs/formats.md): header `tag,address,type,class,safety,writable,description`,
 * columns in any order, only `tag`, `address` and `type` required. Parsing uses Papa Parse (RFC 4180 quoting);
 * this module adds the validation and collects every problem with its line (1-based, header = its own line) and
 * column, so the importer can show them all at once instead of one per attempt.
 */
import Papa from 'papaparse';
import { BaselineError } from '../errors.ts';
import { parseAddress, type CaptureProfile, type ProfileProtocol, type ProfileTag, type TagClass } from './capture-profile.ts';

/** One problem in a profile file: where it is and what is wrong. `column` is null when the whole line is at fault. */
export interface ProfileCsvError {
  line: number;
  column: string | null;
  message: string;
}

/** The outcome of reading a profile file: the profile, or every problem found. */
export type ProfileCsvResult = { ok: true; profile: CaptureProfile } | { ok: false; errors: ProfileCsvError[] };

/** The columns a profile file may have, in the order Baseline writes them. */
export const PROFILE_COLUMNS = ['tag', 'address', 'type', 'class', 'safety', 'writable', 'description'] as const;

/** A column of a profile file. */
export type ProfileColumn = (typeof PROFILE_COLUMNS)[number];

const REQUIRED: readonly ProfileColumn[] = ['tag', 'address', 'type'];
const MAX_TAG_LENGTH = 200;
const TRUE_WORDS = new Set(['true', 'yes', '1']);
const FALSE_WORDS = new Set(['false', 'no', '0']);

interface Row {
  line: number;
  fields: string[];
  parseErrors: string[];
}

type TextDecoderLike = new (label: string, options: { fatal: boolean }) => { decode(bytes: Uint8Array): string };

// TextDecoder is a WHATWG Encoding global in Node, Electron and browsers; it is typed locally because this layer
// compiles without DOM or Node types.
function decodeUtf8(bytes: Uint8Array): { text: string } | { error: ProfileCsvError } {
  const Decoder = (globalThis as { TextDecoder?: TextDecoderLike }).TextDecoder;
  if (Decoder === undefined) throw new Error('TextDecoder is not available in this runtime');
  try {
    return { text: new Decoder('utf-8', { fatal: true }).decode(bytes) };
  } catch {
    const lenient = new Decoder('utf-8', { fatal: false }).decode(bytes);
    const at = lenient.indexOf('\uFFFD');
    const line = 1 + (lenient.slice(0, Math.max(at, 0)).match(/\n/g)?.length ?? 0);
    return {
      error: {
        line, column: null,
        message: 'The file is not UTF-8 text (it was probably saved in a legacy code page such as Windows-1252).',
      },
    };
  }
}

function readRows(text: string): Row[] {
  const rows: Row[] = [];
  let prevCursor = 0;
  let line = 1;
  Papa.parse(text, {
    delimiter: ',', newline: '\n', quoteChar: '"', escapeChar: '"', header: false, dynamicTyping: false, skipEmptyLines: false,
    step: (result) => {
      rows.push({ line, fields: result.data, parseErrors: [...new Set(result.errors.map((e) => e.message))] });
      const cursor = result.meta.cursor;
      for (let i = prevCursor; i < cursor; i++) if (text.charCodeAt(i) === 10) line++;
      prevCursor = cursor;
    },
  });
  return rows;
}

function parseFlag(value: string): boolean | null {
  const v = value.trim().toLowerCase();
  if (v === '' || FALSE_WORDS.has(v)) return false;
  if (TRUE_WORDS.has(v)) return true;
  return null;
}

function isBlank(fields: string[]): boolean {
  return fields.every((f) => f.trim() === '');
}

/** Reads a profile file (text, or UTF-8 bytes; a byte-order mark is ignored) for one protocol, collecting every problem. */
export function parseProfileCsv(input: string | Uint8Array, protocol: ProfileProtocol): ProfileCsvResult {
  let text: string;
  if (typeof input === 'string') {
    text = input;
  } else {
    const decoded = decodeUtf8(input);
    if ('error' in decoded) return { ok: false, errors: [decoded.error] };
    text = decoded.text;
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  text = text.replace(/\r\n?/g, '\n');
  if (text.trim() === '') return { ok: false, errors: [{ line: 1, column: null, message: 'The file is empty: it needs a header line and at least one tag.' }] };

  const rows = readRows(text).filter((r) => r.parseErrors.length > 0 || !isBlank(r.fields));
  const errors: ProfileCsvError[] = [];
  const header = rows[0];
  if (header === undefined) return { ok: false, errors: [{ line: 1, column: null, message: 'The file is empty.' }] };

  // Header: known names only, each once, the required ones present.
  const index = new Map<ProfileColumn, number>();
  for (const message of header.parseErrors) errors.push({ line: header.line, column: null, message: `The header line cannot be read: ${message}.` });
  header.fields.forEach((raw, i) => {
    const name = raw.trim().toLowerCase();
    if (!(PROFILE_COLUMNS as readonly string[]).includes(name)) {
      errors.push({
        line: header.line, column: raw.trim(),
        message: name === ''
          ? `Column ${i + 1} of the header has no name.`
          : `Unknown column "${raw.trim()}"; the columns are ${PROFILE_COLUMNS.join(', ')}.`,
      });
      return;
    }
    const column = name as ProfileColumn;
    if (index.has(column)) errors.push({ line: header.line, column, message: `Column "${column}" appears twice in the header.` });
    else index.set(column, i);
  });
  const missing = REQUIRED.filter((c) => !index.has(c));
  for (const column of missing) {
    errors.push({ line: header.line, column, message: `The header has no "${column}" column; ${REQUIRED.join(', ')} are required.` });
  }
  if (missing.length > 0) return { ok: false, errors };

  const cell = (row: Row, column: ProfileColumn): string => {
    const i = index.get(column);
    return i === undefined ? '' : (row.fields[i] ?? '');
  };
  const firstLine = new Map<string, number>();
  const tags: ProfileTag[] = [];
  for (const row of rows.slice(1)) {
    const before = errors.length;
    const add = (column: string | null, message: string): void => { errors.push({ line: row.line, column, message }); };
    for (const message of row.parseErrors) add(null, `This line cannot be read as CSV: ${message}. Check its quotes.`);
    if (row.fields.length > header.fields.length) {
      add(null, `This line has ${row.fields.length} fields but the header has ${header.fields.length}; a value probably contains an unquoted comma.`);
    }
    const tag = cell(row, 'tag').trim();
    if (tag === '') add('tag', 'The tag name is empty.');
    else if (tag.length > MAX_TAG_LENGTH) add('tag', `The tag name is ${tag.length} characters long; at most ${MAX_TAG_LENGTH} are allowed.`);
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
    const flags: Partial<Record<'safety' | 'writable', boolean>> = {};
    for (const column of ['safety', 'writable'] as const) {
      const flag = parseFlag(cell(row, column));
      if (flag === null) add(column, `"${cell(row, column).trim()}" is not true or false (yes/no and 1/0 are accepted too).`);
      else flags[column] = flag;
    }
    if (errors.length === before && parsed.ok) {
      tags.push({
        tag, address, type: parsed.address.type, class: tagClass, safety: flags.safety ?? false, writable: flags.writable ?? false,
        description: cell(row, 'description').trim(), location: parsed.address,
      });
    }
  }
  if (rows.length === 1) errors.push({ line: header.line, column: null, message: 'The file has a header but no tags.' });
  if (errors.length > 0) {
    // Line by line, and within a line left to right as the columns stand in the file (whole-line problems first).
    const position = (e: ProfileCsvError): number => (e.column === null ? -1 : (index.get(e.column as ProfileColumn) ?? header.fields.length));
    errors.sort((a, b) => a.line - b.line || (a.line === header.line ? 0 : position(a) - position(b)));
    return { ok: false, errors };
  }
  // Every location was parsed for this protocol, so the tags array matches the protocol's profile type.
  return { ok: true, profile: { protocol, tags } as CaptureProfile };
}

/** One line per problem, `line 4, address: message`, for logs and the CLI. */
export function formatProfileCsvError(e: ProfileCsvError): string {
  return e.column === null ? `line ${e.line}: ${e.message}` : `line ${e.line}, ${e.column}: ${e.message}`;
}

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
}

/** Writes profile rows as CSV with the standard header (Papa Parse does the quoting). */
export function formatProfileCsv(rows: readonly ProfileCsvRow[]): string {
  return Papa.unparse({
    fields: [...PROFILE_COLUMNS],
    data: rows.map((r) => [r.tag, r.address, r.type, r.class ?? 'config', String(r.safety ?? false), String(r.writable ?? false), r.description ?? '']),
  }, { newline: '\n' }) + '\n';
}
