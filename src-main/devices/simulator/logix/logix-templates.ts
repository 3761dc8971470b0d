/**
 * Data types of the simulated controller: atomic types and structures (UDTs and the predefined STRING), the
 * member layout Logix uses, and the Template object (class 0x6C) a client reads to decode structures
 * (Logix 1756-PM020 "Template Object"): attributes 1 (structure handle), 2 (member count), 4 (definition size in
 * 32-bit words), 5 (structure size in bytes), and the definition itself: per member info UINT, type UINT,
 * offset UDINT, then the NUL-terminated template name and member names.
 */
import { BaselineError } from '../../../../src-shared/common/errors.ts';
import { ATOMIC_TYPES, isAtomicTypeName, type AtomicTypeInfo } from './logix-types.ts';

/** The type of a tag, member or array element. */
export type DataType = { kind: 'atomic'; atomic: AtomicTypeInfo } | { kind: 'struct'; template: Template };

/** One member of a structure, as laid out in memory. */
export interface TemplateMember {
  name: string;
  type: DataType;
  /** Elements of an array member, 0 for a scalar. For a BOOL array (DWORD storage) the number of 32-bit words. */
  arrayLength: number;
  /** Bits of a BOOL array member (its declared length); absent otherwise. */
  boolBits?: number;
  /** Byte offset from the start of the structure. */
  offset: number;
  /** A BOOL member's bit in the host SINT at `offset`. */
  bit?: number;
  /** Logix's hidden SINT that hosts BOOL members (named ZZZZZZZZZZ<type><n>). */
  hidden: boolean;
}

/** A structure type and its Template object instance. */
export interface Template {
  name: string;
  /** Template object instance id (12 bits); the symbol type of a tag of this type is 0x8000 | instanceId. */
  instanceId: number;
  /** Structure handle sent after 0x02A0 in Read/Write Tag data. */
  handle: number;
  /** Size of one structure in bytes. */
  size: number;
  /** Alignment of the structure inside other structures (4, or 8 when it holds 8-byte members). */
  alignment: number;
  members: TemplateMember[];
  /** The template definition as read with Read Tag (0x4C) on the Template object. */
  definition: Buffer;
  /** True for the predefined STRING (LEN DINT, DATA SINT[82]). */
  isString: boolean;
}

/** How a UDT is declared: members in order; `dims` makes a one-dimensional array member (BOOL arrays in bits). */
export interface UdtSpec {
  name: string;
  members: Array<{ name: string; type: string; dims?: number }>;
}

/** Characters of the predefined STRING's DATA member. */
export const STRING_CAPACITY = 82;

/** Template instance id and structure handle of the predefined STRING, as Logix controllers report them. */
export const STRING_TEMPLATE_ID = 0x0fce;

/** The atomic DataType of a name (BOOL, SINT, …). */
export function atomicType(name: keyof typeof ATOMIC_TYPES): DataType {
  return { kind: 'atomic', atomic: ATOMIC_TYPES[name] };
}

/** Size of one element of a type in bytes. */
export function sizeOf(type: DataType): number {
  return type.kind === 'atomic' ? type.atomic.size : type.template.size;
}

/** Type name as Studio 5000 shows it (atomic name, STRING, or the UDT name). */
export function typeName(type: DataType): string {
  return type.kind === 'atomic' ? type.atomic.name : type.template.name;
}

/** The 2- or 4-byte type field of Read/Write Tag data: the atomic code, or 0x02A0 + structure handle. */
export function typeField(type: DataType): Buffer {
  if (type.kind === 'atomic') {
    const b = Buffer.alloc(2);
    b.writeUInt16LE(type.atomic.code, 0);
    return b;
  }
  const b = Buffer.alloc(4);
  b.writeUInt16LE(0x02a0, 0);
  b.writeUInt16LE(type.template.handle, 2);
  return b;
}

function alignmentOf(type: DataType): number {
  return type.kind === 'atomic' ? Math.min(type.atomic.size, 8) : type.template.alignment;
}

function alignUp(n: number, a: number): number {
  return Math.ceil(n / a) * a;
}

/** Encodes a template definition: member info/type/offset, the name, then member names, each NUL-terminated. */
function encodeDefinition(name: string, members: readonly TemplateMember[]): Buffer {
  const table = Buffer.alloc(members.length * 8);
  members.forEach((m, i) => {
    let type = m.type.kind === 'atomic' ? m.type.atomic.code : 0x8000 | m.type.template.instanceId;
    if (m.arrayLength > 0) type |= 0x2000;
    const info = m.arrayLength > 0 ? m.arrayLength : (m.bit ?? 0);
    table.writeUInt16LE(info, i * 8);
    table.writeUInt16LE(type, i * 8 + 2);
    table.writeUInt32LE(m.offset, i * 8 + 4);
  });
  const names = [name, ...members.map((m) => m.name)].map((n) => Buffer.concat([Buffer.from(n, 'latin1'), Buffer.alloc(1)]));
  return Buffer.concat([table, ...names]);
}

