/** The CIP layer of the simulated controller: fragmentation, writes, structures, objects, connections, budgets. */
import { describe, expect, it } from 'vitest';
import { fixtureController, unconnected } from './fixture-controller.ts';
import {
  decodeCipReply,
  encodeCipRequest,
  encodeMultipleService,
  type CipReply,
} from '../../../src-main/devices/simulator/logix/message-router.ts';
import { encodeEpath, logical, type EpathSegment } from '../../../src-main/devices/simulator/logix/epath.ts';
import { encodeForwardOpen, decodeForwardOpen } from '../../../src-main/devices/simulator/logix/connection-manager.ts';
import { encodeIdentityAttributes } from '../../../src-main/devices/simulator/logix/encapsulation.ts';
import {
  SessionConnections,
  type LogixController,
  type RequestContext,
} from '../../../src-main/devices/simulator/logix/logix-controller.ts';
import { decodeCipRequest } from '../../../src-main/devices/simulator/logix/message-router.ts';
import { loadExchange } from './hex-fixture.ts';

const sym = (name: string): EpathSegment => ({ kind: 'symbolic', name });
const u16 = (n: number) => {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(n, 0);
  return b;
};
const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n, 0);
  return b;
};

function call(
  c: LogixController,
  service: number,
  path: EpathSegment[],
  data: Buffer = Buffer.alloc(0),
  ctx: RequestContext = unconnected(),
): CipReply {
  return decodeCipReply(c.execute(encodeCipRequest({ service, path: encodeEpath(path), data }), ctx));
}

const PLANT = {
  udts: [
    {
      name: 'PointType',
      members: [
        { name: 'X', type: 'DINT' },
        { name: 'On', type: 'BOOL' },
        { name: 'Y', type: 'REAL' },
      ],
    },
  ],
  tags: [
    { name: 'Big', type: 'DINT', dims: 300, value: Array.from({ length: 300 }, (_, i) => i * 3) },
    { name: 'Point', type: 'PointType', value: { X: 5, On: true, Y: 2.5 } },
    { name: 'Msg', type: 'STRING', value: 'hi' },
    { name: 'Flags', type: 'DINT', value: 0 },
    { name: 'Wide', type: 'LINT', value: 1 },
    ...Array.from({ length: 60 }, (_, i) => ({ name: `Tag_${String(i).padStart(3, '0')}_With_A_Long_Name`, type: 'DINT', value: i })),
  ],
};

