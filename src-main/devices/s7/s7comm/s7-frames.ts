/**
 * S7comm PDUs (protocol id 0x32) as carried in COTP DT TPDUs: the header, Setup Communication (function 0xF0),
 * Read Var (0x04) and Write Var (0x05) with S7ANY item addresses (syntax id 0x10), and the userdata PDU of the
 * CPU-functions group (4) with subfunction 0x01 "Read SZL". Pure encode/decode: no sockets, no state.
 *
 * Layouts follow the public S7comm descriptions (the Wireshark s7comm dissector's field definitions, Siemens'
 * SZL documentation in "System Software for S7-300/400, System and Standard Functions"). Lengths in the data
 * part are in bits for data transport sizes 0x03/0x04/0x05 and in bytes otherwise; an item whose data length is
 * odd is followed by one fill byte unless it is the last item.
 */
import { ByteReader, ByteWriter, concatBytes, malformedFrame } from './s7-wire.ts';
import { decodeIsoFrame, encodeIsoFrame } from './iso-on-tcp.ts';

/** The S7comm protocol id, first byte of every S7 PDU. */
export const S7_PROTOCOL_ID = 0x32;

/** ROSCTR (PDU type) values. */
export const ROSCTR = { job: 0x01, ack: 0x02, ackData: 0x03, userdata: 0x07 } as const;

/** Function codes of the job / ack-data parameter part. */
export const S7_FUNCTIONS = { readVar: 0x04, writeVar: 0x05, setupCommunication: 0xf0 } as const;

/** Item return codes of Read Var / Write Var replies (and of userdata data parts). */
export const S7_RETURN_CODES = {
  reserved: 0x00,
  hardwareFault: 0x01,
  accessDenied: 0x03,
  addressOutOfRange: 0x05,
  dataTypeNotSupported: 0x06,
  dataTypeInconsistent: 0x07,
  objectDoesNotExist: 0x0a,
  success: 0xff,
} as const;

const RETURN_CODE_TEXT: Record<number, string> = {
  0x00: 'reserved',
  0x01: 'hardware fault',
  0x03: 'access to the object not allowed',
  0x05: 'address out of range',
  0x06: 'data type not supported',
  0x07: 'data type inconsistent',
  0x0a: 'object does not exist',
  0xff: 'success',
};

/** A return code in words, e.g. "object does not exist (0x0A)". */
export function describeReturnCode(code: number): string {
  return `${RETURN_CODE_TEXT[code] ?? 'unknown return code'} (0x${code.toString(16).toUpperCase().padStart(2, '0')})`;
}

/** Header error classes of ack / ack-data PDUs. */
export const S7_ERROR_CLASSES = {
  none: 0x00,
  applicationRelationship: 0x81,
  objectDefinition: 0x82,
  noResources: 0x83,
  serviceProcessing: 0x84,
  supplies: 0x85,
  access: 0x87,
} as const;

const ERROR_TEXT: Record<number, string> = {
  0x0000: 'no error',
  0x8104: 'service not implemented on the module, or a frame error',
  0x8500: 'wrong frames (the request or its reply does not fit the negotiated PDU)',
  0xd401: 'information function unavailable',
  0xd402: 'information function unavailable',
};

/** A header (class, code) or userdata error code in words, e.g. "wrong frames … (0x8500)". */
export function describeS7Error(code: number): string {
  const hex = `0x${code.toString(16).toUpperCase().padStart(4, '0')}`;
  const text = ERROR_TEXT[code];
  if (text) return `${text} (${hex})`;
  const cls = code >> 8;
  const names: Record<number, string> = {
    0x81: 'application relationship',
    0x82: 'object definition',
    0x83: 'no resources',
    0x84: 'service processing',
    0x85: 'supplies',
    0x87: 'access',
  };
  return names[cls] ? `${names[cls]} error (${hex})` : `error ${hex}`;
}

/** Transport sizes in an S7ANY item address (what the request asks for). */
export const ITEM_TRANSPORT_SIZES = {
  BIT: 0x01,
  BYTE: 0x02,
  CHAR: 0x03,
  WORD: 0x04,
  INT: 0x05,
  DWORD: 0x06,
  DINT: 0x07,
  REAL: 0x08,
} as const;

