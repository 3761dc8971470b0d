import { describe, expect, it } from 'vitest';
import { decodeIsoFrame } from '../../../src-main/devices/s7/s7comm/iso-on-tcp.ts';
import {
  ROSCTR,
  S7_FUNCTIONS,
  bitItem,
  byteRangeItem,
  decodeReadSzlRequest,
  decodeReadSzlResponse,
  decodeReadVarRequest,
  decodeReadVarResponse,
  decodeS7Frame,
  decodeS7Pdu,
  decodeSetupCommunication,
  decodeUserdataParam,
  decodeWriteVarRequest,
  decodeWriteVarResponse,
  describeReturnCode,
  describeS7Error,
  encodeReadSzlRequest,
  encodeReadSzlResponse,
  encodeReadVarRequest,
  encodeReadVarResponse,
  encodeS7Frame,
  encodeS7Pdu,
  encodeSetupCommunication,
  encodeWriteVarRequest,
  encodeWriteVarResponse,
  frameS7Pdu,
  itemByteLength,
  type S7Pdu,
} from '../../../src-main/devices/s7/s7comm/s7-frames.ts';
import {
  decodeComponentIdentification,
  decodeModuleIdentification,
  decodeSzlList,
} from '../../../src-main/devices/s7/s7comm/szl-records.ts';
import { BaselineError } from '../../../src-shared/common/errors.ts';
import { bytes, exchange, hex, loadExchanges } from './hex-fixture.ts';

function refusal(fn: () => unknown): BaselineError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(BaselineError);
    return err as BaselineError;
  }
  throw new Error('expected a refusal');
}

/** The S7 PDU bytes inside a fixture frame (TPKT 4 + COTP DT 3). */
function s7Bytes(frame: Uint8Array): Uint8Array {
  return frame.subarray(7);
}

describe('S7 header and Setup Communication (0xF0)', () => {
  it('decodes and re-encodes the Setup Communication exchange with Snap7 byte for byte', () => {
    const { request, reply } = exchange('setup-communication.hex', 0);
    const job = decodeS7Frame(request);
    expect(job).toMatchObject({ rosctr: ROSCTR.job, pduRef: 1, errorClass: 0, errorCode: 0 });
    expect(decodeSetupCommunication(job.param)).toEqual({ maxAmqCalling: 1, maxAmqCalled: 1, pduLength: 480 });
    const ack = decodeS7Frame(reply);
    expect(ack).toMatchObject({ rosctr: ROSCTR.ackData, pduRef: 1, errorClass: 0, errorCode: 0, data: new Uint8Array(0) });
    expect(decodeSetupCommunication(ack.param)).toEqual({ maxAmqCalling: 1, maxAmqCalled: 1, pduLength: 480 });
    expect(
      hex(
        encodeS7Frame({
          rosctr: ROSCTR.job,
          pduRef: 1,
          param: encodeSetupCommunication({ maxAmqCalling: 1, maxAmqCalled: 1, pduLength: 480 }),
        }),
      ),
    ).toBe(hex(request));
    expect(
      hex(
        encodeS7Frame({
          rosctr: ROSCTR.ackData,
          pduRef: 1,
          param: encodeSetupCommunication({ maxAmqCalling: 1, maxAmqCalled: 1, pduLength: 480 }),
        }),
      ),
    ).toBe(hex(reply));
  });

  it('encodes the 12-byte header with error class and code for ack and ack-data, 10 bytes otherwise', () => {
    expect(hex(encodeS7Pdu({ rosctr: ROSCTR.ack, pduRef: 0x0a0b, errorClass: 0x85, errorCode: 0x00 }))).toBe(
      '32 02 00 00 0a 0b 00 00 00 00 85 00',
    );
    expect(hex(encodeS7Pdu({ rosctr: ROSCTR.job, pduRef: 2, param: Uint8Array.of(0x29, 0) }))).toBe('32 01 00 00 00 02 00 02 00 00 29 00');
    expect(describeS7Error(0x8500)).toMatch(/wrong frames .*\(0x8500\)/);
    expect(describeS7Error(0x8104)).toMatch(/not implemented/);
    expect(describeS7Error(0x8702)).toBe('access error (0x8702)');
    expect(describeReturnCode(0x0a)).toBe('object does not exist (0x0A)');
    expect(describeReturnCode(0x05)).toBe('address out of range (0x05)');
  });

  it('refuses a wrong protocol id, an unknown PDU type and lengths that disagree with the bytes', () => {
    const { request } = exchange('setup-communication.hex', 0);
    const pdu = Uint8Array.from(s7Bytes(request));
    pdu[0] = 0x33;
    const wrongId = refusal(() => decodeS7Pdu(pdu));
    expect(wrongId.code).toBe('s7-frame-malformed');
    expect(wrongId.message).toMatch(/S7 header: protocol id 0x33, expected 0x32/);
    pdu[0] = 0x32;
    pdu[1] = 0x05;
    expect(refusal(() => decodeS7Pdu(pdu)).message).toMatch(/ROSCTR\) 0x5 is not job/);
    expect(refusal(() => decodeS7Pdu(s7Bytes(request).subarray(0, 14))).message).toMatch(
      /announces 8 parameter and 0 data bytes, 4 follow/,
    );
    expect(refusal(() => decodeS7Pdu(s7Bytes(request).subarray(0, 7))).message).toMatch(/ends before the parameter length/);
    expect(refusal(() => decodeSetupCommunication(Uint8Array.of(0x04, 0, 0, 1))).message).toMatch(/function 0x4, expected 0xF0/);
    expect(refusal(() => decodeSetupCommunication(Uint8Array.of(0xf0, 0, 0, 1))).message).toMatch(/ends before max AmQ called/);
  });

  it('decodeS7Frame refuses a connect TPDU and a fragment in place of a whole S7 PDU', () => {
    expect(refusal(() => decodeS7Frame(exchange('cotp-connect.hex', 0).request)).message).toMatch(/expected a data TPDU \(DT\).*got CR/);
    expect(refusal(() => decodeS7Frame(bytes('03 00 00 09 02 f0 00 32 01'))).message).toMatch(/EOT not set/);
  });
});

