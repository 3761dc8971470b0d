import { describe, expect, it } from 'vitest';
import {
  ROSCTR,
  bitItem,
  byteRangeItem,
  decodeReadSzlResponse,
  decodeReadVarResponse,
  decodeS7Frame,
  encodeReadSzlRequest,
  encodeReadVarRequest,
  encodeS7Frame,
  encodeSetupCommunication,
  frameS7Pdu,
} from '../../../src-main/devices/s7/s7comm/s7-frames.ts';
import {
  decodeComponentIdentification,
  decodeModuleIdentification,
  decodeSzlList,
  identityFromSzl,
} from '../../../src-main/devices/s7/s7comm/szl-records.ts';
import { S7Memory } from '../../../src-main/devices/simulator/s7/s7-memory.ts';
import { S7SimSession, emptyRequestCounts, type S7SimCpu } from '../../../src-main/devices/simulator/s7/s7-sim-session.ts';
import { DEFAULT_S7_SIM_IDENTITY, identitySzlLists } from '../../../src-main/devices/simulator/s7/s7-simulator.ts';
import { bytes, exchange, hex } from './hex-fixture.ts';

const SETUP_480 = exchange('setup-communication.hex', 0).request;

function cpu(pduSize: number): S7SimCpu {
  const db1 = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  const memory = new S7Memory({
    dbs: { 1: db1, 2: new Uint8Array(400) },
    m: new Uint8Array(8),
    i: Uint8Array.of(0x81),
    q: new Uint8Array(2),
  });
  return { memory, pduSize, maxAmq: 8, szl: identitySzlLists(DEFAULT_S7_SIM_IDENTITY), counts: emptyRequestCounts() };
}

/** A session that has connected (CR/CC) and negotiated (Setup Communication asking for 480). */
function session(pduSize = 480): { s: S7SimSession; c: S7SimCpu; send(frame: Uint8Array): Uint8Array } {
  const c = cpu(pduSize);
  const s = new S7SimSession(c);
  const send = (frame: Uint8Array): Uint8Array => {
    const out = s.handle(frame);
    expect(out.close).toBe(false);
    expect(out.replies).toHaveLength(1);
    return out.replies[0] as Uint8Array;
  };
  send(exchange('cotp-connect.hex', 0).request);
  send(SETUP_480);
  return { s, c, send };
}

