/**
 * The simulated controller's tag database: controller- and program-scoped tags (`Speed`, `Program:Main.Limit`),
 * arrays of up to three dimensions (`Arr[3]`, `Grid[1,2]`), UDTs and their members (`Recipe.Temp`,
 * `Recipe.Steps[2].Time`), STRING, BOOL arrays (stored as DWORDs, as Logix does), each tag's bytes as the
 * controller holds them, and a writable flag (Logix "External Access").
 *
 * Two ways in: by name (`getValue`/`setValue`, Studio 5000 syntax, for the simulator's owner) and by CIP request
 * path (`resolvePath`, for Read/Write Tag). A tag list may declare UDTs, or name members and elements directly
 * (`{ name: 'Recipe.Temp', type: 'REAL' }`), in which case the structures and array sizes are inferred, so a
 * capture profile alone can populate a simulator.
 */
import { BaselineError } from '../../../../src-shared/common/errors.ts';
import { CipExtendedStatus, CipGeneralStatus, CipStatusError } from './cip-status.ts';
import type { EpathSegment } from './epath.ts';
import { readAtomic, writeAtomic } from './logix-types.ts';
import {
  atomicType,
  layoutTemplate,
  lookupType,
  sizeOf,
  stringTemplate,
  STRING_CAPACITY,
  typeField,
  typeName,
  type DataType,
  type Template,
  type TemplateMember,
  type UdtSpec,
} from './logix-templates.ts';

/** How a tag is declared. `name` may also be a member or element path, from which the structure is inferred. */
export interface LogixTagSpec {
  name: string;
  /** BOOL, SINT, INT, DINT, LINT, REAL, LREAL, STRING, or the name of a declared UDT. */
  type: string;
  /** Initial value (zero when absent): boolean, number, LINT as number/string/bigint, string, object, array. */
  value?: unknown;
  /** Array dimensions (up to 3; BOOL arrays one dimension, in bits). */
  dims?: number | number[];
  /** False makes the tag read-only over CIP (External Access: Read Only). Default true. */
  writable?: boolean;
}

/** A tag database as plain data: tags, and the UDTs they use. */
export interface LogixTagDatabaseSpec {
  tags: LogixTagSpec[];
  udts?: UdtSpec[];
}

/** One tag as stored. */
export interface TagRecord {
  name: string;
  program: string | null;
  type: DataType;
  /** Storage dimensions (for a BOOL array: its DWORD count). */
  dims: number[];
  /** Declared bits of a BOOL array. */
  boolBits?: number;
  writable: boolean;
  data: Buffer;
  /** Symbol object (0x6B) instance id within its scope. */
  instanceId: number;
}

/** Where a request path or name points inside a tag. */
export interface TagLocation {
  tag: TagRecord;
  type: DataType;
  /** Byte offset in the tag's data. */
  offset: number;
  /** Array dimensions not yet indexed (empty for one element). */
  dims: number[];
  /** Elements available from `offset` to the end of the innermost array (1 for a scalar). */
  elements: number;
  /** A single bit (BOOL member, BOOL array element by name, integer bit by name): bit 0-7 of the byte at `offset`. */
  bit?: number;
  /** Set when `dims` index a BOOL array stored as DWORDs (its declared bits). */
  boolBits?: number;
}

/** One Symbol object instance as the tag-list browse reports it. */
export interface SymbolEntry {
  instanceId: number;
  name: string;
  /** Logix symbol type: type code or 0x8000|template id, array dimension count in bits 13-14, 0x1000 = system. */
  symbolType: number;
  elementSize: number;
  dims: [number, number, number];
}

/** Symbol type of a program entry in the controller-scope tag list (system bit 0x1000 | 0x68). */
export const PROGRAM_SYMBOL_TYPE = 0x1068;

type Step = { kind: 'member'; name: string } | { kind: 'index'; indices: number[] };

