/**
 * SZL (System Status List, German "System-Zustandsliste") payloads and the two identification lists Baseline
 * reads: SZL-ID 0x0011 "module identification" and 0x001C "component identification" (Siemens, "System Software
 * for S7-300/400, System and Standard Functions", SSL-IDs W#16#xy11 and W#16#xy1C). Pure encode/decode.
 *
 * An SZL list is a header (SZL-ID, index, LENTHDR = bytes of one record, N_DR = number of records) and N_DR records.
 * Some peers cut a list that does not fit their PDU instead of sending follow-up data units (Snap7's server
 * does), so the decoder returns the whole records it has and says how many the header promised.
 */
import { ByteReader, ByteWriter, concatBytes, latin1Bytes, latin1Field, malformedFrame } from './s7-wire.ts';

/** SZL-ID of module identification (all records: index 0). */
export const SZL_MODULE_IDENTIFICATION = 0x0011;
/** SZL-ID of component identification (all records: index 0). */
export const SZL_COMPONENT_IDENTIFICATION = 0x001c;

/** An SZL list as sent in a Read SZL response (data units joined). */
export interface SzlList {
  szlId: number;
  index: number;
  /** LENTHDR: bytes of one record. */
  recordLength: number;
  /** N_DR as the header gives it. */
  declaredCount: number;
  /** The whole records present (fewer than declaredCount when the peer cut the list). */
  records: Uint8Array[];
}

/** Encodes an SZL list: header (SZL-ID, index, LENTHDR, N_DR) then the records, each exactly LENTHDR bytes. */
export function encodeSzlList(szlId: number, index: number, recordLength: number, records: readonly Uint8Array[]): Uint8Array {
  for (const r of records) {
    if (r.length !== recordLength)
      throw malformedFrame('SZL list', `a record has ${r.length} bytes, LENTHDR is ${recordLength}`, { recordLength, got: r.length });
  }
  return concatBytes([new ByteWriter().u16(szlId).u16(index).u16(recordLength).u16(records.length).done(), ...records]);
}

/** Decodes an SZL list; a trailing partial record (a list cut by the peer) is dropped, not an error. */
export function decodeSzlList(payload: Uint8Array): SzlList {
  const r = new ByteReader(payload, 'SZL list header');
  const szlId = r.u16('the SZL-ID');
  const index = r.u16('the SZL index');
  const recordLength = r.u16('the record length (LENTHDR)');
  const declaredCount = r.u16('the record count (N_DR)');
  if (recordLength === 0 && declaredCount > 0)
    throw malformedFrame('SZL list header', `${declaredCount} records of length 0`, { declaredCount });
  const records: Uint8Array[] = [];
  while (records.length < declaredCount && r.remaining >= recordLength)
    records.push(Uint8Array.from(r.take(recordLength, `record ${records.length + 1}`)));
  return { szlId, index, recordLength, declaredCount, records };
}

/** Record length of SZL 0x0011: index (2), MLFB (20), BGTyp (2), Ausbg (2), Ausbe (2). */
export const MODULE_RECORD_LENGTH = 28;

/** One record of SZL 0x0011. */
export interface ModuleIdentificationRecord {
  /** 0x0001 module, 0x0006 basic hardware, 0x0007 basic firmware, 0x0081 boot loader… */
  index: number;
  /** Order number (MLFB), trailing spaces trimmed; empty when the CPU leaves it blank. */
  orderNumber: string;
  /** BGTyp: module type id. */
  moduleType: number;
  /** Ausbg and Ausbe: product version words. */
  ausbg: number;
  ausbe: number;
  /** "V3.2.6" when Ausbg starts with a letter (firmware and boot loader records), else null. */
  version: string | null;
}

function versionOf(ausbg: number, ausbe: number): string | null {
  const letter = ausbg >> 8;
  const isLetter = (letter >= 0x41 && letter <= 0x5a) || (letter >= 0x61 && letter <= 0x7a);
  return isLetter ? `${String.fromCharCode(letter)}${ausbg & 0xff}.${ausbe >> 8}.${ausbe & 0xff}` : null;
}

/** Decodes the records of an SZL 0x0011 list. */
export function decodeModuleIdentification(list: SzlList): ModuleIdentificationRecord[] {
  if ((list.szlId & 0x00ff) !== 0x11)
    throw malformedFrame('SZL 0x0011', `the list is SZL-ID 0x${list.szlId.toString(16)}, not module identification`, { szlId: list.szlId });
  if (list.recordLength < MODULE_RECORD_LENGTH)
    throw malformedFrame('SZL 0x0011', `records of ${list.recordLength} bytes, expected ${MODULE_RECORD_LENGTH}`, {
      recordLength: list.recordLength,
    });
  return list.records.map((rec) => {
    const r = new ByteReader(rec, 'SZL 0x0011 record');
    const index = r.u16('the index');
    const orderNumber = latin1Field(r.take(20, 'the order number'));
    const moduleType = r.u16('BGTyp');
    const ausbg = r.u16('Ausbg');
    const ausbe = r.u16('Ausbe');
    return { index, orderNumber, moduleType, ausbg, ausbe, version: versionOf(ausbg, ausbe) };
  });
}

/** Encodes one SZL 0x0011 record. */
export function encodeModuleIdentificationRecord(r: Omit<ModuleIdentificationRecord, 'version'>): Uint8Array {
  return new ByteWriter()
    .u16(r.index)
    .bytes(latin1Bytes(r.orderNumber, 20, 0x20))
    .u16(r.moduleType)
    .u16(r.ausbg)
    .u16(r.ausbe)
    .done();
}