/** Bytes per element of each item transport size. */
export const ITEM_ELEMENT_BYTES: Record<number, number> = { 0x01: 1, 0x02: 1, 0x03: 1, 0x04: 2, 0x05: 2, 0x06: 4, 0x07: 4, 0x08: 4 };

/** Transport sizes in the data part (how the data is counted: bits or bytes). */
export const DATA_TRANSPORT_SIZES = { NULL: 0x00, BIT: 0x03, BYTE: 0x04, INT: 0x05, DINT: 0x06, REAL: 0x07, OCTET_STRING: 0x09 } as const;

/** Whether a data transport size counts its length in bits (BIT, BYTE/WORD/DWORD, INTEGER) rather than bytes. */
export function lengthInBits(dataTransportSize: number): boolean {
  return dataTransportSize === 0x03 || dataTransportSize === 0x04 || dataTransportSize === 0x05;
}

/** An S7 PDU: header fields and the raw parameter and data parts. */
export interface S7Pdu {
  rosctr: number;
  pduRef: number;
  /** Header error class and code (ack / ack-data only; 0 otherwise). */
  errorClass: number;
  errorCode: number;
  param: Uint8Array;
  data: Uint8Array;
}

/** What encodeS7Pdu needs; parts left out are empty. */
export interface S7PduInput {
  rosctr: number;
  pduRef: number;
  param?: Uint8Array;
  data?: Uint8Array;
  errorClass?: number;
  errorCode?: number;
}

function headerLength(rosctr: number): number {
  return rosctr === ROSCTR.ack || rosctr === ROSCTR.ackData ? 12 : 10;
}

/** Encodes an S7 PDU: 10-byte header (job, userdata) or 12-byte header with error class/code (ack, ack-data). */
export function encodeS7Pdu(p: S7PduInput): Uint8Array {
  const param = p.param ?? new Uint8Array(0);
  const data = p.data ?? new Uint8Array(0);
  const w = new ByteWriter().u8(S7_PROTOCOL_ID).u8(p.rosctr).u16(0).u16(p.pduRef).u16(param.length).u16(data.length);
  if (headerLength(p.rosctr) === 12) w.u8(p.errorClass ?? 0).u8(p.errorCode ?? 0);
  return concatBytes([w.done(), param, data]);
}

/** Decodes an S7 PDU; refuses a wrong protocol id, an unknown ROSCTR and lengths that disagree with the bytes. */
export function decodeS7Pdu(bytes: Uint8Array): S7Pdu {
  const r = new ByteReader(bytes, 'S7 header');
  const id = r.u8('the protocol id');
  if (id !== S7_PROTOCOL_ID) throw malformedFrame('S7 header', `protocol id 0x${id.toString(16)}, expected 0x32`, { protocolId: id });
  const rosctr = r.u8('the PDU type (ROSCTR)');
  if (rosctr !== ROSCTR.job && rosctr !== ROSCTR.ack && rosctr !== ROSCTR.ackData && rosctr !== ROSCTR.userdata) {
    throw malformedFrame('S7 header', `PDU type (ROSCTR) 0x${rosctr.toString(16)} is not job, ack, ack-data or userdata`, { rosctr });
  }
  r.skip(2, 'the redundancy identification');
  const pduRef = r.u16('the PDU reference');
  const paramLength = r.u16('the parameter length');
  const dataLength = r.u16('the data length');
  let errorClass = 0;
  let errorCode = 0;
  if (headerLength(rosctr) === 12) {
    errorClass = r.u8('the error class');
    errorCode = r.u8('the error code');
  }
  if (r.remaining !== paramLength + dataLength) {
    throw malformedFrame('S7 header', `the header announces ${paramLength} parameter and ${dataLength} data bytes, ${r.remaining} follow`, {
      paramLength,
      dataLength,
      got: r.remaining,
    });
  }
  const param = r.take(paramLength, 'the parameter part');
  const data = r.take(dataLength, 'the data part');
  return { rosctr, pduRef, errorClass, errorCode, param, data };
}

/** An encoded S7 PDU in a COTP DT TPDU (end of TSDU set) in a TPKT frame: the bytes on the wire. */
export function frameS7Pdu(pdu: Uint8Array): Uint8Array {
  return encodeIsoFrame({ type: 'DT', eot: true, data: pdu });
}

/** Encodes an S7 PDU and frames it for the wire (TPKT + COTP DT). */
export function encodeS7Frame(p: S7PduInput): Uint8Array {
  return frameS7Pdu(encodeS7Pdu(p));
}