interface Scope {
  name: string | null;
  tags: Map<string, TagRecord>;
  order: TagRecord[];
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
const PROGRAM_PREFIX = /^program:/i;

/** An unknown tag, member or program: general status 0x04 with extended status 0x0000, as Logix answers it. */
function notFound(what: string): CipStatusError {
  return new CipStatusError(CipGeneralStatus.PathSegmentError, [0x0000], what);
}

function product(dims: readonly number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}

/** Parses a Studio 5000 tag name into its program and steps; numeric members are bits of integers. */
export function parseTagName(text: string): { program: string | null; steps: Step[] } {
  const bad = (why: string) =>
    new BaselineError(
      'logix-sim-tag',
      `"${text}" is not a Logix tag name: ${why}.`,
      'Write names as Studio 5000 does: Tag, Program:Main.Tag, Arr[3], Grid[1,2], Recipe.Temp, Flags.3.',
    );
  let rest = text.trim();
  let program: string | null = null;
  if (PROGRAM_PREFIX.test(rest)) {
    const dot = rest.indexOf('.');
    program = dot < 0 ? '' : rest.slice(8, dot);
    if (!IDENT.test(program)) throw bad('the program name is missing or malformed');
    rest = rest.slice(dot + 1);
  }
  const steps: Step[] = [];
  let pos = 0;
  for (;;) {
    const m = /^(?:[A-Za-z_][A-Za-z0-9_]*|\d+)/.exec(rest.slice(pos));
    if (m === null) throw bad(`a name is expected at position ${pos + 1}`);
    if (steps.length === 0 && /^\d/.test(m[0])) throw bad('it starts with a digit');
    steps.push({ kind: 'member', name: m[0] });
    pos += m[0].length;
    if (rest[pos] === '[') {
      const close = rest.indexOf(']', pos);
      if (close < 0) throw bad('an index has no closing ]');
      const parts = rest.slice(pos + 1, close).split(',');
      if (parts.length > 3 || parts.some((p) => !/^\s*\d+\s*$/.test(p))) throw bad('an index is not one to three whole numbers');
      steps.push({ kind: 'index', indices: parts.map(Number) });
      pos = close + 1;
    }
    if (pos === rest.length) break;
    if (rest[pos] !== '.') throw bad(`unexpected "${rest[pos]}" at position ${pos + 1}`);
    pos += 1;
  }
  return { program, steps };
}

function normaliseDims(dims: number | number[] | undefined, where: string): number[] {
  const list = dims === undefined ? [] : Array.isArray(dims) ? dims : [dims];
  if (list.length > 3 || list.some((d) => !Number.isInteger(d) || d < 1)) {
    throw new BaselineError(
      'logix-sim-tag',
      `${where} has dimensions ${JSON.stringify(dims)}.`,
      'Give dims as one to three positive whole numbers, e.g. 10 or [4, 5].',
    );
  }
  return list;
}

type InferNode =
  | { kind: 'unknown' }
  | { kind: 'leaf'; type: string; dims: number[] }
  | { kind: 'struct'; members: Map<string, { name: string; node: InferNode }> }
  | { kind: 'array'; size: number[]; element: InferNode };

/** The tag database of one simulated controller. */
export class LogixTagDatabase {
  private readonly controller: Scope = { name: null, tags: new Map(), order: [] };
  private readonly programs = new Map<string, Scope>();
  private readonly templatesById = new Map<number, Template>();
  private readonly templatesByName = new Map<string, Template>();
  private nextTemplateId = 0x0100;

  private constructor() {
    this.addTemplate(stringTemplate());
  }

