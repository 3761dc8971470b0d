/**
 * Logix (ControlLogix/CompactLogix) tag addresses in capture profiles: the tag name as Studio 5000 shows it,
 * `Line1_SpeedSP`, `Program:MainProgram.Limit`, `Arr[3]`, `Arr[1,2]`, `Recipe.Temp`, `Recipe.Steps[2].Time`.
 *
 * Names follow the Logix naming rules (Logix 5000 Controllers I/O and Tag Data, 1756-PM004): letters, digits and
 * underscores, starting with a letter or underscore, no two underscores in a row, not ending in an underscore,
 * at most 40 characters. Only the base tag may have up to three array dimensions; UDT members are one-dimensional.
 *
 * The address is also the CIP request path, so its encoded size is computed here: CIP Vol 1 Appendix C-1.4.5
 * (data segments): an ANSI extended symbolic segment is 0x91, a length byte, the name's bytes and a pad byte when
 * the length is odd; a member (array element) segment is 0x28 + 1-byte index, 0x29 0x00 + 2-byte index, or
 * 0x2A 0x00 + 4-byte index. Bit access (`MyDint.5`) is refused: the planner could not know the reply size of the
 * parent integer.
 */
import { normaliseType, type AddressProblem, type AddressResult } from './address-result.ts';

/** The value types a Logix profile tag may have (atomic types and the predefined STRING). */
export type LogixType = 'BOOL' | 'SINT' | 'INT' | 'DINT' | 'LINT' | 'REAL' | 'LREAL' | 'STRING';

/** Every Logix value type, in the order error messages list them. */
export const LOGIX_TYPES: readonly LogixType[] = ['BOOL', 'SINT', 'INT', 'DINT', 'LINT', 'REAL', 'LREAL', 'STRING'];

/** Longest tag, program or member name Logix accepts. */
export const LOGIX_MAX_NAME = 40;

/** One segment of a tag's request path: a name, or one array index. */
export type LogixSegment = { kind: 'symbol'; name: string } | { kind: 'element'; index: number };

