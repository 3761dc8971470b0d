import { describe, expect, it } from 'vitest';
import { decodeReadSzlResponse, decodeS7Frame } from '../../../src-main/devices/s7/s7comm/s7-frames.ts';
import {
  decodeComponentIdentification,
  decodeModuleIdentification,
  decodeSzlList,
  encodeComponentRawRecord,
  encodeComponentTextRecord,
  encodeModuleIdentificationRecord,
  encodeSzlList,
  identityFromSzl,
  versionWords,
} from '../../../src-main/devices/s7/s7comm/szl-records.ts';
import { BaselineError } from '../../../src-shared/common/errors.ts';
import { bytes, exchange, hex } from './hex-fixture.ts';

function payloadOf(file: string, n: number): Uint8Array {
  return decodeReadSzlResponse(decodeS7Frame(exchange(file, n).reply)).payload;
}

function refusal(fn: () => unknown): BaselineError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(BaselineError);
    return err as BaselineError;
  }
  throw new Error('expected a refusal');
}

describe('SZL 0x0011 module identification', () => {
  it("decodes Snap7's four records: order number, module type, Ausbg/Ausbe and the firmware version", () => {
    const records = decodeModuleIdentification(decodeSzlList(payloadOf('read-szl.hex', 0)));
    expect(records).toEqual([
      { index: 0x0001, orderNumber: '6ES7 315-2EH14-0AB0', moduleType: 0x00c0, ausbg: 0x0004, ausbe: 0x0001, version: null },
      { index: 0x0006, orderNumber: '6ES7 315-2EH14-0AB0', moduleType: 0x00c0, ausbg: 0x0004, ausbe: 0x0001, version: null },
      { index: 0x0007, orderNumber: '', moduleType: 0x00c0, ausbg: 0x5603, ausbe: 0x0206, version: 'V3.2.6' },
      { index: 0x0081, orderNumber: 'Boot Loader', moduleType: 0x0000, ausbg: 0x4120, ausbe: 0x0909, version: 'A32.9.9' },
    ]);
  });

  it('re-encodes the list byte for byte (space-padded order numbers)', () => {
    const payload = payloadOf('read-szl.hex', 0);
    const records = decodeModuleIdentification(decodeSzlList(payload)).map(({ version: _v, ...r }) => encodeModuleIdentificationRecord(r));
    expect(hex(encodeSzlList(0x0011, 0, 28, records))).toBe(hex(payload));
  });

  it('turns version strings into Ausbg/Ausbe words and refuses what is not a version', () => {
    expect(versionWords('V3.2.6')).toEqual({ ausbg: 0x5603, ausbe: 0x0206 });
    expect(versionWords('V4.5.12')).toEqual({ ausbg: 0x5604, ausbe: 0x050c });
    expect(versionWords('3.2.6')).toBeNull();
    expect(versionWords('V256.0.0')).toBeNull();
    expect(versionWords('V1.2')).toBeNull();
  });
});

describe('SZL 0x001C component identification', () => {
  it("decodes Snap7's ten records: the text ones as text, manufacturer/profile and OEM raw", () => {
    const records = decodeComponentIdentification(decodeSzlList(payloadOf('read-szl.hex', 1)));
    expect(records.map((r) => [r.index, r.text])).toEqual([
      [0x0001, 'SNAP7-SERVER'],
      [0x0002, 'CPU 315-2 PN/DP'],
      [0x0003, ''],
      [0x0004, 'Original Siemens Equipment'],
      [0x0005, 'S C-C2UR28922012'],
      [0x0007, 'CPU 315-2 PN/DP'],
      [0x0008, 'MMC 267FF11F'],
      [0x0009, null],
      [0x000a, null],
      [0x000b, ''],
    ]);
    expect(hex((records[7] as { raw: Uint8Array }).raw.subarray(0, 6))).toBe('00 2a f6 00 00 01'); // manufacturer 0x002A, profile 0xF600, type 1
  });

  it('re-encodes the list byte for byte (NUL-padded text)', () => {
    const payload = payloadOf('read-szl.hex', 1);
    const records = decodeComponentIdentification(decodeSzlList(payload)).map((r) =>
      r.text === null ? encodeComponentRawRecord(r.index, r.raw) : encodeComponentTextRecord(r.index, r.text),
    );
    expect(hex(encodeSzlList(0x001c, 0, 34, records))).toBe(hex(payload));
  });

  it('keeps the whole records of a list Snap7 cut at a 240-byte PDU, and says how many were promised', () => {
    const list = decodeSzlList(payloadOf('read-szl-cut.hex', 0));
    expect(list.declaredCount).toBe(10);
    expect(list.records).toHaveLength(6);
    const records = decodeComponentIdentification(list);
    expect(records.map((r) => r.index)).toEqual([1, 2, 3, 4, 5, 7]);
    expect(identityFromSzl([], records)).toEqual({
      plcName: 'SNAP7-SERVER',
      moduleName: 'CPU 315-2 PN/DP',
      serialNumber: 'S C-C2UR28922012',
      moduleTypeName: 'CPU 315-2 PN/DP',
    });
  });
});

describe('identity from both lists', () => {
  it('takes the order number of the module record, the firmware of the firmware record and the component texts', () => {
    const modules = decodeModuleIdentification(decodeSzlList(payloadOf('read-szl.hex', 0)));
    const components = decodeComponentIdentification(decodeSzlList(payloadOf('read-szl.hex', 1)));
    expect(identityFromSzl(modules, components)).toEqual({
      orderNumber: '6ES7 315-2EH14-0AB0',
      firmware: 'V3.2.6',
      plcName: 'SNAP7-SERVER',
      moduleName: 'CPU 315-2 PN/DP',
      serialNumber: 'S C-C2UR28922012',
      moduleTypeName: 'CPU 315-2 PN/DP',
    });
  });

  it('leaves out what the CPU did not answer or left blank; falls back to the basic hardware record for the order number', () => {
    const basicOnly = [{ index: 0x0006, orderNumber: '6ES7 511-1AK02-0AB0', moduleType: 0, ausbg: 1, ausbe: 0, version: null }];
    expect(identityFromSzl(basicOnly, [{ index: 5, text: '', raw: new Uint8Array(32) }])).toEqual({ orderNumber: '6ES7 511-1AK02-0AB0' });
    expect(identityFromSzl([], [])).toEqual({});
  });
});

describe('malformed SZL lists', () => {
  it('refuses a cut header, the wrong list for a decoder, short records and empty records', () => {
    expect(refusal(() => decodeSzlList(bytes('00 11 00 00 00'))).message).toMatch(
      /SZL list header: the frame ends before the record length/,
    );
    const module = decodeSzlList(payloadOf('read-szl.hex', 0));
    expect(refusal(() => decodeComponentIdentification(module)).message).toMatch(/SZL-ID 0x11, not component identification/);
    expect(refusal(() => decodeModuleIdentification({ ...module, recordLength: 10 })).message).toMatch(/records of 10 bytes, expected 28/);
    expect(refusal(() => decodeSzlList(bytes('00 11 00 00 00 00 00 05'))).message).toMatch(/5 records of length 0/);
    expect(refusal(() => encodeSzlList(0x11, 0, 28, [new Uint8Array(27)])).code).toBe('s7-frame-malformed');
    expect(refusal(() => encodeComponentTextRecord(1, 'x'.repeat(25))).code).toBe('s7-text-too-long');
  });
});