describe('simulated S7 CPU, byte for byte against the frame layouts', () => {
  it("answers nodes7's connection request and the Setup Communication exactly as Snap7 does", () => {
    const c = cpu(480);
    const s = new S7SimSession(c);
    const connect = exchange('cotp-connect.hex', 0);
    expect(hex(s.handle(connect.request).replies[0] as Uint8Array)).toBe(hex(connect.reply));
    const setup = exchange('setup-communication.hex', 0);
    expect(hex(s.handle(setup.request).replies[0] as Uint8Array)).toBe(hex(setup.reply));
    expect(s.pduLength).toBe(480);
  });

  it('grants min(requested, own) PDU and AmQ', () => {
    const c = cpu(240);
    const s = new S7SimSession(c);
    s.handle(exchange('cotp-connect.hex', 0).request);
    const ask = encodeS7Frame({
      rosctr: ROSCTR.job,
      pduRef: 1,
      param: encodeSetupCommunication({ maxAmqCalling: 20, maxAmqCalled: 3, pduLength: 960 }),
    });
    expect(hex(s.handle(ask).replies[0] as Uint8Array)).toBe(
      '03 00 00 1b 02 f0 80 32 03 00 00 00 01 00 08 00 00 00 00 f0 00 00 08 00 03 00 f0',
    );
    expect(s.pduLength).toBe(240);
  });

  it('Read Var: data, missing DB (0x0A) and range beyond the DB (0x05) in one reply', () => {
    const { send } = session();
    const { request, reply } = exchange('simulator-replies.hex', 0);
    expect(hex(send(request))).toBe(hex(reply));
  });

  it('Read Var of a bit, Write Var of bytes, a bit and a missing DB, and the read-back: the same bytes as Snap7', () => {
    const { send, c } = session();
    for (const [file, n] of [
      ['read-var.hex', 1],
      ['write-var.hex', 0],
      ['write-var.hex', 1],
    ] as const) {
      const { request, reply } = exchange(file, n);
      expect(hex(send(request))).toBe(hex(reply));
    }
    expect(Array.from(c.memory.area('DB', 1) as Uint8Array)).toEqual([0x11, 0x12, 0x13, 4, 5, 6, 7, 8, 9, 0x0b]);
    expect(c.counts).toMatchObject({ setupCommunication: 1, readVar: 2, writeVar: 1, total: 4 });
  });

  it('refuses a job whose reply would exceed the PDU with an Ack, error class 0x85 code 0x00', () => {
    const { send, c } = session(240);
    const { request, reply } = exchange('simulator-replies.hex', 1);
    expect(hex(send(request))).toBe(hex(reply));
    // One item of 222 bytes fits exactly (12 + 2 + 4 + 222 = 240); 223 does not.
    const fits = decodeS7Frame(
      send(encodeS7Frame({ rosctr: ROSCTR.job, pduRef: 2, param: encodeReadVarRequest([byteRangeItem(0x84, 2, 0, 222)]) })),
    );
    expect(fits.rosctr).toBe(ROSCTR.ackData);
    expect(decodeReadVarResponse(fits.param, fits.data)[0]?.data).toHaveLength(222);
    const over = decodeS7Frame(
      send(encodeS7Frame({ rosctr: ROSCTR.job, pduRef: 3, param: encodeReadVarRequest([byteRangeItem(0x84, 2, 0, 223)]) })),
    );
    expect(over).toMatchObject({ rosctr: ROSCTR.ack, pduRef: 3, errorClass: 0x85, errorCode: 0x00 });
    expect(c.counts.readVar).toBe(3);
  });

  it('refuses a request longer than the PDU (20 items at PDU 240: 10 + 2 + 240 bytes) the same way', () => {
    const { send } = session(240);
    const items = Array.from({ length: 20 }, (_, i) => byteRangeItem(0x84, 1, i % 10, 1));
    expect(decodeS7Frame(send(encodeS7Frame({ rosctr: ROSCTR.job, pduRef: 4, param: encodeReadVarRequest(items) })))).toMatchObject({
      rosctr: ROSCTR.ack,
      errorClass: 0x85,
      errorCode: 0,
    });
    const nineteen = decodeS7Frame(send(encodeS7Frame({ rosctr: ROSCTR.job, pduRef: 5, param: encodeReadVarRequest(items.slice(0, 19)) })));
    expect(decodeReadVarResponse(nineteen.param, nineteen.data)).toHaveLength(19);
  });

  it('answers a job function it does not serve with Ack 0x81/0x04, and an unknown SZL with userdata error 0xD401', () => {
    const { send, c } = session();
    for (const n of [2, 3]) {
      const { request, reply } = exchange('simulator-replies.hex', n);
      expect(hex(send(request))).toBe(hex(reply));
    }
    expect(c.counts).toMatchObject({ other: 1, readSzl: 1 });
  });

  it('serves SZL 0x0011 in one data unit with the response parameter layout', () => {
    const { send } = session();
    const reply = send(frameS7Pdu(encodeReadSzlRequest(7, { kind: 'first', sequence: 0, szlId: 0x0011, index: 0 })));
    const pdu = decodeS7Frame(reply);
    expect(hex(pdu.param)).toBe('00 01 12 08 12 84 01 00 00 00 00 00');
    expect(hex(pdu.data.subarray(0, 12))).toBe('ff 09 00 5c 00 11 00 00 00 1c 00 03'); // 92 bytes: header + 3 records of 28
    const records = decodeModuleIdentification(decodeSzlList(decodeReadSzlResponse(pdu).payload));
    expect(records.map((r) => [r.index, r.orderNumber, r.version])).toEqual([
      [1, 'BASELINE-S7-SIM', null],
      [6, 'BASELINE-S7-SIM', null],
      [7, '', 'V1.0.0'],
    ]);
  });

  it('splits SZL 0x001C into data units at PDU 240 and hands out the rest on follow-ups quoting the sequence number', () => {
    const { send, c } = session(240);
    const first = decodeS7Frame(send(frameS7Pdu(encodeReadSzlRequest(8, { kind: 'first', sequence: 0, szlId: 0x001c, index: 0 }))));
    expect(hex(first.param)).toBe('00 01 12 08 12 84 01 01 00 01 00 00'); // sequence 1, more data units follow
    expect(10 + first.param.length + first.data.length).toBe(240);
    const firstUnit = decodeReadSzlResponse(first);
    expect(firstUnit).toMatchObject({ sequence: 1, last: false, errorCode: 0 });
    const next = decodeS7Frame(send(frameS7Pdu(encodeReadSzlRequest(9, { kind: 'follow-up', sequence: 1, dataUnitRef: 0 }))));
    expect(hex(next.param)).toBe('00 01 12 08 12 84 01 01 00 00 00 00'); // last data unit
    const lastUnit = decodeReadSzlResponse(next);
    const list = decodeSzlList(Uint8Array.from([...firstUnit.payload, ...lastUnit.payload]));
    expect(list).toMatchObject({ szlId: 0x001c, recordLength: 34, declaredCount: 10 });
    expect(list.records).toHaveLength(10);
    expect(identityFromSzl([], decodeComponentIdentification(list))).toEqual({
      plcName: 'BASELINE-SIM',
      moduleName: 'Baseline simulated CPU',
      serialNumber: 'SIM-00000001',
      moduleTypeName: 'Baseline S7 simulator',
    });
    // The list is done: a further follow-up is refused.
    const again = decodeReadSzlResponse(
      decodeS7Frame(send(frameS7Pdu(encodeReadSzlRequest(10, { kind: 'follow-up', sequence: 1, dataUnitRef: 0 })))),
    );
    expect(again).toMatchObject({ errorCode: 0xd401, returnCode: 0x0a });
    expect(c.counts.readSzl).toBe(3);
  });

  it('serves one record by index (SZL 0x011C index 5: the serial number)', () => {
    const { send } = session();
    const res = decodeReadSzlResponse(
      decodeS7Frame(send(frameS7Pdu(encodeReadSzlRequest(11, { kind: 'first', sequence: 0, szlId: 0x011c, index: 5 })))),
    );
    const records = decodeComponentIdentification(decodeSzlList(res.payload));
    expect(records.map((r) => [r.index, r.text])).toEqual([[5, 'SIM-00000001']]);
  });

  it('closes the connection on data before the connect, on a disconnect request and on a frame that does not decode', () => {
    const before = new S7SimSession(cpu(480));
    expect(before.handle(SETUP_480)).toEqual({ replies: [], close: true });
    const { s } = session();
    expect(s.handle(bytes('03 00 00 0b 06 80 00 01 00 01 00'))).toEqual({ replies: [], close: true }); // COTP DR
    const { s: s2 } = session();
    expect(s2.handle(bytes('03 00 00 0a 02 f0 80 33 01 00'))).toEqual({ replies: [], close: true }); // protocol id 0x33
  });
});

