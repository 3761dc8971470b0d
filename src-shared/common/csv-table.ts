// The reference makes every layer that compiles this file (main, renderer) see the local Papa Parse types; an
// import cannot, since those types are an ambient module declaration (see papaparse.d.ts for why they are local).
// eslint-disable-next-line @typescript-eslint/triple-slash-reference
/// <reference path="./papaparse.d.ts" />
/**
 * Reading a CSV file with a header line (capture profiles, plant lines, the people roster): Papa Parse does the
 * RFC 4180 reading; this module keeps each row's line number (1-based, the header is its own line), checks the
 * header against the columns the format knows, and collects every problem with its line and column so an importer
 * can show them all at once instead of one per attempt.
 */
import Papa from 'papaparse';

/** One problem in a CSV file: where it is and what is wrong. `column` is null when the whole line is at fault. */
export interface CsvProblem {
  line: number;
  column: string | null;
  message: string;
}

/** One data row: its line, its cells by column name ('' when the column is absent), and what could not be read. */
export interface CsvRow<C extends string> {
  line: number;
  cell(column: C): string;
  fieldCount: number;
  parseErrors: string[];
}

/** A CSV file read against a header: the rows, and every problem found in the header or in reading. */
export interface CsvTable<C extends string> {
  headerLine: number;
  headerFieldCount: number;
  /** Column name -> its position in the file. */
  index: Map<C, number>;
  rows: CsvRow<C>[];
  problems: CsvProblem[];
}

interface RawRow {
  line: number;
  fields: string[];
  parseErrors: string[];
}

type TextDecoderLike = new (label: string, options: { fatal: boolean }) => { decode(bytes: Uint8Array): string };

/** UTF-8 bytes to text, or a problem naming the line of the first byte that is not UTF-8. */
export function decodeUtf8(bytes: Uint8Array): { text: string } | { problem: CsvProblem } {
  // TextDecoder is a WHATWG Encoding global in Node, Electron and browsers; it is typed locally because this layer
  // compiles without DOM or Node types.
  const Decoder = (globalThis as { TextDecoder?: TextDecoderLike }).TextDecoder;
  if (Decoder === undefined) throw new Error('TextDecoder is not available in this runtime');
  try {
    return { text: new Decoder('utf-8', { fatal: true }).decode(bytes) };
  } catch {
    const lenient = new Decoder('utf-8', { fatal: false }).decode(bytes);
    const at = lenient.indexOf('\uFFFD');
    const line = 1 + (lenient.slice(0, Math.max(at, 0)).match(/\n/g)?.length ?? 0);
    return {
      problem: {
        line,
        column: null,
        message: 'The file is not UTF-8 text (it was probably saved in a legacy code page such as Windows-1252).',
      },
    };
  }
}

function readRows(text: string): RawRow[] {
  const rows: RawRow[] = [];
  let prevCursor = 0;
  let line = 1;
  Papa.parse(text, {
    delimiter: ',',
    newline: '\n',
    quoteChar: '"',
    escapeChar: '"',
    header: false,
    dynamicTyping: false,
    skipEmptyLines: false,
    step: (result) => {
      rows.push({
        line,
        fields: result.data,
        parseErrors: result.errors.length === 0 ? [] : [...new Set(result.errors.map((e) => e.message))],
      });
      const cursor = result.meta.cursor;
      for (let i = text.indexOf('\n', prevCursor); i !== -1 && i < cursor; i = text.indexOf('\n', i + 1)) line++;
      prevCursor = cursor;
    },
  });
  return rows;
}

/** A data row: its cells looked up by column through the header's index (one object per row, no closure). */
class TableRow<C extends string> implements CsvRow<C> {
  readonly line: number;
  readonly fieldCount: number;
  readonly parseErrors: string[];
  private readonly fields: string[];
  private readonly index: Map<C, number>;

  constructor(raw: RawRow, index: Map<C, number>) {
    this.line = raw.line;
    this.fieldCount = raw.fields.length;
    this.parseErrors = raw.parseErrors;
    this.fields = raw.fields;
    this.index = index;
  }

  cell(column: C): string {
    const i = this.index.get(column);
    return i === undefined ? '' : (this.fields[i] ?? '');
  }
}