describe('Read Var (0x04) and Write Var (0x05) with S7ANY items', () => {
  it('decodes the three-item request and re-encodes it byte for byte', () => {
    const { request } = exchange('read-var.hex', 0);
    const job = decodeS7Frame(request);
    expect(job).toMatchObject({ rosctr: ROSCTR.job, pduRef: 0x0500 });
    const specs = decodeReadVarRequest(job.param);
    expect(specs).toEqual([
      { syntax: 'S7ANY', item: { transportSize: 0x02, count: 3, db: 1, area: 0x84, bitAddress: 0 } },
      { syntax: 'S7ANY', item: { transportSize: 0x02, count: 2, db: 9, area: 0x84, bitAddress: 0 } },
      { syntax: 'S7ANY', item: { transportSize: 0x02, count: 4, db: 1, area: 0x84, bitAddress: 0x40 } },
    ]);
    const items = [byteRangeItem(0x84, 1, 0, 3), byteRangeItem(0x84, 9, 0, 2), byteRangeItem(0x84, 1, 8, 4)];
    expect(hex(encodeS7Frame({ rosctr: ROSCTR.job, pduRef: 0x0500, param: encodeReadVarRequest(items) }))).toBe(hex(request));
  });

  it("decodes Snap7's reply: data with a fill byte, then two failed items without data", () => {
    const { reply } = exchange('read-var.hex', 0);
    const ack = decodeS7Frame(reply);
    expect(decodeReadVarResponse(ack.param, ack.data)).toEqual([
      { returnCode: 0xff, transportSize: 0x04, data: Uint8Array.of(1, 2, 3) },
      { returnCode: 0x0a, transportSize: 0x00, data: new Uint8Array(0) },
      { returnCode: 0x05, transportSize: 0x00, data: new Uint8Array(0) },
    ]);
    // Our encoding of the same items: fill byte 0, failed items with length 0 (simulator-replies.hex, exchange 1).
    const ours = encodeReadVarResponse(decodeReadVarResponse(ack.param, ack.data));
    expect(hex(encodeS7Frame({ rosctr: ROSCTR.ackData, pduRef: 0x0500, ...ours }))).toBe(hex(exchange('simulator-replies.hex', 0).reply));
  });

  it('decodes and re-encodes a bit read (transport size BIT, data length in bits)', () => {
    const { request, reply } = exchange('read-var.hex', 1);
    const specs = decodeReadVarRequest(decodeS7Frame(request).param);
    expect(specs).toEqual([{ syntax: 'S7ANY', item: bitItem(0x84, 1, 1, 1) }]);
    const ack = decodeS7Frame(reply);
    const items = decodeReadVarResponse(ack.param, ack.data);
    expect(items).toEqual([{ returnCode: 0xff, transportSize: 0x03, data: Uint8Array.of(1) }]);
    expect(hex(encodeS7Frame({ rosctr: ROSCTR.ackData, pduRef: 0x0600, ...encodeReadVarResponse(items) }))).toBe(hex(reply));
    expect(itemByteLength(bitItem(0x84, 1, 1, 1))).toBe(1);
  });

  it('decodes and re-encodes the three-item write and its reply byte for byte', () => {
    const { request, reply } = exchange('write-var.hex', 0);
    const job = decodeS7Frame(request);
    const writes = decodeWriteVarRequest(job.param, job.data);
    expect(writes).toEqual([
      {
        spec: { syntax: 'S7ANY', item: byteRangeItem(0x84, 1, 0, 3) },
        value: { returnCode: 0, transportSize: 0x04, data: Uint8Array.of(0x11, 0x12, 0x13) },
      },
      { spec: { syntax: 'S7ANY', item: bitItem(0x84, 1, 9, 0) }, value: { returnCode: 0, transportSize: 0x03, data: Uint8Array.of(1) } },
      {
        spec: { syntax: 'S7ANY', item: byteRangeItem(0x84, 9, 0, 1) },
        value: { returnCode: 0, transportSize: 0x04, data: Uint8Array.of(0xff) },
      },
    ]);
    const encoded = encodeWriteVarRequest(
      writes.map((w) => ({
        item: (w.spec as { item: ReturnType<typeof bitItem> }).item,
        transportSize: w.value.transportSize,
        data: w.value.data,
      })),
    );
    expect(hex(encodeS7Frame({ rosctr: ROSCTR.job, pduRef: 0x0700, ...encoded }))).toBe(hex(request));
    const ack = decodeS7Frame(reply);
    expect(decodeWriteVarResponse(ack.param, ack.data)).toEqual([0xff, 0xff, 0x0a]);
    expect(hex(encodeS7Frame({ rosctr: ROSCTR.ackData, pduRef: 0x0700, ...encodeWriteVarResponse([0xff, 0xff, 0x0a]) }))).toBe(hex(reply));
  });

  it('keeps variable specifications of other syntaxes as "other" instead of misreading them', () => {
    const param = bytes('04 02 12 0a 10 02 00 01 00 01 84 00 00 00 12 06 b2 01 02 03 04 05');
    expect(decodeReadVarRequest(param)).toEqual([
      { syntax: 'S7ANY', item: byteRangeItem(0x84, 1, 0, 1) },
      { syntax: 'other', syntaxId: 0xb2 },
    ]);
  });

  it('refuses a truncated item: cut item data in a reply, a cut address in a request, a missing return code', () => {
    const ack = decodeS7Frame(exchange('read-var.hex', 0).reply);
    const cut = refusal(() => decodeReadVarResponse(ack.param, ack.data.subarray(0, 6)));
    expect(cut.code).toBe('s7-frame-malformed');
    expect(cut.message).toMatch(/Read Var reply data: the frame ends before the 3 data bytes of item 1 of 3/);
    expect(refusal(() => decodeReadVarResponse(ack.param, ack.data.subarray(0, 8))).message).toMatch(
      /before the return code of item 2 of 3/,
    );
    const job = decodeS7Frame(exchange('read-var.hex', 0).request);
    expect(refusal(() => decodeReadVarRequest(job.param.subarray(0, 20))).message).toMatch(/before the address of item 2 of 3/);
    expect(refusal(() => decodeReadVarRequest(bytes('04 01 11 0a 10'))).message).toMatch(/item 1 of 1 starts with 0x11, expected 0x12/);
    expect(refusal(() => decodeReadVarRequest(bytes('04 01 12 0a 10 02 00 01 00 01 84 00 00 00 ff'))).message).toMatch(
      /1 bytes follow the last item address/,
    );
    expect(refusal(() => decodeReadVarResponse(bytes('05 01'), new Uint8Array(0))).message).toMatch(/function 0x5, expected 0x4/);
    const wack = decodeS7Frame(exchange('write-var.hex', 0).reply);
    expect(refusal(() => decodeWriteVarResponse(wack.param, wack.data.subarray(0, 2))).message).toMatch(/return code of item 3 of 3/);
  });
});

