/**
 * S7 addresses in capture profiles, in the `nodes7` address syntax (node_modules/nodes7/nodeS7.js,
 * `stringToS7Addr`), parsed strictly: `DB1,REAL0`, `DB1,INT4`, `DB1,X8.0`, `DB1,S20.10`, `MW10`, `MR8`, `M0.1`,
 * `I0.0`/`E0.0`, `QW2`/`AW2`, ...
 *
 * Supported: data blocks and the I, Q and M areas; data types X (bit), B/BYTE, C/CHAR, W/WORD, I/INT, DW/DWORD,
 * DI/DINT, R/REAL, LR/LREAL, LI/LINT and (in data blocks) S/STRING. As in nodes7, `MD`/`ID`/`QD` are DWORD and
 * `MDI`/`IDI`/`QDI` are DINT. Not supported, refused with a reason: nodes7 arrays (`DB1,REAL0.10`: one profile tag
 * per element instead), date/time types, timers, counters and peripheral I/O (a read of PI/PQ goes to the module
 * itself, not the process image).
 */
import { normaliseType, type AddressProblem, type AddressResult } from './address-result.ts';

/** A memory area a capture may read: data block, inputs, outputs, markers (flags). */
export type S7Area = 'DB' | 'I' | 'Q' | 'M';

/** The value types an S7 profile tag may have (the nodes7 data type of its address). */
export type S7Type = 'BOOL' | 'BYTE' | 'CHAR' | 'WORD' | 'INT' | 'DWORD' | 'DINT' | 'REAL' | 'LREAL' | 'LINT' | 'STRING';

/** Every S7 value type, in the order error messages list them. */
export const S7_TYPES: readonly S7Type[] = ['BOOL', 'BYTE', 'CHAR', 'WORD', 'INT', 'DWORD', 'DINT', 'REAL', 'LREAL', 'LINT', 'STRING'];

/** S7 area codes on the wire (the "area" byte of a read item; S7comm, as nodes7 and Snap7 use them). */
export const S7_AREA_CODES: Record<S7Area, number> = { I: 0x81, Q: 0x82, M: 0x83, DB: 0x84 };

/** The item address is a 3-byte bit address (byte * 8 + bit), so byte offsets stay below 2^21. */
export const S7_MAX_BYTE_END = 2 ** 21;

/** A parsed S7 address: area, data block, byte range and (for BOOL) bit. */
export interface S7Address {
  protocol: 's7';
  area: S7Area;
  /** Data block number (1..65535) for area DB; 0 for I, Q and M. */
  db: number;
  /** Byte offset of the value's first byte. */
  start: number;
  /** Bit 0..7 within the byte at `start` for BOOL; null otherwise. */
  bit: number | null;
  /** Bytes the value occupies from `start` (STRING: maximum length + 2 header bytes). */
  length: number;
  type: S7Type;
  /** Maximum characters of a STRING (1..254); null for other types. */
  maxLength: number | null;
}

const FIXED_LENGTH: Record<Exclude<S7Type, 'STRING'>, number> = {
  BOOL: 1,
  BYTE: 1,
  CHAR: 1,
  WORD: 2,
  INT: 2,
  DWORD: 4,
  DINT: 4,
  REAL: 4,
  LREAL: 8,
  LINT: 8,
};

// Data type tokens after the comma in a DB address (nodes7 accepts these spellings).
const DB_TOKENS: Record<string, S7Type> = {
  X: 'BOOL',
  B: 'BYTE',
  BYTE: 'BYTE',
  C: 'CHAR',
  CHAR: 'CHAR',
  W: 'WORD',
  WORD: 'WORD',
  I: 'INT',
  INT: 'INT',
  DW: 'DWORD',
  DWORD: 'DWORD',
  DI: 'DINT',
  DINT: 'DINT',
  R: 'REAL',
  REAL: 'REAL',
  LR: 'LREAL',
  LREAL: 'LREAL',
  LI: 'LINT',
  LINT: 'LINT',
  S: 'STRING',
  STRING: 'STRING',
};