describe('LogixController', () => {
  it('answers a Read Tag too large for one reply with 0x06 and the first part, then serves Read Tag Fragmented to the end', () => {
    const c = fixtureController(PLANT);
    const first = call(c, 0x4c, [sym('Big')], u16(300));
    expect(first.generalStatus).toBe(0x06);
    expect(first.data.length).toBeLessThanOrEqual(504 - 4);
    const parts: Buffer[] = [];
    let offset = 0;
    for (let i = 0; i < 10; i++) {
      const r = call(c, 0x52, [sym('Big')], Buffer.concat([u16(300), u32(offset)]));
      expect(r.data.readUInt16LE(0)).toBe(0xc4);
      parts.push(r.data.subarray(2));
      offset += r.data.length - 2;
      if (r.generalStatus === 0) break;
      expect(r.generalStatus).toBe(0x06);
    }
    const all = Buffer.concat(parts);
    expect(all.length).toBe(1200);
    expect(all.readInt32LE(299 * 4)).toBe(897);
    expect(call(c, 0x52, [sym('Big')], Buffer.concat([u16(300), u32(1201)]))).toMatchObject({
      generalStatus: 0xff,
      extendedStatus: [0x2104],
    });
  });

  it('writes arrays with Write Tag Fragmented, and refuses fragments past the end', () => {
    const c = fixtureController(PLANT);
    const values = Buffer.alloc(8);
    values.writeInt32LE(-1, 0);
    values.writeInt32LE(-2, 4);
    expect(call(c, 0x53, [sym('Big')], Buffer.concat([u16(0xc4), u16(300), u32(1192), values])).generalStatus).toBe(0);
    expect(c.database.getValue('Big[298]')).toBe(-1);
    expect(c.database.getValue('Big[299]')).toBe(-2);
    expect(call(c, 0x53, [sym('Big')], Buffer.concat([u16(0xc4), u16(300), u32(1196), values]))).toMatchObject({
      generalStatus: 0xff,
      extendedStatus: [0x2105],
    });
  });

  it('reads and writes structures as 0x02A0 + handle, and BOOL members as BOOL', () => {
    const c = fixtureController(PLANT);
    const read = call(c, 0x4c, [sym('Point')], u16(1));
    const template = c.database.templates().find((t) => t.name === 'PointType');
    expect(read.data.subarray(0, 4).toString('hex')).toBe(`a002${u16(template?.handle ?? 0).toString('hex')}`);
    expect(read.data.length).toBe(4 + 12);
    const body = Buffer.from(read.data.subarray(4));
    body.writeInt32LE(77, 0);
    const header = Buffer.concat([u16(0x02a0), u16(template?.handle ?? 0), u16(1)]);
    expect(call(c, 0x4d, [sym('Point')], Buffer.concat([header, body])).generalStatus).toBe(0);
    expect(c.database.getValue('Point')).toEqual({ X: 77, On: true, Y: 2.5 });
    const wrongHandle = Buffer.concat([u16(0x02a0), u16((template?.handle ?? 0) ^ 1), u16(1), body]);
    expect(call(c, 0x4d, [sym('Point')], wrongHandle)).toMatchObject({ generalStatus: 0xff, extendedStatus: [0x2107] });
    expect(call(c, 0x4c, [sym('Point'), sym('On')], u16(1)).data.toString('hex')).toBe('c10001');
    expect(call(c, 0x4d, [sym('Point'), sym('On')], Buffer.from('c1000100' + '00', 'hex')).generalStatus).toBe(0);
    expect(c.database.getValue('Point.On')).toBe(false);
    expect(c.database.getValue('Point.X')).toBe(77);
  });

  it("applies Read-Modify-Write masks ((value | OR) & AND) on integers of the masks' size", () => {
    const c = fixtureController(PLANT);
    expect(call(c, 0x4e, [sym('Flags')], Buffer.from('0400' + '08000000' + 'ffffffff', 'hex')).generalStatus).toBe(0);
    expect(c.database.getValue('Flags')).toBe(8);
    expect(call(c, 0x4e, [sym('Flags')], Buffer.from('0400' + '00000000' + 'f7ffffff', 'hex')).generalStatus).toBe(0);
    expect(c.database.getValue('Flags')).toBe(0);
    expect(call(c, 0x4e, [sym('Flags')], Buffer.from('0200' + '0100' + 'ffff', 'hex'))).toMatchObject({
      generalStatus: 0xff,
      extendedStatus: [0x2107],
    });
    expect(call(c, 0x4e, [sym('Flags')], Buffer.from('0400' + '0100', 'hex')).generalStatus).toBe(0x13);
  });

  it('serves the Identity object: Get Attribute All, Single and List', () => {
    const c = fixtureController();
    const id = [logical('class', 1), logical('instance', 1)];
    expect(call(c, 0x01, id).data.toString('hex')).toBe(encodeIdentityAttributes(c.identity).toString('hex'));
    expect(call(c, 0x0e, [...id, logical('attribute', 7)]).data.toString('latin1')).toBe('\x0b1756-L83E/B');
    expect(call(c, 0x0e, [...id, logical('attribute', 99)]).generalStatus).toBe(0x14);
    const list = call(c, 0x03, id, Buffer.from('0200' + '0100' + '6300', 'hex'));
    expect(list.generalStatus).toBe(0x0a);
    expect(list.data.toString('hex')).toBe('0200' + '01000000' + '0100' + '6300' + '1400');
    expect(call(c, 0x01, [logical('class', 1), logical('instance', 2)]).generalStatus).toBe(0x05);
    expect(call(c, 0x10, [...id, logical('attribute', 7)]).generalStatus).toBe(0x08);
  });

  it('keeps a wall clock (class 0x8B): local DINT[7] on attribute 5, UTC microseconds on 11, settable', () => {
    let now = new Date(2025, 5, 15, 8, 30, 0, 250).getTime();
    const c = fixtureController(undefined, () => now);
    const clock = [logical('class', 0x8b), logical('instance', 1)];
    const parts = (b: Buffer) => [0, 1, 2, 3, 4, 5, 6].map((i) => b.readInt32LE(i * 4));
    expect(parts(call(c, 0x0e, [...clock, logical('attribute', 5)]).data)).toEqual([2025, 6, 15, 8, 30, 0, 250000]);
    const set = Buffer.concat([2030, 1, 2, 3, 4, 5, 6000].map((v) => u32(v)));
    expect(call(c, 0x10, [...clock, logical('attribute', 5)], set).generalStatus).toBe(0);
    now += 1000;
    expect(parts(call(c, 0x0e, [...clock, logical('attribute', 5)]).data)).toEqual([2030, 1, 2, 3, 4, 6, 6000]);
    const utc = call(c, 0x0e, [...clock, logical('attribute', 11)]).data.readBigInt64LE(0);
    expect(utc).toBe(BigInt(new Date(2030, 0, 2, 3, 4, 6, 6).getTime()) * 1000n);
    expect(call(c, 0x10, [...clock, logical('attribute', 1)], u32(0)).generalStatus).toBe(0x0e);
  });

  it('opens class 3 connections with Forward Open and Large Forward Open, refuses bad ones, closes them', () => {
    const c = fixtureController();
    const ctx = unconnected();
    const base = decodeForwardOpen(decodeCipRequest(loadExchange('forward-open.hex').request).data, false);
    const cm = [logical('class', 6), logical('instance', 1)];
    expect(call(c, 0x54, cm, encodeForwardOpen(base), ctx).generalStatus).toBe(0);
    expect(call(c, 0x54, cm, encodeForwardOpen(base), ctx)).toMatchObject({ generalStatus: 0x01, extendedStatus: [0x0100] });
    const big = { size: 4000, variable: true, priority: 0, type: 2, redundantOwner: false };
    const large = { ...base, large: true, connectionSerial: 0x43, otParameters: big, toParameters: big };
    const reply = call(c, 0x5b, cm, encodeForwardOpen(large), ctx);
    expect(reply.generalStatus).toBe(0);
    const conn = ctx.connections.byId.get(reply.data.readUInt32LE(0));
    expect(conn).toMatchObject({ toConnectionId: 0x11223344, toSize: 4000, connectionSerial: 0x43 });
    expect(call(c, 0x54, cm, encodeForwardOpen({ ...base, connectionSerial: 1, transportTrigger: 0xa1 }), ctx)).toMatchObject({
      generalStatus: 1,
      extendedStatus: [0x0103],
    });
    expect(
      call(c, 0x54, cm, encodeForwardOpen({ ...base, connectionSerial: 2, path: Buffer.from('010220022401', 'hex') }), ctx),
    ).toMatchObject({ generalStatus: 1, extendedStatus: [0x0312] });
    expect(
      call(c, 0x54, cm, encodeForwardOpen({ ...base, connectionSerial: 3, path: Buffer.from('010020012401', 'hex') }), ctx),
    ).toMatchObject({ generalStatus: 1, extendedStatus: [0x0315] });
    const close = Buffer.concat([Buffer.from('037d', 'hex'), u16(0x42), u16(0x3333), u32(0x1337), Buffer.from('0300010020022401', 'hex')]);
    expect(call(c, 0x4e, cm, close, ctx).generalStatus).toBe(0);
    expect(ctx.connections.byId.size).toBe(1);
    expect(call(c, 0x4e, cm, close, ctx)).toMatchObject({ generalStatus: 1, extendedStatus: [0x0107] });
  });

  it('fits a connected reply to the connection size: a 1200-byte array in one reply over a 4000-byte connection', () => {
    const c = fixtureController(PLANT);
    const ctx: RequestContext = { connected: true, maxReply: 3998, connections: new SessionConnections(() => 1) };
    const r = call(c, 0x4c, [sym('Big')], u16(300), ctx);
    expect(r.generalStatus).toBe(0);
    expect(r.data.length).toBe(2 + 1200);
  });

  it('answers every service of a Multiple Service Packet within the reply size, partial ones with 0x06 inside 0x1E', () => {
    const c = fixtureController(PLANT);
    const read = (name: string, n: number) => encodeCipRequest({ service: 0x4c, path: encodeEpath([sym(name)]), data: u16(n) });
    const before = c.services;
    const reply = call(
      c,
      0x0a,
      [logical('class', 2), logical('instance', 1)],
      encodeMultipleService([read('Flags', 1), read('Big', 300), read('Msg', 1)]),
    );
    expect(c.services - before).toBe(3);
    expect(reply.generalStatus).toBe(0x1e);
    const count = reply.data.readUInt16LE(0);
    const offsets = Array.from({ length: count }, (_, i) => reply.data.readUInt16LE(2 + i * 2));
    const inner = offsets.map((o, i) => decodeCipReply(reply.data.subarray(o, offsets[i + 1] ?? reply.data.length)));
    expect(inner.map((r) => r.generalStatus)).toEqual([0x00, 0x06, 0x06]);
    expect(4 + reply.data.length).toBeLessThanOrEqual(504);
    const nested = call(
      c,
      0x0a,
      [logical('class', 2), logical('instance', 1)],
      encodeMultipleService([
        encodeCipRequest({
          service: 0x0a,
          path: encodeEpath([logical('class', 2), logical('instance', 1)]),
          data: Buffer.from('0000', 'hex'),
        }),
      ]),
    );
    expect(nested.generalStatus).toBe(0x1e);
  });

  it('pages the tag-list browse with 0x06 when more symbols remain than fit', () => {
    const c = fixtureController(PLANT);
    const names: string[] = [];
    let start = 0;
    for (let page = 0; page < 10; page++) {
      const r = call(c, 0x55, [logical('class', 0x6b), logical('instance', start)], Buffer.from('020001000200', 'hex'));
      let p = 0;
      let last = 0;
      while (p < r.data.length) {
        last = r.data.readUInt32LE(p);
        const len = r.data.readUInt16LE(p + 4);
        names.push(r.data.toString('latin1', p + 6, p + 6 + len));
        p += 6 + len + 2;
      }
      if (r.generalStatus === 0) break;
      expect(r.generalStatus).toBe(0x06);
      start = last + 1;
    }
    expect(names).toHaveLength(65);
    expect(new Set(names).size).toBe(65);
    expect(call(c, 0x55, [logical('class', 0x6b), logical('instance', 0)], Buffer.from('01000900', 'hex')).generalStatus).toBe(0x14);
  });

  it('pages a template definition with 0x06 when the reply is too small for it', () => {
    const c = fixtureController(PLANT);
    const id = c.database.templates().find((t) => t.name === 'PointType')?.instanceId ?? 0;
    const path = [logical('class', 0x6c), logical('instance', id)];
    const small = unconnected(4 + 16);
    const first = call(c, 0x4c, path, Buffer.concat([u32(0), u16(200)]), small);
    expect(first).toMatchObject({ generalStatus: 0x06 });
    expect(first.data.length).toBe(16);
    expect(call(c, 0x4c, [logical('class', 0x6c), logical('instance', 0x999)], Buffer.concat([u32(0), u16(8)])).generalStatus).toBe(0x05);
    expect(call(c, 0x01, path).generalStatus).toBe(0x08);
  });

  it('counts tag services, not the Unconnected Send that carries them', () => {
    const c = fixtureController();
    const before = c.services;
    const { request } = loadExchange('unconnected-read-tag.hex');
    c.execute(request.subarray(40), unconnected());
    expect(c.services - before).toBe(1);
  });
});