  /** Builds a database from plain data; every problem is a BaselineError naming the tag. */
  static load(spec: LogixTagDatabaseSpec): LogixTagDatabase {
    const db = new LogixTagDatabase();
    const udtSpecs = new Map<string, UdtSpec>();
    for (const u of spec.udts ?? []) {
      if (!IDENT.test(u.name))
        throw new BaselineError('logix-sim-udt', `"${u.name}" is not a valid UDT name.`, 'Use letters, digits and underscores.');
      if (udtSpecs.has(u.name.toLowerCase()) || lookupType(u.name, db.templatesByName)) {
        throw new BaselineError(
          'logix-sim-udt',
          `UDT ${u.name} is declared twice or hides a predefined type.`,
          'Give every UDT its own name.',
        );
      }
      udtSpecs.set(u.name.toLowerCase(), u);
    }
    const resolving = new Set<string>();
    const resolveType = (name: string): DataType => {
      const known = lookupType(name, db.templatesByName);
      if (known) return known;
      const udt = udtSpecs.get(name.toLowerCase());
      if (!udt) {
        throw new BaselineError(
          'logix-sim-tag',
          `Unknown data type "${name}".`,
          'Use BOOL, SINT, INT, DINT, LINT, REAL, LREAL, STRING or a UDT declared in "udts".',
        );
      }
      if (resolving.has(udt.name.toLowerCase())) {
        throw new BaselineError('logix-sim-udt', `UDT ${udt.name} contains itself.`, 'Remove the circular member.');
      }
      resolving.add(udt.name.toLowerCase());
      const template = layoutTemplate(udt, db.nextTemplateId++, resolveType);
      resolving.delete(udt.name.toLowerCase());
      db.addTemplate(template);
      return { kind: 'struct', template };
    };
    for (const u of udtSpecs.values()) resolveType(u.name);

    const parsed = spec.tags.map((t) => ({ spec: t, ...parseTagName(t.name) }));
    const seen = new Set<string>();
    for (const p of parsed) {
      const key = `${p.program ?? ''}|${p.spec.name
        .trim()
        .replace(/^program:[^.]*\./i, '')
        .replace(/\s+/g, '')
        .toLowerCase()}`;
      if (seen.has(key)) throw new BaselineError('logix-sim-tag', `Tag ${p.spec.name} is listed twice.`, 'List every tag once.');
      seen.add(key);
    }
    // Declarations: plain names.
    for (const p of parsed) {
      if (p.steps.length !== 1) continue;
      const dims = normaliseDims(p.spec.dims, `Tag ${p.spec.name}`);
      db.createTag(p.program, (p.steps[0] as { name: string }).name, resolveType(p.spec.type), dims, p.spec.type, p.spec.writable ?? true);
    }
    // Paths whose base is not declared: infer the structures and array sizes.
    const inferred = new Map<string, { program: string | null; base: string; node: InferNode; writable: boolean }>();
    for (const p of parsed) {
      if (p.steps.length === 1) continue;
      const base = (p.steps[0] as { name: string }).name;
      if (db.findTag(p.program, base)) continue;
      const key = `${p.program?.toLowerCase() ?? ''}|${base.toLowerCase()}`;
      const entry = inferred.get(key) ?? { program: p.program, base, node: { kind: 'unknown' } as InferNode, writable: true };
      entry.node = place(entry.node, p.steps.slice(1), p.spec);
      entry.writable = entry.writable && (p.spec.writable ?? true);
      inferred.set(key, entry);
    }
    for (const e of inferred.values()) {
      const realised = realise(
        e.node,
        [e.base],
        (udt) => {
          let name = udt.name;
          for (let n = 2; lookupType(name, db.templatesByName) || udtSpecs.has(name.toLowerCase()); n++) name = `${udt.name}${n}`;
          udtSpecs.set(name.toLowerCase(), { ...udt, name });
          return resolveType(name);
        },
        resolveType,
      );
      db.createTag(e.program, e.base, realised.type, realised.dims, typeName(realised.type), e.writable);
    }
    // Values, and the types of member/element paths.
    for (const p of parsed) {
      if (p.steps.length > 1) {
        const loc = db.locateName(p.spec.name);
        const actual = loc.bit !== undefined ? 'BOOL' : typeName(loc.type);
        if (actual.toLowerCase() !== p.spec.type.trim().toLowerCase() || (loc.dims.length > 0 && p.spec.dims === undefined)) {
          throw new BaselineError(
            'logix-sim-tag',
            `${p.spec.name} is ${actual}${loc.dims.length ? `[${loc.dims.join(',')}]` : ''} in this controller, not ${p.spec.type}.`,
            'Give members and elements the type their structure or array declares.',
          );
        }
      }
      if (p.spec.value !== undefined) db.setValue(p.spec.name, p.spec.value);
    }
    return db;
  }

  private addTemplate(t: Template): void {
    this.templatesById.set(t.instanceId, t);
    this.templatesByName.set(t.name.toLowerCase(), t);
  }

  private scope(program: string | null, create = false): Scope | undefined {
    if (program === null) return this.controller;
    const key = program.toLowerCase();
    let s = this.programs.get(key);
    if (!s && create) {
      s = { name: program, tags: new Map(), order: [] };
      this.programs.set(key, s);
    }
    return s;
  }

  private findTag(program: string | null, name: string): TagRecord | undefined {
    return this.scope(program)?.tags.get(name.toLowerCase());
  }