/** The S7 PDU of one whole TPKT frame holding a single, unfragmented COTP DT TPDU. */
export function decodeS7Frame(frame: Uint8Array): S7Pdu {
  const tpdu = decodeIsoFrame(frame);
  if (tpdu.type !== 'DT')
    throw malformedFrame('COTP header', `expected a data TPDU (DT) carrying an S7 PDU, got ${tpdu.type}`, { tpdu: tpdu.type });
  if (!tpdu.eot) throw malformedFrame('COTP header', 'the DT TPDU is one fragment of a longer S7 PDU (EOT not set)', {});
  return decodeS7Pdu(tpdu.data);
}

// --- Setup Communication (function 0xF0) -------------------------------------------------------------------------

/** Setup Communication parameters: parallel jobs each side may have open (AmQ) and the PDU length. */
export interface SetupCommunication {
  maxAmqCalling: number;
  maxAmqCalled: number;
  pduLength: number;
}

/** The 8-byte Setup Communication parameter part (function 0xF0, reserved, AmQ calling, AmQ called, PDU length). */
export function encodeSetupCommunication(s: SetupCommunication): Uint8Array {
  return new ByteWriter().u8(S7_FUNCTIONS.setupCommunication).u8(0).u16(s.maxAmqCalling).u16(s.maxAmqCalled).u16(s.pduLength).done();
}

/** Decodes a Setup Communication parameter part (request or reply). */
export function decodeSetupCommunication(param: Uint8Array): SetupCommunication {
  const r = new ByteReader(param, 'Setup Communication');
  const fn = r.u8('the function code');
  if (fn !== S7_FUNCTIONS.setupCommunication)
    throw malformedFrame('Setup Communication', `function 0x${fn.toString(16)}, expected 0xF0`, { function: fn });
  r.skip(1, 'the reserved byte');
  return { maxAmqCalling: r.u16('max AmQ calling'), maxAmqCalled: r.u16('max AmQ called'), pduLength: r.u16('the PDU length') };
}

// --- S7ANY item addresses ---------------------------------------------------------------------------------------

/** An S7ANY item address: transport size, element count, DB number (0 outside DBs), area code, bit address. */
export interface S7AnyItem {
  transportSize: number;
  count: number;
  db: number;
  area: number;
  /** byte * 8 + bit (24 bits on the wire). */
  bitAddress: number;
}

/** A variable specification from a request: S7ANY, or another syntax this codec does not interpret. */
export type S7VarSpec = { syntax: 'S7ANY'; item: S7AnyItem } | { syntax: 'other'; syntaxId: number };

/** An S7ANY item for `length` bytes from `start` of an area (transport size BYTE). */
export function byteRangeItem(area: number, db: number, start: number, length: number): S7AnyItem {
  return { transportSize: ITEM_TRANSPORT_SIZES.BYTE, count: length, db, area, bitAddress: start * 8 };
}

/** An S7ANY item for one bit (transport size BIT). */
export function bitItem(area: number, db: number, byte: number, bit: number): S7AnyItem {
  return { transportSize: ITEM_TRANSPORT_SIZES.BIT, count: 1, db, area, bitAddress: byte * 8 + bit };
}

/** Bytes an item covers in memory (a BIT item covers the byte that holds it). */
export function itemByteLength(item: S7AnyItem): number {
  if (item.transportSize === ITEM_TRANSPORT_SIZES.BIT) return Math.ceil(item.count / 8);
  return item.count * (ITEM_ELEMENT_BYTES[item.transportSize] ?? 1);
}

/** The 12-byte variable specification of an S7ANY item: 0x12, length 10, syntax id 0x10, then the address. */
export function encodeS7AnyItem(item: S7AnyItem): Uint8Array {
  return new ByteWriter()
    .u8(0x12)
    .u8(0x0a)
    .u8(0x10)
    .u8(item.transportSize)
    .u16(item.count)
    .u16(item.db)
    .u8(item.area)
    .u24(item.bitAddress)
    .done();
}