// Size letters after the area letter (M, MB, MC, MW, MI, MD, MDI, MR, MLR, MLI and the same for I/E, Q/A).
const AREA_SUFFIX: Record<string, S7Type> = {
  '': 'BOOL',
  B: 'BYTE',
  C: 'CHAR',
  W: 'WORD',
  I: 'INT',
  D: 'DWORD',
  DI: 'DINT',
  R: 'REAL',
  LR: 'LREAL',
  LI: 'LINT',
};

const AREA_LETTER: Record<string, S7Area> = { I: 'I', E: 'I', Q: 'Q', A: 'Q', M: 'M' };

const UNSUPPORTED_DB_TOKENS = new Set(['DT', 'DTZ', 'DTL', 'DTLZ', 'WDT', 'DWT', 'TIMER', 'COUNTER']);

const DB_FORM = /^DB(\d{1,6}),([A-Z]+)(\d{1,8})(?:\.(\d{1,4}))?(?:\.(\d{1,4}))?$/i;
const AREA_FORM = /^([A-Z]{1,4})(\d{1,8})(?:\.(\d{1,4}))?(?:\.(\d{1,4}))?$/i;

interface Parsed {
  area: S7Area;
  db: number;
  start: number;
  bit: number | null;
  type: S7Type;
  maxLength: number | null;
}

function syntaxHelp(text: string): string {
  return `"${text}" is not an S7 address in nodes7 syntax; write for example DB1,REAL0, DB1,INT4, DB1,X8.0, DB1,S20.10, MW10, M0.1, I0.0 or QW2.`;
}

function parseDbForm(text: string, m: RegExpExecArray, problems: AddressProblem[]): Parsed | null {
  const db = Number(m[1]);
  const token = (m[2] ?? '').toUpperCase();
  const start = Number(m[3]);
  const first = m[4] === undefined ? null : Number(m[4]);
  const second = m[5] === undefined ? null : Number(m[5]);
  if (db < 1 || db > 65535)
    problems.push({ column: 'address', message: `Data block ${db} in "${text}" does not exist: data blocks are numbered 1 to 65535.` });
  if (UNSUPPORTED_DB_TOKENS.has(token)) {
    problems.push({
      column: 'address',
      message: `"${text}": the ${token} data type is not supported for capture yet; capture its bytes as BYTE/WORD/DWORD tags instead.`,
    });
    return null;
  }
  const type = DB_TOKENS[token];
  if (type === undefined) {
    problems.push({
      column: 'address',
      message: `"${text}": "${token}" is not an S7 data type; use X, BYTE, CHAR, WORD, INT, DWORD, DINT, REAL, LREAL, LINT or S (string).`,
    });
    return null;
  }
  if (type === 'BOOL') {
    if (first === null)
      problems.push({ column: 'address', message: `"${text}": a bit address needs the bit number, for example DB${db},X${start}.0.` });
    if (second !== null)
      problems.push({
        column: 'address',
        message: `"${text}" is a bit array; capture profiles take one bit per tag (DB${db},X${start}.${first ?? 0}).`,
      });
    if (first !== null && first > 7)
      problems.push({ column: 'address', message: `Bit ${first} in "${text}" does not exist: a byte has bits 0 to 7.` });
    return { area: 'DB', db, start, bit: first, type, maxLength: null };
  }
  if (type === 'STRING') {
    if (first === null)
      problems.push({
        column: 'address',
        message: `"${text}": a string address needs its maximum length, for example DB${db},S${start}.10.`,
      });
    else if (first < 1 || first > 254)
      problems.push({ column: 'address', message: `"${text}": an S7 string holds 1 to 254 characters, not ${first}.` });
    if (second !== null)
      problems.push({ column: 'address', message: `"${text}" is an array of strings; capture profiles take one string per tag.` });
    return { area: 'DB', db, start, bit: null, type, maxLength: first };
  }
  if (first !== null) {
    problems.push({
      column: 'address',
      message: `"${text}" is a nodes7 array of ${first} values; capture profiles take one value per tag, so add one row per element.`,
    });
  }
  return { area: 'DB', db, start, bit: null, type, maxLength: null };
}