  private createTag(program: string | null, name: string, type: DataType, dims: number[], declaredType: string, writable: boolean): void {
    if (!IDENT.test(name))
      throw new BaselineError('logix-sim-tag', `"${name}" is not a valid tag name.`, 'Use letters, digits and underscores.');
    const scope = this.scope(program, true) as Scope;
    if (scope.tags.has(name.toLowerCase())) {
      throw new BaselineError(
        'logix-sim-tag',
        `Tag ${program ? `Program:${program}.` : ''}${name} is declared twice.`,
        'Declare every tag once.',
      );
    }
    let storageType = type;
    let storageDims = dims;
    let boolBits: number | undefined;
    if (declaredType.trim().toUpperCase() === 'BOOL' && dims.length > 0) {
      if (dims.length > 1)
        throw new BaselineError(
          'logix-sim-tag',
          `BOOL array ${name} has ${dims.length} dimensions.`,
          'Logix BOOL arrays have one dimension.',
        );
      boolBits = dims[0] as number;
      storageType = atomicType('DWORD');
      storageDims = [Math.ceil(boolBits / 32)];
    }
    const tag: TagRecord = {
      name,
      program,
      type: storageType,
      dims: storageDims,
      writable,
      instanceId: scope.order.length + 1,
      data: Buffer.alloc(sizeOf(storageType) * product(storageDims)),
    };
    if (boolBits !== undefined) tag.boolBits = boolBits;
    scope.tags.set(name.toLowerCase(), tag);
    scope.order.push(tag);
  }

  /** The template with this instance id, if any. */
  template(instanceId: number): Template | undefined {
    return this.templatesById.get(instanceId);
  }

  /** Every template in use (STRING first). */
  templates(): Template[] {
    return [...this.templatesById.values()];
  }

  /** Names of the programs, as declared. */
  programNames(): string[] {
    return [...this.programs.values()].map((s) => s.name as string);
  }

  /** Symbol object instances of a scope in instance order; the controller scope lists programs after its tags. */
  listSymbols(program: string | null): SymbolEntry[] {
    const scope = this.scope(program);
    if (!scope) throw notFound(`Program ${program} does not exist`);
    const entries: SymbolEntry[] = scope.order.map((t) => {
      let symbolType = t.type.kind === 'struct' ? 0x8000 | t.type.template.instanceId : t.type.atomic.code;
      symbolType |= (t.dims.length & 3) << 13;
      const dims = t.boolBits !== undefined ? [t.boolBits] : t.dims;
      return {
        instanceId: t.instanceId,
        name: t.name,
        symbolType,
        elementSize: sizeOf(t.type),
        dims: [dims[0] ?? 0, dims[1] ?? 0, dims[2] ?? 0],
      };
    });
    if (program === null) {
      let id = scope.order.length;
      for (const p of this.programs.values()) {
        entries.push({ instanceId: ++id, name: `Program:${p.name}`, symbolType: PROGRAM_SYMBOL_TYPE, elementSize: 0, dims: [0, 0, 0] });
      }
    }
    return entries;
  }

  /** The scope named by a leading `Program:<name>` symbolic segment, and the segments after it. */
  splitScope(segments: readonly EpathSegment[]): { program: string | null; rest: EpathSegment[] } {
    const [first, ...rest] = segments;
    if (first?.kind === 'symbolic' && PROGRAM_PREFIX.test(first.name)) {
      const name = first.name.slice(8);
      const scope = this.scope(name);
      if (!scope) throw notFound(`Program ${name} does not exist`);
      return { program: scope.name, rest };
    }
    return { program: null, rest: [...segments] };
  }

  /**
   * Resolves a Read/Write Tag request path: [Program:<name>] then the tag (ANSI symbol, or Symbol class 0x6B +
   * instance), then member symbols and element indexes (logical member segments; a BOOL array's index counts
   * 32-bit words). Unknown names answer 0x04, indexes out of range 0x05.
   */
  resolvePath(segments: readonly EpathSegment[]): TagLocation {
    const { program, rest } = this.splitScope(segments);
    const scope = this.scope(program) as Scope;
    const [head, ...tail] = rest;
    let tag: TagRecord | undefined;
    let stepSegments = tail;
    if (head?.kind === 'symbolic') {
      tag = scope.tags.get(head.name.toLowerCase());
      if (!tag) throw notFound(`Tag ${program ? `Program:${program}.` : ''}${head.name} does not exist`);
    } else if (head?.kind === 'logical' && head.type === 'class' && head.value === 0x6b) {
      const inst = tail[0];
      if (inst?.kind !== 'logical' || inst.type !== 'instance')
        throw new CipStatusError(CipGeneralStatus.PathSegmentError, [], 'A Symbol object path needs an instance');
      tag = scope.order.find((t) => t.instanceId === inst.value);
      if (!tag) throw new CipStatusError(CipGeneralStatus.PathDestinationUnknown, [], `Symbol instance ${inst.value} does not exist`);
      stepSegments = tail.slice(1);
    } else {
      throw new CipStatusError(CipGeneralStatus.PathSegmentError, [], 'A tag path starts with the tag name');
    }
    const steps: Step[] = [];
    for (const s of stepSegments) {
      if (s.kind === 'symbolic') {
        steps.push({ kind: 'member', name: s.name });
      } else if (s.kind === 'logical' && s.type === 'member') {
        const last = steps[steps.length - 1];
        if (last?.kind === 'index') last.indices.push(s.value);
        else steps.push({ kind: 'index', indices: [s.value] });
      } else {
        throw new CipStatusError(CipGeneralStatus.PathSegmentError, [], `Unexpected ${s.kind} segment in a tag path`);
      }
    }
    return this.walk(tag, steps, 'cip');
  }