function decodeVarSpecs(r: ByteReader, count: number): S7VarSpec[] {
  const specs: S7VarSpec[] = [];
  for (let i = 0; i < count; i++) {
    const what = `item ${i + 1} of ${count}`;
    const kind = r.u8(`the specification type of ${what}`);
    if (kind !== 0x12)
      throw malformedFrame('S7 item address', `${what} starts with 0x${kind.toString(16)}, expected 0x12 (variable specification)`, {
        item: i + 1,
      });
    const len = r.u8(`the address length of ${what}`);
    if (len < 1) throw malformedFrame('S7 item address', `${what} has an empty address`, { item: i + 1 });
    const spec = new ByteReader(r.take(len, `the address of ${what}`), 'S7 item address');
    const syntaxId = spec.u8(`the syntax id of ${what}`);
    if (syntaxId === 0x10 && len === 0x0a) {
      specs.push({
        syntax: 'S7ANY',
        item: {
          transportSize: spec.u8('the transport size'),
          count: spec.u16('the element count'),
          db: spec.u16('the DB number'),
          area: spec.u8('the area'),
          bitAddress: spec.u24('the address'),
        },
      });
    } else {
      specs.push({ syntax: 'other', syntaxId });
    }
  }
  return specs;
}

// --- Data items (Read Var reply, Write Var request) ------------------------------------------------------------

/** One item of a data part: return code, data transport size, and the data bytes. */
export interface S7DataItem {
  returnCode: number;
  transportSize: number;
  data: Uint8Array;
}

function encodeDataItems(items: readonly S7DataItem[]): Uint8Array {
  const w = new ByteWriter();
  items.forEach((it, i) => {
    const length = lengthInBits(it.transportSize)
      ? it.transportSize === DATA_TRANSPORT_SIZES.BIT
        ? Math.min(it.data.length, 1)
        : it.data.length * 8
      : it.data.length;
    w.u8(it.returnCode).u8(it.transportSize).u16(length).bytes(it.data);
    if (it.data.length % 2 === 1 && i < items.length - 1) w.u8(0); // fill byte between items
  });
  return w.done();
}

/** Decodes `count` data items; `hasData` says whether an item with that return code carries data. */
function decodeDataItems(data: Uint8Array, count: number, layer: string, hasData: (returnCode: number) => boolean): S7DataItem[] {
  const r = new ByteReader(data, layer);
  const items: S7DataItem[] = [];
  for (let i = 0; i < count; i++) {
    const what = `item ${i + 1} of ${count}`;
    const returnCode = r.u8(`the return code of ${what}`);
    const transportSize = r.u8(`the transport size of ${what}`);
    const length = r.u16(`the length of ${what}`);
    if (!hasData(returnCode)) {
      // An item that failed has no data, whatever its length field says (Snap7 puts 4 there).
      items.push({ returnCode, transportSize, data: new Uint8Array(0) });
      continue;
    }
    const bytes = lengthInBits(transportSize) ? Math.ceil(length / 8) : length;
    const value = Uint8Array.from(r.take(bytes, `the ${bytes} data bytes of ${what}`));
    items.push({ returnCode, transportSize, data: value });
    if (bytes % 2 === 1 && i < count - 1) r.skip(1, `the fill byte after ${what}`);
  }
  return items;
}

function functionAndCount(param: Uint8Array, layer: string, expected: number): { count: number; r: ByteReader } {
  const r = new ByteReader(param, layer);
  const fn = r.u8('the function code');
  if (fn !== expected) throw malformedFrame(layer, `function 0x${fn.toString(16)}, expected 0x${expected.toString(16)}`, { function: fn });
  return { count: r.u8('the item count'), r };
}

// --- Read Var (function 0x04) ----------------------------------------------------------------------------------

/** The parameter part of a Read Var job: function 0x04, item count, item addresses. */
export function encodeReadVarRequest(items: readonly S7AnyItem[]): Uint8Array {
  return concatBytes([Uint8Array.of(S7_FUNCTIONS.readVar, items.length), ...items.map(encodeS7AnyItem)]);
}

/** The item addresses of a Read Var job. */
export function decodeReadVarRequest(param: Uint8Array): S7VarSpec[] {
  const { count, r } = functionAndCount(param, 'Read Var request', S7_FUNCTIONS.readVar);
  const specs = decodeVarSpecs(r, count);
  if (r.remaining !== 0)
    throw malformedFrame('Read Var request', `${r.remaining} bytes follow the last item address`, { extra: r.remaining });
  return specs;
}