function parseAreaForm(text: string, m: RegExpExecArray, problems: AddressProblem[]): Parsed | null {
  const prefix = (m[1] ?? '').toUpperCase();
  const start = Number(m[2]);
  const first = m[3] === undefined ? null : Number(m[3]);
  const second = m[4] === undefined ? null : Number(m[4]);
  if (prefix === 'DB') {
    problems.push({ column: 'address', message: `"${text}": a data block address needs a comma, for example DB${start},INT0.` });
    return null;
  }
  const letter = prefix.charAt(0);
  if (letter === 'P' || letter === 'T' || (letter === 'C' && prefix.length === 1)) {
    const what = letter === 'P' ? 'Peripheral I/O' : letter === 'T' ? 'Timers' : 'Counters';
    problems.push({
      column: 'address',
      message: `"${text}": ${what} cannot be captured; read the value from a data block or the I/Q/M areas instead.`,
    });
    return null;
  }
  const area = AREA_LETTER[letter];
  const type = AREA_SUFFIX[prefix.slice(1)];
  if (area === undefined || type === undefined) {
    problems.push({ column: 'address', message: syntaxHelp(text) });
    return null;
  }
  if (type === 'BOOL') {
    if (first === null)
      problems.push({ column: 'address', message: `"${text}": a bit address needs the bit number, for example ${prefix}${start}.0.` });
    if (second !== null) problems.push({ column: 'address', message: `"${text}" is a bit array; capture profiles take one bit per tag.` });
    if (first !== null && first > 7)
      problems.push({ column: 'address', message: `Bit ${first} in "${text}" does not exist: a byte has bits 0 to 7.` });
    return { area, db: 0, start, bit: first, type, maxLength: null };
  }
  if (first !== null) {
    problems.push({
      column: 'address',
      message: `"${text}" is a nodes7 array of ${first} values; capture profiles take one value per tag, so add one row per element.`,
    });
  }
  return { area, db: 0, start, bit: null, type, maxLength: null };
}

/** Byte length of a value of this type (STRING: the string's maximum length + 2). */
export function s7ByteLength(type: S7Type, maxLength: number | null): number {
  return type === 'STRING' ? (maxLength ?? 0) + 2 : FIXED_LENGTH[type];
}

/** Parses an S7 address (nodes7 syntax) and checks the tag's type against it; returns every problem found. */
export function parseS7Address(address: string, type: string): AddressResult<S7Address> {
  const text = address.trim();
  const typeName = normaliseType(type);
  const problems: AddressProblem[] = [];
  const knownType = (S7_TYPES as readonly string[]).includes(typeName) ? (typeName as S7Type) : null;
  if (knownType === null) {
    problems.push({
      column: 'type',
      message: typeName === '' ? 'The type is empty.' : `Unknown S7 type "${type.trim()}"; use one of ${S7_TYPES.join(', ')}.`,
    });
  }
  let parsed: Parsed | null = null;
  if (text === '') {
    problems.push({ column: 'address', message: 'The address is empty.' });
  } else {
    const db = DB_FORM.exec(text);
    const area = db === null ? AREA_FORM.exec(text) : null;
    if (db !== null) parsed = parseDbForm(text, db, problems);
    else if (area !== null) parsed = parseAreaForm(text, area, problems);
    else problems.push({ column: 'address', message: syntaxHelp(text) });
  }
  if (parsed !== null && !problems.some((p) => p.column === 'address')) {
    const length = s7ByteLength(parsed.type, parsed.maxLength);
    if (parsed.start + length > S7_MAX_BYTE_END) {
      problems.push({
        column: 'address',
        message: `"${text}" ends at byte ${parsed.start + length - 1}, beyond the last addressable S7 byte ${S7_MAX_BYTE_END - 1}.`,
      });
    } else if (knownType !== null && knownType !== parsed.type) {
      problems.push({
        column: 'type',
        message: `"${text}" holds a ${parsed.type} in nodes7 syntax, but the type says ${knownType}; make them agree (set the type to ${parsed.type} or change the address).`,
      });
    }
  }
  if (problems.length > 0 || parsed === null) return { ok: false, problems };
  return {
    ok: true,
    address: {
      protocol: 's7',
      area: parsed.area,
      db: parsed.db,
      start: parsed.start,
      bit: parsed.bit,
      length: s7ByteLength(parsed.type, parsed.maxLength),
      type: parsed.type,
      maxLength: parsed.maxLength,
    },
  };
}