  private walk(tag: TagRecord, steps: readonly Step[], mode: 'cip' | 'name'): TagLocation {
    const loc: TagLocation = { tag, type: tag.type, offset: 0, dims: [...tag.dims], elements: product(tag.dims) };
    if (tag.boolBits !== undefined) loc.boolBits = tag.boolBits;
    for (const step of steps) {
      if (loc.bit !== undefined) throw notFound(`${tag.name}: a bit has no members or elements`);
      if (step.kind === 'index') {
        if (loc.dims.length === 0)
          throw new CipStatusError(CipGeneralStatus.PathSegmentError, [], `${tag.name}: an index on something that is not an array`);
        if (mode === 'name' && loc.boolBits !== undefined) {
          const [bitIndex] = step.indices;
          if (step.indices.length !== 1 || bitIndex === undefined || bitIndex >= loc.boolBits) {
            throw new CipStatusError(
              CipGeneralStatus.PathDestinationUnknown,
              [],
              `${tag.name}: bit ${step.indices.join(',')} is outside the BOOL array`,
            );
          }
          loc.offset += bitIndex >> 3;
          loc.bit = bitIndex & 7;
          loc.type = atomicType('BOOL');
          loc.dims = [];
          loc.elements = 1;
          delete loc.boolBits;
          continue;
        }
        if (step.indices.length !== loc.dims.length) {
          throw new CipStatusError(
            CipGeneralStatus.PathSegmentError,
            [],
            `${tag.name}: ${step.indices.length} index(es) for a ${loc.dims.length}-dimensional array`,
          );
        }
        let linear = 0;
        step.indices.forEach((ix, i) => {
          const d = loc.dims[i] as number;
          if (ix >= d)
            throw new CipStatusError(CipGeneralStatus.PathDestinationUnknown, [], `${tag.name}: index ${ix} is outside 0..${d - 1}`);
          linear = linear * d + ix;
        });
        loc.offset += linear * sizeOf(loc.type);
        loc.elements = product(loc.dims) - linear;
        loc.dims = [];
        delete loc.boolBits;
        continue;
      }
      if (loc.dims.length > 0)
        throw new CipStatusError(CipGeneralStatus.PathSegmentError, [], `${tag.name}: a member of an array needs an index first`);
      if (/^\d+$/.test(step.name)) {
        const bits =
          loc.type.kind === 'atomic' && ['SINT', 'INT', 'DINT', 'LINT', 'DWORD'].includes(loc.type.atomic.name)
            ? loc.type.atomic.size * 8
            : 0;
        const bit = Number(step.name);
        if (mode !== 'name' || bit >= bits) throw notFound(`${tag.name}: bit ${step.name} does not exist on ${typeName(loc.type)}`);
        loc.offset += bit >> 3;
        loc.bit = bit & 7;
        loc.type = atomicType('BOOL');
        loc.elements = 1;
        continue;
      }
      if (loc.type.kind !== 'struct') throw notFound(`${tag.name}: ${typeName(loc.type)} has no member ${step.name}`);
      const member: TemplateMember | undefined = loc.type.template.members.find((m) => m.name.toLowerCase() === step.name.toLowerCase());
      if (!member) throw notFound(`${tag.name}: ${loc.type.template.name} has no member ${step.name}`);
      loc.offset += member.offset;
      loc.type = member.type;
      if (member.bit !== undefined) {
        loc.bit = member.bit;
        loc.elements = 1;
      } else if (member.arrayLength > 0) {
        loc.dims = [member.arrayLength];
        loc.elements = member.arrayLength;
        if (member.boolBits !== undefined) loc.boolBits = member.boolBits;
      } else {
        loc.elements = 1;
      }
    }
    return loc;
  }