/** A parsed Logix tag address. */
export interface LogixAddress {
  protocol: 'logix';
  /** Program name for a program-scoped tag (`Program:<name>.`); null for controller scope. */
  program: string | null;
  /** Request path segments in order (the program segment `Program:<name>` included as a symbol). */
  segments: LogixSegment[];
  type: LogixType;
  /** Encoded size of the request path (EPATH) in bytes; always even. */
  epathBytes: number;
  /** True when the tag is one element of a BOOL array (the controller answers with the 32-bit word holding it). */
  boolArrayElement: boolean;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const PROGRAM_PREFIX = /^program:/i;

/** Why a Logix name breaks the naming rules, or null when it follows them. */
export function logixNameProblem(name: string): string | null {
  if (name === '') return 'a name is empty';
  if (!NAME.test(name)) {
    return /^[0-9]/.test(name)
      ? `"${name}" starts with a digit; names start with a letter or underscore`
      : `"${name}" has characters other than letters, digits and underscores`;
  }
  if (name.length > LOGIX_MAX_NAME) return `"${name}" is ${name.length} characters long; names have at most ${LOGIX_MAX_NAME}`;
  if (name.includes('__')) return `"${name}" has two underscores in a row, which Logix does not allow`;
  if (name.endsWith('_')) return `"${name}" ends with an underscore, which Logix does not allow`;
  return null;
}

/** Encoded size in bytes of one request path segment (CIP Vol 1 Appendix C-1.4.5). */
export function logixSegmentBytes(segment: LogixSegment): number {
  if (segment.kind === 'symbol') {
    const n = segment.name.length;
    return 2 + n + (n % 2);
  }
  if (segment.index < 0x100) return 2;
  if (segment.index < 0x10000) return 4;
  return 6;
}

interface Scanned {
  segments: LogixSegment[];
  lastIsElement: boolean;
}

// Parses `name[ i (, j (, k)) ] (. name [ i ])*`; pushes problems and returns null when it cannot continue.
function scanMembers(text: string, body: string, problems: AddressProblem[]): Scanned | null {
  const segments: LogixSegment[] = [];
  let pos = 0;
  let first = true;
  for (;;) {
    const nameMatch = /^[^.[\]]*/.exec(body.slice(pos));
    const name = nameMatch === null ? '' : nameMatch[0];
    if (/^\d+$/.test(name) && !first) {
      problems.push({
        column: 'address',
        message: `"${text}" reads bit ${name} of an integer; capture the whole integer (its own type) instead of one bit.`,
      });
      return null;
    }
    const nameProblem = logixNameProblem(name);
    if (nameProblem !== null) {
      problems.push({ column: 'address', message: `"${text}": ${nameProblem}.` });
      return null;
    }
    segments.push({ kind: 'symbol', name });
    let lastIsElement = false;
    pos += name.length;
    if (body[pos] === '[') {
      const close = body.indexOf(']', pos);
      if (close < 0) {
        problems.push({ column: 'address', message: `"${text}": an array index is missing its closing "]".` });
        return null;
      }
      const inner = body.slice(pos + 1, close);
      const parts = inner.split(',');
      if (parts.some((p) => !/^\d{1,10}$/.test(p))) {
        problems.push({
          column: 'address',
          message: `"${text}": "[${inner}]" is not an array index; write whole numbers such as [3] or [1,2].`,
        });
        return null;
      }
      const maxDims = first ? 3 : 1;
      if (parts.length > maxDims) {
        problems.push({
          column: 'address',
          message: first
            ? `"${text}": Logix arrays have at most 3 dimensions.`
            : `"${text}": members of a user-defined type are one-dimensional arrays; write one index such as [2].`,
        });
        return null;
      }
      for (const p of parts) {
        const index = Number(p);
        if (index > 0xffffffff) {
          problems.push({ column: 'address', message: `"${text}": array index ${p} is too large.` });
          return null;
        }
        segments.push({ kind: 'element', index });
      }
      lastIsElement = true;
      pos = close + 1;
    }
    first = false;
    if (pos === body.length) return { segments, lastIsElement };
    if (body[pos] !== '.') {
      problems.push({
        column: 'address',
        message: `"${text}": unexpected "${body[pos] ?? ''}" at position ${pos + 1}; separate members with "." and indexes with [ ].`,
      });
      return null;
    }
    pos += 1;
  }
}

/** Parses a Logix tag address and checks its type; returns every problem found. */
export function parseLogixAddress(address: string, type: string): AddressResult<LogixAddress> {
  const text = address.trim();
  const typeName = normaliseType(type);
  const problems: AddressProblem[] = [];
  const knownType = (LOGIX_TYPES as readonly string[]).includes(typeName) ? (typeName as LogixType) : null;
  if (knownType === null) {
    problems.push({
      column: 'type',
      message: typeName === '' ? 'The type is empty.' : `Unknown Logix type "${type.trim()}"; use one of ${LOGIX_TYPES.join(', ')}.`,
    });
  }
  let program: string | null = null;
  let body = text;
  let scanned: Scanned | null = null;
  if (text === '') {
    problems.push({ column: 'address', message: 'The address is empty.' });
  } else if (/\s/.test(text)) {
    problems.push({ column: 'address', message: `"${text}" contains spaces; Logix tag names have none.` });
  } else {
    let ok = true;
    if (PROGRAM_PREFIX.test(text)) {
      const dot = text.indexOf('.');
      program = dot < 0 ? text.slice(8) : text.slice(8, dot);
      const programProblem = logixNameProblem(program);
      if (programProblem !== null || dot < 0) {
        problems.push({
          column: 'address',
          message:
            dot < 0
              ? `"${text}" names a program but no tag; write Program:<program>.<tag>.`
              : `"${text}": program name ${programProblem ?? ''}.`,
        });
        ok = false;
      }
      body = text.slice(dot + 1);
    }
    if (ok) scanned = scanMembers(text, body, problems);
  }
  if (problems.length > 0 || knownType === null || scanned === null) return { ok: false, problems };
  const segments: LogixSegment[] =
    program === null ? scanned.segments : [{ kind: 'symbol', name: `Program:${program}` }, ...scanned.segments];
  const epathBytes = segments.reduce((sum, s) => sum + logixSegmentBytes(s), 0);
  return {
    ok: true,
    address: {
      protocol: 'logix',
      program,
      segments,
      type: knownType,
      epathBytes,
      boolArrayElement: knownType === 'BOOL' && scanned.lastIsElement,
    },
  };
}

/** Canonical text of a parsed Logix address (`Program:` spelled as Studio 5000 does). */
export function formatLogixAddress(a: LogixAddress): string {
  let out = '';
  let inIndex = false;
  for (const s of a.segments) {
    if (s.kind === 'symbol') {
      if (inIndex) out += ']';
      inIndex = false;
      out += out === '' ? s.name : `.${s.name}`;
    } else {
      out += inIndex ? `,${s.index}` : `[${s.index}`;
      inIndex = true;
    }
  }
  return inIndex ? `${out}]` : out;
}