/** The parameter and data parts of a Read Var reply (ack-data). */
export function encodeReadVarResponse(items: readonly S7DataItem[]): { param: Uint8Array; data: Uint8Array } {
  return { param: Uint8Array.of(S7_FUNCTIONS.readVar, items.length), data: encodeDataItems(items) };
}

/** The items of a Read Var reply: data for each success (0xFF), the return code for each failure. */
export function decodeReadVarResponse(param: Uint8Array, data: Uint8Array): S7DataItem[] {
  const { count } = functionAndCount(param, 'Read Var reply', S7_FUNCTIONS.readVar);
  return decodeDataItems(data, count, 'Read Var reply data', (rc) => rc === S7_RETURN_CODES.success);
}

// --- Write Var (function 0x05) ---------------------------------------------------------------------------------

/** One write: where (S7ANY) and what (data transport size and bytes). */
export interface S7WriteItem {
  item: S7AnyItem;
  transportSize: number;
  data: Uint8Array;
}

/** The parameter and data parts of a Write Var job (data items carry return code 0x00). */
export function encodeWriteVarRequest(writes: readonly S7WriteItem[]): { param: Uint8Array; data: Uint8Array } {
  return {
    param: concatBytes([Uint8Array.of(S7_FUNCTIONS.writeVar, writes.length), ...writes.map((w) => encodeS7AnyItem(w.item))]),
    data: encodeDataItems(writes.map((w) => ({ returnCode: 0, transportSize: w.transportSize, data: w.data }))),
  };
}

/** The addresses and values of a Write Var job. */
export function decodeWriteVarRequest(param: Uint8Array, data: Uint8Array): { spec: S7VarSpec; value: S7DataItem }[] {
  const { count, r } = functionAndCount(param, 'Write Var request', S7_FUNCTIONS.writeVar);
  const specs = decodeVarSpecs(r, count);
  const values = decodeDataItems(data, count, 'Write Var request data', () => true);
  return specs.map((spec, i) => ({ spec, value: values[i] as S7DataItem }));
}

/** The parameter and data parts of a Write Var reply: one return code per item. */
export function encodeWriteVarResponse(returnCodes: readonly number[]): { param: Uint8Array; data: Uint8Array } {
  return { param: Uint8Array.of(S7_FUNCTIONS.writeVar, returnCodes.length), data: Uint8Array.from(returnCodes) };
}

/** The return codes of a Write Var reply. */
export function decodeWriteVarResponse(param: Uint8Array, data: Uint8Array): number[] {
  const { count } = functionAndCount(param, 'Write Var reply', S7_FUNCTIONS.writeVar);
  const r = new ByteReader(data, 'Write Var reply data');
  return Array.from({ length: count }, (_, i) => r.u8(`the return code of item ${i + 1} of ${count}`));
}

// --- Userdata: Read SZL (function group 4 "CPU functions", subfunction 0x01) ------------------------------------

/** Userdata method byte: request / response. */
export const USERDATA_METHOD = { request: 0x11, response: 0x12 } as const;
/** Userdata type nibble: push (indication), request, response. */
export const USERDATA_TYPE = { push: 0x0, request: 0x4, response: 0x8 } as const;
/** Function group "CPU functions" and its subfunction "Read SZL". */
export const SZL_FUNCTION = { group: 0x04, readSzl: 0x01 } as const;

/** The userdata parameter part: 4 bytes after the head for a first request, 8 with data-unit fields otherwise. */
export interface UserdataParam {
  method: number;
  type: number;
  group: number;
  subfunction: number;
  sequence: number;
  /** Present in responses and follow-up requests (parameter length 8). */
  dataUnitRef?: number;
  /** False when more data units follow (wire value 0x01); true for the last one (0x00). */
  lastDataUnit?: boolean;
  errorCode?: number;
}

/** Encodes a userdata parameter part: head 00 01 12, parameter length, method, type/group, subfunction, sequence[, …]. */
export function encodeUserdataParam(p: UserdataParam): Uint8Array {
  const extended = p.dataUnitRef !== undefined || p.lastDataUnit !== undefined || p.errorCode !== undefined;
  const w = new ByteWriter()
    .u8(0x00)
    .u8(0x01)
    .u8(0x12)
    .u8(extended ? 8 : 4)
    .u8(p.method)
    .u8(((p.type & 0x0f) << 4) | (p.group & 0x0f))
    .u8(p.subfunction)
    .u8(p.sequence);
  if (extended)
    w.u8(p.dataUnitRef ?? 0)
      .u8(p.lastDataUnit === false ? 0x01 : 0x00)
      .u16(p.errorCode ?? 0);
  return w.done();
}