  /** Locates a tag, member, element or bit by its Studio 5000 name. */
  locateName(name: string): TagLocation {
    const { program, steps } = parseTagName(name);
    const [head, ...rest] = steps;
    try {
      const scope = this.scope(program);
      const tag = scope?.tags.get((head as { name: string }).name.toLowerCase());
      if (!tag) throw notFound(`no tag ${name}`);
      return this.walk(tag, rest, 'name');
    } catch (err) {
      if (err instanceof CipStatusError) {
        throw new BaselineError(
          'logix-sim-tag',
          `The simulated controller has no ${name}: ${err.message}`,
          'Check the name against the tags the simulator was started with.',
        );
      }
      throw err;
    }
  }

  /** The value at a name: boolean, number, bigint (LINT), string (STRING), object (UDT) or array. */
  getValue(name: string): unknown {
    const loc = this.locateName(name);
    return decodeValue(loc.type, loc.dims, loc.boolBits, loc.tag.data, loc.offset, loc.bit);
  }

  /** Sets the value at a name (objects may give some members only; arrays may be shorter than the tag). */
  setValue(name: string, value: unknown): void {
    const loc = this.locateName(name);
    try {
      encodeValue(loc.type, loc.dims, loc.boolBits, value, loc.tag.data, loc.offset, loc.bit);
    } catch (err) {
      if (err instanceof BaselineError) throw new BaselineError(err.code, `${name}: ${err.message}`, err.hint);
      throw err;
    }
  }

  /** Read Tag / Read Tag Fragmented data for `count` elements at a location: the type field and the bytes. */
  readElements(loc: TagLocation, count: number): { type: Buffer; data: Buffer } {
    if (loc.bit !== undefined) {
      if (count !== 1)
        throw new CipStatusError(CipGeneralStatus.GeneralError, [CipExtendedStatus.BeyondEndOfObject], 'A BOOL member is one element');
      return { type: typeField(atomicType('BOOL')), data: Buffer.from([((loc.tag.data[loc.offset] as number) >> loc.bit) & 1]) };
    }
    if (count < 1 || count > loc.elements) {
      throw new CipStatusError(
        CipGeneralStatus.GeneralError,
        [CipExtendedStatus.BeyondEndOfObject],
        `${count} elements asked of ${loc.tag.name}, ${loc.elements} available`,
      );
    }
    const size = sizeOf(loc.type) * count;
    return { type: typeField(loc.type), data: Buffer.from(loc.tag.data.subarray(loc.offset, loc.offset + size)) };
  }

  /**
   * Applies Write Tag / Write Tag Fragmented data: checks External Access (0x0F), the type field (0xFF/0x2107),
   * the element count (0xFF/0x2105) and the data length (0x13 short, 0x15 long), then writes the bytes at
   * `byteOffset` within the `count` elements.
   */
  writeElements(loc: TagLocation, type: { code: number; handle?: number }, count: number, data: Buffer, byteOffset: number | null): void {
    if (!loc.tag.writable)
      throw new CipStatusError(CipGeneralStatus.PrivilegeViolation, [], `${loc.tag.name} is read-only (External Access)`);
    const expected = loc.bit !== undefined ? atomicType('BOOL') : loc.type;
    const field = typeField(expected);
    const matches = field.readUInt16LE(0) === type.code && (expected.kind === 'atomic' || field.readUInt16LE(2) === type.handle);
    if (!matches) {
      throw new CipStatusError(
        CipGeneralStatus.GeneralError,
        [CipExtendedStatus.DataTypeMismatch],
        `${loc.tag.name} is ${typeName(expected)}; the request wrote type 0x${type.code.toString(16)}`,
      );
    }
    const available = loc.bit !== undefined ? 1 : loc.elements;
    if (count < 1 || count > available) {
      throw new CipStatusError(
        CipGeneralStatus.GeneralError,
        [CipExtendedStatus.BeyondEndOfObject],
        `${count} elements written to ${loc.tag.name}, ${available} available`,
      );
    }
    const total = sizeOf(expected) * count;
    const start = byteOffset ?? 0;
    if (byteOffset === null) {
      if (data.length < total)
        throw new CipStatusError(CipGeneralStatus.NotEnoughData, [], `${total} data bytes expected, ${data.length} received`);
      if (data.length > total)
        throw new CipStatusError(CipGeneralStatus.TooMuchData, [], `${total} data bytes expected, ${data.length} received`);
    } else if (start + data.length > total) {
      throw new CipStatusError(
        CipGeneralStatus.GeneralError,
        [CipExtendedStatus.BeyondEndOfObject],
        `Fragment at ${start} of ${data.length} bytes passes the ${total}-byte end`,
      );
    }
    if (loc.bit !== undefined) {
      const mask = 1 << loc.bit;
      const old = loc.tag.data[loc.offset] as number;
      loc.tag.data[loc.offset] = (data[0] ?? 0) !== 0 ? old | mask : old & ~mask;
      return;
    }
    data.copy(loc.tag.data, loc.offset + start);
  }