/**
 * Reads CSV text (a byte-order mark and CRLF line ends are accepted) whose header names columns from `columns`
 * (any order, case-insensitive), `required` among them. Blank lines are skipped. Rows come back even when the header
 * has problems; callers stop when `problems` is not empty after the header check. `what` names a data row in
 * messages, singular and plural (['tag', 'tags']).
 */
export function readCsvTable<C extends string>(
  input: string,
  columns: readonly C[],
  required: readonly C[],
  what: readonly [string, string],
): CsvTable<C> {
  let text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  text = text.replace(/\r\n?/g, '\n');
  const problems: CsvProblem[] = [];
  const index = new Map<C, number>();
  if (text.trim() === '') {
    problems.push({ line: 1, column: null, message: `The file is empty: it needs a header line and at least one ${what[0]}.` });
    return { headerLine: 1, headerFieldCount: 0, index, rows: [], problems };
  }
  const raw = readRows(text).filter((r) => r.parseErrors.length > 0 || !r.fields.every((f) => f.trim() === ''));
  const header = raw[0]!;
  for (const message of header.parseErrors)
    problems.push({ line: header.line, column: null, message: `The header line cannot be read: ${message}.` });
  header.fields.forEach((cellText, i) => {
    const name = cellText.trim().toLowerCase();
    if (!(columns as readonly string[]).includes(name)) {
      problems.push({
        line: header.line,
        column: cellText.trim(),
        message:
          name === ''
            ? `Column ${i + 1} of the header has no name.`
            : `Unknown column "${cellText.trim()}"; the columns are ${columns.join(', ')}.`,
      });
      return;
    }
    const column = name as C;
    if (index.has(column)) problems.push({ line: header.line, column, message: `Column "${column}" appears twice in the header.` });
    else index.set(column, i);
  });
  for (const column of required.filter((c) => !index.has(c))) {
    problems.push({ line: header.line, column, message: `The header has no "${column}" column; ${required.join(', ')} are required.` });
  }
  const rows: CsvRow<C>[] = [];
  for (let i = 1; i < raw.length; i++) rows.push(new TableRow(raw[i]!, index));
  if (rows.length === 0 && problems.length === 0)
    problems.push({ line: header.line, column: null, message: `The file has a header but no ${what[1]}.` });
  return { headerLine: header.line, headerFieldCount: header.fields.length, index, rows, problems };
}

/**
 * The whole-line problems every format shares: a row Papa Parse could not read, and a row with more fields than
 * the header (usually an unquoted comma).
 */
export function rowShapeProblems<C extends string>(table: CsvTable<C>, row: CsvRow<C>): CsvProblem[] {
  const out: CsvProblem[] = row.parseErrors.map((message) => ({
    line: row.line,
    column: null,
    message: `This line cannot be read as CSV: ${message}. Check its quotes.`,
  }));
  if (row.fieldCount > table.headerFieldCount) {
    out.push({
      line: row.line,
      column: null,
      message: `This line has ${row.fieldCount} fields but the header has ${table.headerFieldCount}; a value probably contains an unquoted comma.`,
    });
  }
  return out;
}

/** Sorts problems line by line and, within a line, left to right as the columns stand in the file (whole-line problems first). */
export function sortProblems<C extends string>(
  problems: CsvProblem[],
  table: Pick<CsvTable<C>, 'index' | 'headerLine' | 'headerFieldCount'>,
): CsvProblem[] {
  const position = (e: CsvProblem): number => (e.column === null ? -1 : (table.index.get(e.column as C) ?? table.headerFieldCount));
  return [...problems].sort((a, b) => a.line - b.line || (a.line === table.headerLine ? 0 : position(a) - position(b)));
}

/** One line per problem, `line 4, address: message`, for logs, the CLI and error details. */
export function formatCsvProblem(e: CsvProblem): string {
  return e.column === null ? `line ${e.line}: ${e.message}` : `line ${e.line}, ${e.column}: ${e.message}`;
}

/** Writes a header and rows as CSV (Papa Parse does the quoting), ending with a line break. */
export function writeCsv(fields: readonly string[], rows: readonly (readonly string[])[]): string {
  return Papa.unparse({ fields: [...fields], data: rows.map((r) => [...r]) }, { newline: '\n' }) + '\n';
}