/** Decodes a userdata parameter part. */
export function decodeUserdataParam(param: Uint8Array): UserdataParam {
  const r = new ByteReader(param, 'userdata parameter');
  const head = r.take(3, 'the parameter head');
  if (head[0] !== 0x00 || head[1] !== 0x01 || head[2] !== 0x12) {
    throw malformedFrame(
      'userdata parameter',
      `head ${Array.from(head, (b) => b.toString(16).padStart(2, '0')).join(' ')}, expected 00 01 12`,
      {},
    );
  }
  const len = r.u8('the parameter length');
  if (len !== 4 && len !== 8) throw malformedFrame('userdata parameter', `parameter length ${len}, expected 4 or 8`, { len });
  if (r.remaining !== len)
    throw malformedFrame('userdata parameter', `parameter length ${len}, but ${r.remaining} bytes follow`, { len, got: r.remaining });
  const method = r.u8('the method');
  const tg = r.u8('the type and function group');
  const p: UserdataParam = {
    method,
    type: tg >> 4,
    group: tg & 0x0f,
    subfunction: r.u8('the subfunction'),
    sequence: r.u8('the sequence number'),
  };
  if (len === 8) {
    p.dataUnitRef = r.u8('the data unit reference');
    p.lastDataUnit = r.u8('the last-data-unit flag') === 0x00;
    p.errorCode = r.u16('the error code');
  }
  return p;
}

/** The data part of a userdata PDU: return code, transport size, length in bytes, payload. */
export interface UserdataData {
  returnCode: number;
  transportSize: number;
  payload: Uint8Array;
}

/** Encodes a userdata data part (length in bytes: octet string). */
export function encodeUserdataData(d: UserdataData): Uint8Array {
  return concatBytes([new ByteWriter().u8(d.returnCode).u8(d.transportSize).u16(d.payload.length).done(), d.payload]);
}

/** Decodes a userdata data part; an empty data part reads as "no data" (return code 0x0A). */
export function decodeUserdataData(data: Uint8Array): UserdataData {
  if (data.length === 0) return { returnCode: S7_RETURN_CODES.objectDoesNotExist, transportSize: 0, payload: new Uint8Array(0) };
  const r = new ByteReader(data, 'userdata data');
  const returnCode = r.u8('the return code');
  const transportSize = r.u8('the transport size');
  const length = r.u16('the data length');
  if (returnCode !== S7_RETURN_CODES.success) return { returnCode, transportSize, payload: new Uint8Array(0) };
  const bytes = lengthInBits(transportSize) ? Math.ceil(length / 8) : length;
  return { returnCode, transportSize, payload: Uint8Array.from(r.take(bytes, `the ${bytes} bytes of data`)) };
}

/**
 * A Read SZL request as the CPU sees it: the first one (SZL-ID and index) or a follow-up asking for the next data
 * unit of a list, which quotes the sequence number of the CPU's previous data unit (this is what Snap7's client
 * sends, with data unit reference 0).
 */
export type ReadSzlRequest =
  { kind: 'first'; sequence: number; szlId: number; index: number } | { kind: 'follow-up'; sequence: number; dataUnitRef: number };

/** Encodes a Read SZL request PDU (userdata, method 0x11, type request, group 4, subfunction 0x01). */
export function encodeReadSzlRequest(pduRef: number, req: ReadSzlRequest): Uint8Array {
  if (req.kind === 'first') {
    const param = encodeUserdataParam({
      method: USERDATA_METHOD.request,
      type: USERDATA_TYPE.request,
      group: SZL_FUNCTION.group,
      subfunction: SZL_FUNCTION.readSzl,
      sequence: req.sequence,
    });
    const data = encodeUserdataData({
      returnCode: S7_RETURN_CODES.success,
      transportSize: DATA_TRANSPORT_SIZES.OCTET_STRING,
      payload: new ByteWriter().u16(req.szlId).u16(req.index).done(),
    });
    return encodeS7Pdu({ rosctr: ROSCTR.userdata, pduRef, param, data });
  }
  // Follow-up: 8-byte parameter with the data unit reference the CPU gave, and an empty data part (0x0A 00 0000).
  const param = encodeUserdataParam({
    method: USERDATA_METHOD.response,
    type: USERDATA_TYPE.request,
    group: SZL_FUNCTION.group,
    subfunction: SZL_FUNCTION.readSzl,
    sequence: req.sequence,
    dataUnitRef: req.dataUnitRef,
    lastDataUnit: true,
    errorCode: 0,
  });
  const data = new ByteWriter().u8(S7_RETURN_CODES.objectDoesNotExist).u8(0).u16(0).done();
  return encodeS7Pdu({ rosctr: ROSCTR.userdata, pduRef, param, data });
}