/** A 16-bit structure handle derived from the definition (controllers use a CRC; clients only echo it back). */
function structureHandle(definition: Buffer): number {
  let h = 0x811c9dc5;
  for (const byte of definition) h = Math.imul(h ^ byte, 0x01000193) >>> 0;
  const folded = ((h >>> 16) ^ h) & 0xffff;
  return folded === STRING_TEMPLATE_ID || folded === 0 ? folded ^ 0x5a5a : folded;
}

/** The Template object's attribute 4: definition size in 32-bit words, so that `words * 4 - 23` bytes cover the definition. */
export function definitionWords(template: Template): number {
  return Math.ceil((template.definition.length + 23) / 4);
}

/** The predefined STRING: LEN DINT at 0, DATA SINT[82] at 4, 88 bytes. */
export function stringTemplate(): Template {
  const members: TemplateMember[] = [
    { name: 'LEN', type: atomicType('DINT'), arrayLength: 0, offset: 0, hidden: false },
    { name: 'DATA', type: atomicType('SINT'), arrayLength: STRING_CAPACITY, offset: 4, hidden: false },
  ];
  return {
    name: 'STRING',
    instanceId: STRING_TEMPLATE_ID,
    handle: STRING_TEMPLATE_ID,
    size: 88,
    alignment: 4,
    members,
    definition: encodeDefinition('STRING', members),
    isString: true,
  };
}

/**
 * Lays out a UDT the way Logix does: members aligned to their size (structures to 4, or 8 when they hold 8-byte
 * members), consecutive BOOLs packed into a hidden host SINT, BOOL arrays stored as DWORDs, the total rounded up
 * to the structure's alignment. `resolve` finds the types of members (atomic, STRING or another UDT).
 */
export function layoutTemplate(spec: UdtSpec, instanceId: number, resolve: (typeName: string) => DataType): Template {
  const members: TemplateMember[] = [];
  let offset = 0;
  let alignment = 4;
  let host: { offset: number; nextBit: number } | null = null;
  let hosts = 0;
  const seen = new Set<string>();
  for (const m of spec.members) {
    const key = m.name.toLowerCase();
    if (seen.has(key)) {
      throw new BaselineError(
        'logix-sim-udt',
        `UDT ${spec.name} declares member "${m.name}" twice.`,
        'Give every member of a UDT a different name.',
      );
    }
    seen.add(key);
    const upper = m.type.toUpperCase();
    const dims = m.dims ?? 0;
    if (!Number.isInteger(dims) || dims < 0) {
      throw new BaselineError(
        'logix-sim-udt',
        `Member ${spec.name}.${m.name} has ${dims} elements.`,
        'Give dims as a positive whole number (one dimension).',
      );
    }
    if (upper === 'BOOL' && dims === 0) {
      if (host === null || host.nextBit > 7) {
        host = { offset, nextBit: 0 };
        members.push({
          name: `ZZZZZZZZZZ${spec.name}${hosts}`.slice(0, 40),
          type: atomicType('SINT'),
          arrayLength: 0,
          offset,
          hidden: true,
        });
        hosts += 1;
        offset += 1;
      }
      members.push({ name: m.name, type: atomicType('BOOL'), arrayLength: 0, offset: host.offset, bit: host.nextBit, hidden: false });
      host.nextBit += 1;
      continue;
    }
    host = null;
    let type: DataType;
    let arrayLength = dims;
    let boolBits: number | undefined;
    if (upper === 'BOOL') {
      type = atomicType('DWORD');
      arrayLength = Math.ceil(dims / 32);
      boolBits = dims;
    } else {
      type = resolve(m.type);
    }
    const a = alignmentOf(type);
    alignment = Math.max(alignment, a);
    offset = alignUp(offset, a);
    const member: TemplateMember = { name: m.name, type, arrayLength, offset, hidden: false };
    if (boolBits !== undefined) member.boolBits = boolBits;
    members.push(member);
    offset += sizeOf(type) * Math.max(arrayLength, 1);
  }
  if (members.length === 0) {
    throw new BaselineError('logix-sim-udt', `UDT ${spec.name} has no members.`, 'Declare at least one member.');
  }
  const size = alignUp(Math.max(offset, 1), alignment);
  const definition = encodeDefinition(spec.name, members);
  return { name: spec.name, instanceId, handle: structureHandle(definition), size, alignment, members, definition, isString: false };
}

/** The DataType named `name` among atomic types, STRING and known templates (case-insensitive), or undefined. */
export function lookupType(name: string, templates: ReadonlyMap<string, Template>): DataType | undefined {
  if (isAtomicTypeName(name) && name.toUpperCase() !== 'DWORD') return atomicType(name.toUpperCase() as keyof typeof ATOMIC_TYPES);
  const t = templates.get(name.toLowerCase());
  return t ? { kind: 'struct', template: t } : undefined;
}