/** Ausbg/Ausbe words of a version string "V3.2.6" (letter, then three numbers 0..255). */
export function versionWords(version: string): { ausbg: number; ausbe: number } | null {
  const m = /^([A-Za-z])(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(version);
  if (!m) return null;
  const [a, b, c] = [Number(m[2]), Number(m[3]), Number(m[4])];
  if (a > 255 || b > 255 || c > 255) return null;
  return { ausbg: ((m[1] as string).charCodeAt(0) << 8) | a, ausbe: (b << 8) | c };
}

/** Record length of SZL 0x001C: index (2) and 32 bytes of component data. */
export const COMPONENT_RECORD_LENGTH = 34;

/** Component identification indexes of SZL 0x001C and the width of their text. */
export const COMPONENT_FIELDS = {
  plcName: { index: 0x0001, width: 24 },
  moduleName: { index: 0x0002, width: 24 },
  plantDesignation: { index: 0x0003, width: 32 },
  copyright: { index: 0x0004, width: 26 },
  serialNumber: { index: 0x0005, width: 24 },
  moduleTypeName: { index: 0x0007, width: 32 },
  memoryCardSerial: { index: 0x0008, width: 32 },
  locationDesignation: { index: 0x000b, width: 32 },
} as const;

/** One record of SZL 0x001C: text components decoded, others (9 manufacturer/profile, 10 OEM) kept raw. */
export interface ComponentIdentificationRecord {
  index: number;
  /** The text (NUL/space padding removed) for text components; null for binary ones. */
  text: string | null;
  /** The 32 bytes after the index. */
  raw: Uint8Array;
}

const TEXT_WIDTH = new Map<number, number>(Object.values(COMPONENT_FIELDS).map((f) => [f.index, f.width]));

/** Decodes the records of an SZL 0x001C list. */
export function decodeComponentIdentification(list: SzlList): ComponentIdentificationRecord[] {
  if ((list.szlId & 0x00ff) !== 0x1c)
    throw malformedFrame('SZL 0x001C', `the list is SZL-ID 0x${list.szlId.toString(16)}, not component identification`, {
      szlId: list.szlId,
    });
  if (list.recordLength < COMPONENT_RECORD_LENGTH)
    throw malformedFrame('SZL 0x001C', `records of ${list.recordLength} bytes, expected ${COMPONENT_RECORD_LENGTH}`, {
      recordLength: list.recordLength,
    });
  return list.records.map((rec) => {
    const r = new ByteReader(rec, 'SZL 0x001C record');
    const index = r.u16('the index');
    const raw = Uint8Array.from(r.take(32, 'the component data'));
    const width = TEXT_WIDTH.get(index);
    return { index, text: width === undefined ? null : latin1Field(raw.subarray(0, width)), raw };
  });
}

/** Encodes one SZL 0x001C record holding text (NUL-padded to 32 bytes). */
export function encodeComponentTextRecord(index: number, text: string): Uint8Array {
  const width = TEXT_WIDTH.get(index) ?? 32;
  const field = new Uint8Array(32);
  field.set(latin1Bytes(text, width));
  return new ByteWriter().u16(index).bytes(field).done();
}

/** Encodes one SZL 0x001C record holding 32 raw bytes. */
export function encodeComponentRawRecord(index: number, raw: Uint8Array): Uint8Array {
  const field = new Uint8Array(32);
  field.set(raw.subarray(0, 32));
  return new ByteWriter().u16(index).bytes(field).done();
}

/** What an S7 CPU says about itself; each field only when the CPU answered it with something non-empty. */
export interface S7Identity {
  /** Order number (MLFB) of the module, e.g. "6ES7 315-2EH14-0AB0" (SZL 0x0011 index 1, else index 6). */
  orderNumber?: string;
  /** Module type name, e.g. "CPU 315-2 PN/DP" (SZL 0x001C index 7). */
  moduleTypeName?: string;
  /** Serial number of the module (SZL 0x001C index 5). */
  serialNumber?: string;
  /** Firmware version, e.g. "V3.2.6" (SZL 0x0011 index 7). */
  firmware?: string;
  /** Name of the automation system / PLC (SZL 0x001C index 1). */
  plcName?: string;
  /** Name of the module (SZL 0x001C index 2). */
  moduleName?: string;
}

/** Builds the identity from the decoded records (either list may be missing). */
export function identityFromSzl(
  modules: readonly ModuleIdentificationRecord[],
  components: readonly ComponentIdentificationRecord[],
): S7Identity {
  const id: S7Identity = {};
  const module = modules.find((m) => m.index === 0x0001 && m.orderNumber) ?? modules.find((m) => m.index === 0x0006 && m.orderNumber);
  if (module) id.orderNumber = module.orderNumber;
  const firmware = modules.find((m) => m.index === 0x0007)?.version;
  if (firmware) id.firmware = firmware;
  const text = (index: number): string | undefined => components.find((c) => c.index === index)?.text || undefined;
  const fields: [keyof S7Identity, number][] = [
    ['plcName', COMPONENT_FIELDS.plcName.index],
    ['moduleName', COMPONENT_FIELDS.moduleName.index],
    ['serialNumber', COMPONENT_FIELDS.serialNumber.index],
    ['moduleTypeName', COMPONENT_FIELDS.moduleTypeName.index],
  ];
  for (const [key, index] of fields) {
    const t = text(index);
    if (t) id[key] = t;
  }
  return id;
}