function expectSzlFunction(p: UserdataParam, layer: string): void {
  if (p.group !== SZL_FUNCTION.group || p.subfunction !== SZL_FUNCTION.readSzl) {
    throw malformedFrame(
      layer,
      `function group ${p.group} subfunction 0x${p.subfunction.toString(16)} is not Read SZL (group 4, subfunction 0x01)`,
      { group: p.group, subfunction: p.subfunction },
    );
  }
}

/** Decodes a Read SZL request from a userdata PDU. */
export function decodeReadSzlRequest(pdu: S7Pdu): ReadSzlRequest {
  const p = decodeUserdataParam(pdu.param);
  expectSzlFunction(p, 'Read SZL request');
  if (p.type !== USERDATA_TYPE.request)
    throw malformedFrame('Read SZL request', `userdata type ${p.type} is not a request (4)`, { type: p.type });
  if (p.dataUnitRef !== undefined) return { kind: 'follow-up', sequence: p.sequence, dataUnitRef: p.dataUnitRef };
  const d = decodeUserdataData(pdu.data);
  const r = new ByteReader(d.payload, 'Read SZL request data');
  return { kind: 'first', sequence: p.sequence, szlId: r.u16('the SZL-ID'), index: r.u16('the SZL index') };
}

/** A Read SZL response: one data unit of the SZL list, or an error. */
export interface ReadSzlResponse {
  sequence: number;
  dataUnitRef: number;
  /** True when this is the last data unit (no follow-up needed). */
  last: boolean;
  /** Userdata error code: 0 for success, e.g. 0xD401 when the CPU does not have that SZL. */
  errorCode: number;
  returnCode: number;
  /** This data unit's bytes of the SZL list (the first unit starts with the SZL header). */
  payload: Uint8Array;
}

/** Encodes a Read SZL response PDU (userdata, method 0x12, type response). */
export function encodeReadSzlResponse(pduRef: number, res: ReadSzlResponse): Uint8Array {
  const param = encodeUserdataParam({
    method: USERDATA_METHOD.response,
    type: USERDATA_TYPE.response,
    group: SZL_FUNCTION.group,
    subfunction: SZL_FUNCTION.readSzl,
    sequence: res.sequence,
    dataUnitRef: res.dataUnitRef,
    lastDataUnit: res.last,
    errorCode: res.errorCode,
  });
  const data =
    res.returnCode === S7_RETURN_CODES.success
      ? encodeUserdataData({ returnCode: res.returnCode, transportSize: DATA_TRANSPORT_SIZES.OCTET_STRING, payload: res.payload })
      : new ByteWriter().u8(res.returnCode).u8(0).u16(0).done();
  return encodeS7Pdu({ rosctr: ROSCTR.userdata, pduRef, param, data });
}

/** Decodes a Read SZL response from a userdata PDU. */
export function decodeReadSzlResponse(pdu: S7Pdu): ReadSzlResponse {
  if (pdu.rosctr !== ROSCTR.userdata)
    throw malformedFrame('Read SZL response', `PDU type 0x${pdu.rosctr.toString(16)} is not userdata (0x07)`, { rosctr: pdu.rosctr });
  const p = decodeUserdataParam(pdu.param);
  expectSzlFunction(p, 'Read SZL response');
  if (p.type !== USERDATA_TYPE.response || p.dataUnitRef === undefined) {
    throw malformedFrame('Read SZL response', `userdata type ${p.type} with a ${pdu.param.length}-byte parameter is not a response`, {
      type: p.type,
    });
  }
  const d = decodeUserdataData(pdu.data);
  return {
    sequence: p.sequence,
    dataUnitRef: p.dataUnitRef,
    last: p.lastDataUnit !== false,
    errorCode: p.errorCode ?? 0,
    returnCode: d.returnCode,
    payload: d.payload,
  };
}