describe('Userdata Read SZL (group 4, subfunction 0x01)', () => {
  it('encodes the first request byte for byte as sent to Snap7, and decodes it', () => {
    const { request } = exchange('read-szl.hex', 0);
    expect(hex(frameS7Pdu(encodeReadSzlRequest(0x0200, { kind: 'first', sequence: 0, szlId: 0x0011, index: 0 })))).toBe(hex(request));
    expect(decodeReadSzlRequest(decodeS7Frame(request))).toEqual({ kind: 'first', sequence: 0, szlId: 0x0011, index: 0 });
    expect(decodeUserdataParam(decodeS7Frame(request).param)).toEqual({ method: 0x11, type: 4, group: 4, subfunction: 1, sequence: 0 });
  });

  it("encodes the follow-up request exactly as Snap7's S7Client sends it (captured against our simulator)", () => {
    // Snap7's S7Client asking for the next data unit of a list whose first unit carried sequence number 0x37.
    const snap7FollowUp = '03 00 00 21 02 f0 80 32 07 00 00 03 00 00 0c 00 04 00 01 12 08 12 44 01 37 00 00 00 00 0a 00 00 00';
    expect(hex(frameS7Pdu(encodeReadSzlRequest(0x0300, { kind: 'follow-up', sequence: 0x37, dataUnitRef: 0 })))).toBe(snap7FollowUp);
    expect(decodeReadSzlRequest(decodeS7Frame(bytes(snap7FollowUp)))).toEqual({ kind: 'follow-up', sequence: 0x37, dataUnitRef: 0 });
  });

  it("decodes Snap7's SZL 0x0011 and 0x001C responses and re-encodes them byte for byte", () => {
    for (const n of [0, 1]) {
      const { reply } = exchange('read-szl.hex', n);
      const pdu = decodeS7Frame(reply);
      const res = decodeReadSzlResponse(pdu);
      expect(res).toMatchObject({ sequence: 0, dataUnitRef: 0, last: true, errorCode: 0, returnCode: 0xff });
      expect(hex(frameS7Pdu(encodeReadSzlResponse(pdu.pduRef, res)))).toBe(hex(reply));
    }
    const list = decodeSzlList(decodeReadSzlResponse(decodeS7Frame(exchange('read-szl.hex', 0).reply)).payload);
    expect(list).toMatchObject({ szlId: 0x0011, index: 0, recordLength: 28, declaredCount: 4 });
    expect(decodeModuleIdentification(list).map((r) => r.index)).toEqual([0x0001, 0x0006, 0x0007, 0x0081]);
    const components = decodeSzlList(decodeReadSzlResponse(decodeS7Frame(exchange('read-szl.hex', 1).reply)).payload);
    expect(decodeComponentIdentification(components)).toHaveLength(10);
  });

  it('decodes the refusal of an unknown SZL (error 0xD402, return code 0x0A) and re-encodes it', () => {
    const { reply } = exchange('read-szl.hex', 2);
    const pdu = decodeS7Frame(reply);
    const res = decodeReadSzlResponse(pdu);
    expect(res).toEqual({ sequence: 0, dataUnitRef: 0, last: true, errorCode: 0xd402, returnCode: 0x0a, payload: new Uint8Array(0) });
    expect(hex(frameS7Pdu(encodeReadSzlResponse(pdu.pduRef, res)))).toBe(hex(reply));
    expect(describeS7Error(0xd402)).toMatch(/information function unavailable/);
  });

  it('refuses a userdata parameter with a wrong head or length, and a response of another function', () => {
    expect(refusal(() => decodeUserdataParam(bytes('00 01 13 04 11 44 01 00'))).message).toMatch(/head 00 01 13, expected 00 01 12/);
    expect(refusal(() => decodeUserdataParam(bytes('00 01 12 06 11 44 01 00 00 00'))).message).toMatch(
      /parameter length 6, expected 4 or 8/,
    );
    expect(refusal(() => decodeUserdataParam(bytes('00 01 12 08 12 84 01 00'))).message).toMatch(/parameter length 8, but 4 bytes follow/);
    const other: S7Pdu = decodeS7Pdu(
      encodeS7Pdu({ rosctr: ROSCTR.userdata, pduRef: 1, param: bytes('00 01 12 08 12 87 01 00 00 00 00 00'), data: bytes('0a 00 00 00') }),
    );
    expect(refusal(() => decodeReadSzlResponse(other)).message).toMatch(/function group 7 subfunction 0x1 is not Read SZL/);
    const job: S7Pdu = decodeS7Pdu(encodeS7Pdu({ rosctr: ROSCTR.job, pduRef: 1, param: Uint8Array.of(S7_FUNCTIONS.readVar, 0) }));
    expect(refusal(() => decodeReadSzlResponse(job)).message).toMatch(/PDU type 0x1 is not userdata/);
  });
});