describe('simulated S7 memory', () => {
  const memory = () =>
    new S7Memory({
      dbs: { 3: Uint8Array.of(0b0000_0100, 0xff) },
      m: new Uint8Array(4),
      i: Uint8Array.of(0x81, 0x00),
      q: new Uint8Array(2),
    });

  it('reads I, Q, M and DB bytes and bits, and refuses what does not exist or is out of range', () => {
    const m = memory();
    expect(m.read(byteRangeItem(0x81, 0, 0, 2))).toEqual({ returnCode: 0xff, transportSize: 0x04, data: Uint8Array.of(0x81, 0) });
    expect(m.read(bitItem(0x84, 3, 0, 2))).toEqual({ returnCode: 0xff, transportSize: 0x03, data: Uint8Array.of(1) });
    expect(m.read(bitItem(0x84, 3, 0, 1)).data).toEqual(Uint8Array.of(0));
    expect(m.read(byteRangeItem(0x84, 4, 0, 1)).returnCode).toBe(0x0a); // no DB4
    expect(m.read(byteRangeItem(0x1c, 0, 0, 1)).returnCode).toBe(0x0a); // counters are not simulated
    expect(m.read(byteRangeItem(0x83, 0, 3, 2)).returnCode).toBe(0x05); // M3..M4 of a 4-byte area
    expect(m.read(bitItem(0x82, 0, 2, 0)).returnCode).toBe(0x05);
    expect(m.read({ transportSize: 0x02, count: 1, db: 0, area: 0x83, bitAddress: 3 }).returnCode).toBe(0x05); // bytes must start on a byte
    expect(m.read({ transportSize: 0x1d, count: 1, db: 0, area: 0x83, bitAddress: 0 }).returnCode).toBe(0x06);
    expect(m.read({ transportSize: 0x04, count: 2, db: 0, area: 0x83, bitAddress: 0 }).data).toHaveLength(4); // 2 WORDs
  });

  it('writes bytes and single bits in place, and refuses data that does not match the item', () => {
    const m = memory();
    expect(m.write(byteRangeItem(0x83, 0, 1, 2), { returnCode: 0, transportSize: 0x04, data: Uint8Array.of(0xbe, 0xef) })).toBe(0xff);
    expect(m.write(bitItem(0x84, 3, 1, 0), { returnCode: 0, transportSize: 0x03, data: Uint8Array.of(0) })).toBe(0xff);
    expect(m.write(bitItem(0x82, 0, 1, 7), { returnCode: 0, transportSize: 0x03, data: Uint8Array.of(1) })).toBe(0xff);
    expect(Array.from(m.area('M') as Uint8Array)).toEqual([0, 0xbe, 0xef, 0]);
    expect(Array.from(m.area('DB', 3) as Uint8Array)).toEqual([0b0000_0100, 0xfe]);
    expect(Array.from(m.area('Q') as Uint8Array)).toEqual([0, 0x80]);
    expect(m.write(byteRangeItem(0x83, 0, 0, 2), { returnCode: 0, transportSize: 0x04, data: Uint8Array.of(1) })).toBe(0x07);
    expect(m.write(bitItem(0x83, 0, 0, 0), { returnCode: 0, transportSize: 0x04, data: Uint8Array.of(1) })).toBe(0x07);
    expect(m.write(byteRangeItem(0x84, 9, 0, 1), { returnCode: 0, transportSize: 0x04, data: Uint8Array.of(1) })).toBe(0x0a);
    expect(m.area('DB', 9)).toBeUndefined();
  });
});