  /** Read-Modify-Write Tag (Logix 0x4E): value = (value OR orMask) AND andMask on an integer of the masks' size. */
  readModifyWrite(loc: TagLocation, orMask: Buffer, andMask: Buffer): void {
    if (!loc.tag.writable)
      throw new CipStatusError(CipGeneralStatus.PrivilegeViolation, [], `${loc.tag.name} is read-only (External Access)`);
    const integer = loc.type.kind === 'atomic' && ['SINT', 'INT', 'DINT', 'LINT', 'DWORD'].includes(loc.type.atomic.name);
    if (loc.bit !== undefined || !integer || orMask.length !== sizeOf(loc.type) || andMask.length !== orMask.length) {
      throw new CipStatusError(
        CipGeneralStatus.GeneralError,
        [CipExtendedStatus.DataTypeMismatch],
        `Masks of ${orMask.length} bytes do not fit ${typeName(loc.type)}`,
      );
    }
    for (let i = 0; i < orMask.length; i++) {
      const at = loc.offset + i;
      loc.tag.data[at] = ((loc.tag.data[at] as number) | (orMask[i] as number)) & (andMask[i] as number);
    }
  }
}

function place(node: InferNode, steps: readonly Step[], spec: LogixTagSpec): InferNode {
  const conflict = () =>
    new BaselineError(
      'logix-sim-tag',
      `${spec.name} does not fit the other names given for the same tag.`,
      'Give a tag either members or indexes consistently, or declare it (and its UDT) explicitly.',
    );
  const [step, ...rest] = steps;
  if (step === undefined) {
    const dims = normaliseDims(spec.dims, `Tag ${spec.name}`);
    if (node.kind === 'leaf' && node.type.toLowerCase() === spec.type.toLowerCase() && node.dims.join() === dims.join()) return node;
    if (node.kind !== 'unknown') throw conflict();
    return { kind: 'leaf', type: spec.type.trim(), dims };
  }
  if (step.kind === 'index') {
    const arr =
      node.kind === 'unknown'
        ? { kind: 'array' as const, size: step.indices.map(() => 0), element: { kind: 'unknown' } as InferNode }
        : node;
    if (arr.kind !== 'array' || arr.size.length !== step.indices.length) throw conflict();
    arr.size = arr.size.map((s, i) => Math.max(s, (step.indices[i] as number) + 1));
    arr.element = place(arr.element, rest, spec);
    return arr;
  }
  if (/^\d+$/.test(step.name)) {
    throw new BaselineError(
      'logix-sim-tag',
      `${spec.name} is a bit of an integer that is not declared.`,
      'Declare the integer tag itself; its bits are then addressable.',
    );
  }
  const st = node.kind === 'unknown' ? { kind: 'struct' as const, members: new Map<string, { name: string; node: InferNode }>() } : node;
  if (st.kind !== 'struct') throw conflict();
  const key = step.name.toLowerCase();
  const existing = st.members.get(key);
  st.members.set(key, { name: existing?.name ?? step.name, node: place(existing?.node ?? { kind: 'unknown' }, rest, spec) });
  return st;
}

function realise(
  node: InferNode,
  path: string[],
  defineUdt: (udt: UdtSpec) => DataType,
  resolveType: (name: string) => DataType,
): { type: DataType; dims: number[]; declared: string } {
  switch (node.kind) {
    case 'unknown':
      throw new BaselineError('logix-sim-tag', `${path.join('.')} has no type.`, 'Name every member or element with its type.');
    case 'leaf':
      return { type: resolveType(node.type), dims: node.dims, declared: node.type };
    case 'array': {
      const el = realise(node.element, path, defineUdt, resolveType);
      if (el.dims.length > 0)
        throw new BaselineError(
          'logix-sim-tag',
          `${path.join('.')} is an array of arrays.`,
          'Logix arrays have up to three dimensions in one index: Grid[1,2].',
        );
      const bits = el.declared.toUpperCase() === 'BOOL';
      if (bits && node.size.length > 1)
        throw new BaselineError(
          'logix-sim-tag',
          `BOOL array ${path.join('.')} has ${node.size.length} dimensions.`,
          'Logix BOOL arrays have one dimension.',
        );
      return { type: el.type, dims: bits ? [Math.ceil((node.size[0] as number) / 32) * 32] : node.size, declared: el.declared };
    }
    case 'struct': {
      const members = [...node.members.values()].map((m) => {
        const r = realise(m.node, [...path, m.name], defineUdt, resolveType);
        if (r.dims.length > 1)
          throw new BaselineError(
            'logix-sim-tag',
            `Member ${[...path, m.name].join('.')} has ${r.dims.length} dimensions.`,
            'UDT members are one-dimensional arrays.',
          );
        const member: { name: string; type: string; dims?: number } = {
          name: m.name,
          type: r.declared.toUpperCase() === 'BOOL' ? 'BOOL' : typeName(r.type),
        };
        if (r.dims.length === 1) member.dims = r.dims[0] as number;
        return member;
      });
      const type = defineUdt({ name: `${path.join('_')}_Type`, members });
      return { type, dims: [], declared: typeName(type) };
    }
  }
}

function decodeValue(
  type: DataType,
  dims: readonly number[],
  boolBits: number | undefined,
  buf: Buffer,
  offset: number,
  bit?: number,
): unknown {
  if (bit !== undefined) return (((buf[offset] as number) >> bit) & 1) === 1;
  if (dims.length > 0) {
    if (boolBits !== undefined)
      return Array.from({ length: boolBits }, (_, i) => (((buf[offset + (i >> 3)] as number) >> (i & 7)) & 1) === 1);
    const size = sizeOf(type);
    return Array.from({ length: product(dims) }, (_, i) => decodeValue(type, [], undefined, buf, offset + i * size));
  }
  if (type.kind === 'atomic') return readAtomic(type.atomic.name, buf, offset);
  const t = type.template;
  if (t.isString) {
    const len = Math.max(0, Math.min(buf.readInt32LE(offset), STRING_CAPACITY));
    return buf.toString('latin1', offset + 4, offset + 4 + len);
  }
  const out: Record<string, unknown> = {};
  for (const m of t.members) {
    if (m.hidden) continue;
    out[m.name] = decodeValue(m.type, m.arrayLength > 0 ? [m.arrayLength] : [], m.boolBits, buf, offset + m.offset, m.bit);
  }
  return out;
}

function encodeValue(
  type: DataType,
  dims: readonly number[],
  boolBits: number | undefined,
  value: unknown,
  buf: Buffer,
  offset: number,
  bit?: number,
): void {
  const fail = (why: string) =>
    new BaselineError('logix-sim-value', why, 'Give values shaped like the tag: arrays for arrays, objects for UDTs, strings for STRING.');
  if (bit !== undefined) {
    if (typeof value !== 'boolean' && value !== 0 && value !== 1) throw fail(`${JSON.stringify(value)} is not a BOOL value`);
    const mask = 1 << bit;
    buf[offset] = value === true || value === 1 ? (buf[offset] as number) | mask : (buf[offset] as number) & ~mask;
    return;
  }
  if (dims.length > 0) {
    if (!Array.isArray(value)) throw fail(`an array is expected, not ${JSON.stringify(value)}`);
    const n = boolBits ?? product(dims);
    if (value.length > n) throw fail(`${value.length} values for ${n} elements`);
    value.forEach((v, i) => {
      if (boolBits !== undefined) encodeValue(atomicType('BOOL'), [], undefined, v, buf, offset + (i >> 3), i & 7);
      else encodeValue(type, [], undefined, v, buf, offset + i * sizeOf(type));
    });
    return;
  }
  if (type.kind === 'atomic') {
    writeAtomic(type.atomic.name, value, buf, offset);
    return;
  }
  const t = type.template;
  if (t.isString) {
    if (typeof value !== 'string') throw fail(`${JSON.stringify(value)} is not a string`);
    const bytes = Buffer.from(value, 'latin1');
    if (bytes.length > STRING_CAPACITY) throw fail(`a STRING holds at most ${STRING_CAPACITY} characters, not ${bytes.length}`);
    buf.fill(0, offset, offset + t.size);
    buf.writeInt32LE(bytes.length, offset);
    bytes.copy(buf, offset + 4);
    return;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw fail(`an object of ${t.name} members is expected, not ${JSON.stringify(value)}`);
  for (const [key, v] of Object.entries(value)) {
    const m = t.members.find((x) => !x.hidden && x.name.toLowerCase() === key.toLowerCase());
    if (!m) throw fail(`${t.name} has no member ${key}`);
    encodeValue(m.type, m.arrayLength > 0 ? [m.arrayLength] : [], m.boolBits, v, buf, offset + m.offset, m.bit);
  }
}