/** Decodes a frame all the way down, as a client or the simulator would. */
function decodeAll(frame: Uint8Array): void {
  const tpdu = decodeIsoFrame(frame);
  if (tpdu.type !== 'DT') return;
  decodeDeep(decodeS7Pdu(tpdu.data));
}

function decodeDeep(pdu: S7Pdu): void {
  if (pdu.rosctr === ROSCTR.userdata) {
    const p = decodeUserdataParam(pdu.param);
    if (p.type === 4) {
      decodeReadSzlRequest(pdu);
      return;
    }
    const res = decodeReadSzlResponse(pdu);
    if (res.payload.length > 0 && res.last) {
      const list = decodeSzlList(res.payload);
      if ((list.szlId & 0xff) === 0x11) decodeModuleIdentification(list);
      else decodeComponentIdentification(list);
    }
    return;
  }
  const fn = pdu.param[0];
  if (fn === S7_FUNCTIONS.setupCommunication) decodeSetupCommunication(pdu.param);
  else if (fn === S7_FUNCTIONS.readVar) {
    if (pdu.rosctr === ROSCTR.job) decodeReadVarRequest(pdu.param);
    else decodeReadVarResponse(pdu.param, pdu.data);
  } else if (fn === S7_FUNCTIONS.writeVar) {
    if (pdu.rosctr === ROSCTR.job) decodeWriteVarRequest(pdu.param, pdu.data);
    else decodeWriteVarResponse(pdu.param, pdu.data);
  }
}

function onlyBaselineErrors(fn: () => void): void {
  try {
    fn();
  } catch (err) {
    if (!(err instanceof BaselineError)) throw new Error(`not a BaselineError: ${String(err)}`, { cause: err });
    expect(err.code).toBe('s7-frame-malformed');
  }
}

describe('malformed frames never escape as RangeError', () => {
  const frames = [
    'cotp-connect.hex',
    'setup-communication.hex',
    'read-var.hex',
    'write-var.hex',
    'read-szl.hex',
    'read-szl-cut.hex',
    'simulator-replies.hex',
  ].flatMap((f) => loadExchanges(f).flatMap((e) => [e.request, e.reply]));

  it('every fixture frame decodes all the way down', () => {
    for (const f of frames) decodeAll(f);
  });

  it('every truncation of every fixture frame is refused with a BaselineError, also with the S7 lengths rewritten to match', () => {
    for (const f of frames) {
      for (let n = 0; n < f.length; n++) {
        expect(() => decodeAll(f.subarray(0, n))).toThrow(BaselineError);
      }
      if (f.length <= 7 || f[7] !== 0x32) continue;
      const pdu = decodeS7Pdu(f.subarray(7));
      const head = pdu.rosctr === ROSCTR.ack || pdu.rosctr === ROSCTR.ackData ? 12 : 10;
      for (let p = 0; p <= pdu.param.length; p++) {
        for (let d = 0; d <= pdu.data.length; d++) {
          if (p === pdu.param.length && d === pdu.data.length) continue;
          const cut = decodeS7Pdu(encodeS7Pdu({ ...pdu, param: pdu.param.subarray(0, p), data: pdu.data.subarray(0, d) }));
          expect(cut.param.length + cut.data.length + head).toBe(head + p + d);
          onlyBaselineErrors(() => decodeDeep(cut));
        }
      }
    }
  });

  it('random byte changes in fixture frames give a decoded frame or a BaselineError, nothing else', () => {
    let seed = 12345;
    const random = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x80000000;
    };
    for (let round = 0; round < 3000; round++) {
      const f = Uint8Array.from(frames[Math.floor(random() * frames.length)] as Uint8Array);
      const changes = 1 + Math.floor(random() * 3);
      for (let c = 0; c < changes; c++) f[Math.floor(random() * f.length)] = Math.floor(random() * 256);
      onlyBaselineErrors(() => decodeAll(f));
    }
  });
});
