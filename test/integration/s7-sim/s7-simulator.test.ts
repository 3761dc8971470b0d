import { connect } from 'node:net';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S7Connection } from '../../../src-main/devices/s7/s7-connection.ts';
import { encodeIsoFrame } from '../../../src-main/devices/s7/s7comm/iso-on-tcp.ts';
import {
  ROSCTR,
  byteRangeItem,
  decodeS7Frame,
  encodeReadVarRequest,
  encodeS7Frame,
  encodeSetupCommunication,
} from '../../../src-main/devices/s7/s7comm/s7-frames.ts';
import { readS7Identity } from '../../../src-main/devices/s7/s7comm/s7-identity.ts';
import { startFaultProxy } from '../../../src-main/devices/simulator/fault-proxy.ts';
import { startS7Simulator, type S7SimIdentity, type S7Simulator } from '../../../src-main/devices/simulator/s7/s7-simulator.ts';
import { BaselineError } from '../../../src-shared/common/errors.ts';

const require = createRequire(import.meta.url);

async function failure(p: Promise<unknown>): Promise<BaselineError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(BaselineError);
    return err as BaselineError;
  }
  throw new Error('expected a failure');
}

const IDENTITY: S7SimIdentity = {
  orderNumber: '6ES7 516-3AN01-0AB0',
  moduleTypeName: 'CPU 1516-3 PN/DP',
  serialNumber: 'S V-L9AB12345',
  plcName: 'LINE2-PLC',
  moduleName: 'Filler CPU',
  firmware: 'V2.9.4',
};

function plant(): { dbs: Record<number, Uint8Array>; m: Uint8Array; i: Uint8Array; q: Uint8Array } {
  const db1 = Buffer.alloc(400);
  db1.writeFloatBE(42.5, 0);
  db1.writeInt16BE(-7, 4);
  db1.writeInt32BE(-123456, 6);
  db1[10] = 0b0000_0101;
  db1.write('\u0014\u0005PUMP1', 20, 'latin1'); // S7 STRING[20] = 'PUMP1'
  const db7 = Buffer.alloc(16);
  db7.writeUInt32BE(0xdeadbeef, 12);
  const db20 = Buffer.alloc(1000);
  for (let i = 0; i < db20.length; i++) db20[i] = (i * 7) & 0xff;
  const m = Buffer.alloc(32);
  m.writeUInt16BE(0xbeef, 10);
  return {
    dbs: {
      1: new Uint8Array(db1.buffer, db1.byteOffset, db1.length),
      7: new Uint8Array(db7.buffer, db7.byteOffset, db7.length),
      20: new Uint8Array(db20.buffer, db20.byteOffset, db20.length),
    },
    m: new Uint8Array(m.buffer, m.byteOffset, m.length),
    i: Uint8Array.of(0x81, 0x00, 0x7f, 0x00),
    q: Uint8Array.of(0x00, 0x40),
  };
}

describe("nodes7 (through S7Connection) against Baseline's S7 simulator", () => {
  let sim: S7Simulator;
  beforeAll(async () => {
    sim = await startS7Simulator({ areas: plant(), identity: IDENTITY });
  });
  afterAll(async () => sim?.close());

  it('listens on 127.0.0.1 on a port the OS chose', () => {
    expect(sim.port).toBeGreaterThan(0);
  });

  it('reads known bytes of several DBs and the M area in one request, and reports a missing DB per item', async () => {
    const before = sim.requests.readVar;
    const c = await S7Connection.open({ host: '127.0.0.1', port: sim.port, rack: 0, slot: 1, timeoutMs: 1000 });
    try {
      expect(c.pduSize).toBe(480); // nodes7 asks for 960; the simulator's default is 480
      const [a, b, m, i, q, missing] = await c.readRanges([
        { area: 'DB', db: 1, start: 0, length: 27 },
        { area: 'DB', db: 7, start: 12, length: 4 },
        { area: 'M', db: null, start: 10, length: 2 },
        { area: 'I', db: null, start: 0, length: 3 },
        { area: 'Q', db: null, start: 1, length: 1 },
        { area: 'DB', db: 99, start: 0, length: 2 },
      ]);
      if (!a?.ok || !b?.ok || !m?.ok || !i?.ok || !q?.ok) throw new Error('read failed');
      const bytes = Buffer.from(a.bytes);
      expect(bytes.readFloatBE(0)).toBe(42.5);
      expect(bytes.readInt16BE(4)).toBe(-7);
      expect(bytes.readInt32BE(6)).toBe(-123456);
      expect(bytes[10]! & 0b100).toBe(0b100);
      expect(bytes.subarray(22, 27).toString('latin1')).toBe('PUMP1');
      expect(Buffer.from(b.bytes).readUInt32BE(0)).toBe(0xdeadbeef);
      expect(Buffer.from(m.bytes).readUInt16BE(0)).toBe(0xbeef);
      expect(Array.from(i.bytes)).toEqual([0x81, 0x00, 0x7f]);
      expect(Array.from(q.bytes)).toEqual([0x40]);
      expect(missing).toMatchObject({ ok: false });
      if (missing && !missing.ok) expect(missing.error).toMatch(/^DB99,BYTE0\.2: no good value came back/);
      expect(c.requestCount).toBe(1);
      expect(sim.requests.readVar - before).toBe(1);
    } finally {
      await c.close();
    }
  });

  it('a range beyond the end of a DB is a per-item error too (return code 0x05)', async () => {
    const c = await S7Connection.open({ host: '127.0.0.1', port: sim.port, rack: 0, slot: 1, timeoutMs: 1000 });
    try {
      const [beyond, fine] = await c.readRanges([
        { area: 'DB', db: 7, start: 14, length: 4 },
        { area: 'DB', db: 7, start: 12, length: 4 },
      ]);
      expect(beyond).toMatchObject({ ok: false });
      expect(fine).toMatchObject({ ok: true });
    } finally {
      await c.close();
    }
  });

  it("writes a range and a bit, and reads them back through nodes7 and from the simulator's memory", async () => {
    const c = await S7Connection.open({ host: '127.0.0.1', port: sim.port, rack: 0, slot: 1, timeoutMs: 1000 });
    try {
      const writesBefore = sim.requests.writeVar;
      await c.writeRange({ area: 'DB', db: 7, start: 2, length: 3 }, Uint8Array.from([0x12, 0x34, 0x56]));
      await c.writeBit({ area: 'DB', db: 1, start: 10, length: 1 }, 1, true);
      await c.writeBit({ area: 'M', db: null, start: 3, length: 1 }, 7, true);
      const [range, bits, merker] = await c.readRanges([
        { area: 'DB', db: 7, start: 2, length: 3 },
        { area: 'DB', db: 1, start: 10, length: 1 },
        { area: 'M', db: null, start: 3, length: 1 },
      ]);
      expect(range).toEqual({ ok: true, bytes: Uint8Array.from([0x12, 0x34, 0x56]) });
      expect(bits).toEqual({ ok: true, bytes: Uint8Array.of(0b0000_0111) }); // bit 1 set, bits 0 and 2 kept
      expect(merker).toEqual({ ok: true, bytes: Uint8Array.of(0x80) });
      expect(Array.from((sim.area('DB', 7) as Uint8Array).subarray(2, 5))).toEqual([0x12, 0x34, 0x56]);
      expect(sim.area('DB', 1)?.[10]).toBe(0b0000_0111);
      expect(sim.requests.writeVar - writesBefore).toBe(3);
    } finally {
      await c.close();
    }
  });

  it('a write to a missing DB is refused by the CPU', async () => {
    const c = await S7Connection.open({ host: '127.0.0.1', port: sim.port, rack: 0, slot: 1, timeoutMs: 1000 });
    try {
      const e = await failure(c.writeRange({ area: 'DB', db: 99, start: 0, length: 2 }, Uint8Array.of(1, 2)));
      expect(e.code).toBe('device-protocol');
    } finally {
      await c.close();
    }
  });

  it('readS7Identity returns the configured identity', async () => {
    const before = sim.requests;
    expect(await readS7Identity({ host: '127.0.0.1', port: sim.port, rack: 0, slot: 1, timeoutMs: 1000 })).toEqual(IDENTITY);
    const after = sim.requests;
    expect(after.readSzl - before.readSzl).toBe(2); // both lists fit a 480-byte PDU: no follow-ups
    expect(after.setupCommunication - before.setupCommunication).toBe(1);
  });
});

describe("Baseline's S7 simulator at PDU 240", () => {
  let sim: S7Simulator;
  beforeAll(async () => {
    sim = await startS7Simulator({ areas: plant(), identity: IDENTITY, pduSize: 240 });
  });
  afterAll(async () => sim?.close());

  it('nodes7 reads a 1000-byte DB in as many requests as the 240-byte PDU needs, and the bytes are right', async () => {
    const c = await S7Connection.open({ host: '127.0.0.1', port: sim.port, rack: 0, slot: 1, timeoutMs: 1000 });
    try {
      expect(c.pduSize).toBe(240);
      const before = sim.requests.readVar;
      const [r] = await c.readRanges([{ area: 'DB', db: 20, start: 0, length: 1000 }]);
      if (!r?.ok) throw new Error('read failed');
      expect(Array.from(r.bytes)).toEqual(Array.from(sim.area('DB', 20) as Uint8Array));
      expect(c.requestCount).toBe(Math.ceil(1000 / 220)); // nodes7: 4 * floor((240 - 18) / 4) = 220 bytes per request
      expect(sim.requests.readVar - before).toBe(c.requestCount);
    } finally {
      await c.close();
    }
  });

  it('readS7Identity follows up the data units of SZL 0x001C, which does not fit one 240-byte PDU', async () => {
    const before = sim.requests.readSzl;
    expect(await readS7Identity({ host: '127.0.0.1', port: sim.port, rack: 0, slot: 2, timeoutMs: 1000 })).toEqual(IDENTITY);
    expect(sim.requests.readSzl - before).toBe(3); // 0x0011, 0x001C first unit, 0x001C follow-up
  });

  it('answers a read whose reply would exceed the PDU with an Ack carrying error 0x85/0x00 (raw socket)', async () => {
    const socket = connect(sim.port, '127.0.0.1');
    const frames: Buffer[] = [];
    socket.on('data', (d: Buffer) => frames.push(d));
    const next = async (n: number) => {
      for (let t = 0; t < 100 && frames.length < n; t++) await new Promise((r) => setTimeout(r, 10));
      return frames[n - 1] as Buffer;
    };
    try {
      await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
      socket.write(
        encodeIsoFrame({
          type: 'CR',
          dstRef: 0,
          srcRef: 7,
          classOption: 0,
          params: { tpduSize: 0x0a, callingTsap: Uint8Array.of(1, 0), calledTsap: Uint8Array.of(1, 1) },
        }),
      );
      expect((await next(1))[5]).toBe(0xd0);
      socket.write(
        encodeS7Frame({
          rosctr: ROSCTR.job,
          pduRef: 1,
          param: encodeSetupCommunication({ maxAmqCalling: 1, maxAmqCalled: 1, pduLength: 960 }),
        }),
      );
      await next(2);
      socket.write(
        encodeS7Frame({
          rosctr: ROSCTR.job,
          pduRef: 2,
          param: encodeReadVarRequest([byteRangeItem(0x84, 20, 0, 200), byteRangeItem(0x84, 20, 200, 200)]),
        }),
      );
      expect(decodeS7Frame(await next(3))).toMatchObject({ rosctr: ROSCTR.ack, pduRef: 2, errorClass: 0x85, errorCode: 0x00 });
    } finally {
      socket.destroy();
    }
  });

  it('drops a connection that does not speak TPKT', async () => {
    const socket = connect(sim.port, '127.0.0.1');
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.on('error', () => undefined);
    socket.write('GET / HTTP/1.1\r\n\r\n');
    await closed;
  });
});

interface Snap7Client {
  SetParam(param: number, value: number): boolean;
  ConnectTo(ip: string, rack: number, slot: number, cb: (err: unknown) => void): void;
  PDULength(): number;
  GetCpuInfo(cb: (err: unknown, info: Record<string, string>) => void): void;
  GetOrderCode(cb: (err: unknown, info: { Code: string; V1: number; V2: number; V3: number }) => void): void;
  ReadSZL(id: number, index: number, cb: (err: unknown, data: Buffer) => void): void;
  DBRead(db: number, start: number, size: number, cb: (err: unknown, data: Buffer) => void): void;
  ErrorText(code: unknown): string;
  Disconnect(): boolean;
}

function call<T>(fn: (cb: (err: unknown, r: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => fn((err, r) => (err ? reject(err) : resolve(r))));
}

describe("Snap7's S7Client (independent client) against Baseline's S7 simulator", () => {
  let sim: S7Simulator;
  let client: Snap7Client;
  beforeAll(async () => {
    sim = await startS7Simulator({ areas: plant(), identity: IDENTITY, pduSize: 240 });
    const snap7 = require('node-snap7') as { S7Client: new () => Snap7Client };
    client = new snap7.S7Client();
    client.SetParam(2, sim.port); // RemotePort
    await call<void>((cb) => client.ConnectTo('127.0.0.1', 0, 1, cb));
  });
  afterAll(async () => {
    client?.Disconnect();
    await sim?.close();
  });

  it("negotiates the simulator's PDU", () => {
    expect(client.PDULength()).toBe(240);
  });

  it('GetCpuInfo (SZL 0x001C, two data units at PDU 240) and GetOrderCode (SZL 0x0011) read the configured identity', async () => {
    const info = await call<Record<string, string>>((cb) => client.GetCpuInfo(cb));
    expect(info).toMatchObject({
      ModuleTypeName: IDENTITY.moduleTypeName,
      SerialNumber: IDENTITY.serialNumber,
      ASName: IDENTITY.plcName,
      ModuleName: IDENTITY.moduleName,
    });
    const order = await call<{ Code: string; V1: number; V2: number; V3: number }>((cb) => client.GetOrderCode(cb));
    expect(order.Code.trimEnd()).toBe(IDENTITY.orderNumber);
    expect([order.V1, order.V2, order.V3]).toEqual([2, 9, 4]); // Snap7 takes the last three bytes of the list: the firmware record
    const list = await call<Buffer>((cb) => client.ReadSZL(0x001c, 0, cb));
    expect(list.length).toBeGreaterThanOrEqual(340); // ten records of 34 bytes, reassembled by Snap7
  });

  it('DBRead returns the planted bytes; a missing DB is refused ("item not available")', async () => {
    const bytes = await call<Buffer>((cb) => client.DBRead(7, 12, 4, cb));
    expect(bytes.readUInt32BE(0)).toBe(0xdeadbeef);
    let error: unknown = null;
    try {
      await call<Buffer>((cb) => client.DBRead(99, 0, 4, cb));
    } catch (err) {
      error = err;
    }
    expect(error).not.toBeNull();
    expect(client.ErrorText(error)).toMatch(/Item not available/i);
  });
});

describe("faults and options of Baseline's S7 simulator", () => {
  it('behind a fault proxy that drops every reply, readS7Identity and S7Connection time out', async () => {
    const sim = await startS7Simulator({ areas: { dbs: { 1: new Uint8Array(4) } } });
    const proxy = await startFaultProxy(sim.port, { kind: 'drop' });
    try {
      expect((await failure(readS7Identity({ host: '127.0.0.1', port: proxy.port, rack: 0, slot: 1, timeoutMs: 300 }))).code).toBe(
        'device-timeout',
      );
      expect((await failure(S7Connection.open({ host: '127.0.0.1', port: proxy.port, rack: 0, slot: 1, timeoutMs: 300 }))).code).toBe(
        'device-timeout',
      );
      expect(sim.requests.total).toBe(0); // the connects reached the simulator, but no S7 PDU (the COTP confirm was dropped)
    } finally {
      await proxy.close();
      await sim.close();
    }
  });

  it('refuses identities that do not fit their S7 fields and impossible PDU sizes', async () => {
    const e1 = await failure(startS7Simulator({ areas: { dbs: {} }, identity: { plcName: 'A'.repeat(25) } }));
    expect(e1.code).toBe('simulator-bad-option');
    const e2 = await failure(startS7Simulator({ areas: { dbs: {} }, identity: { firmware: '2.9' } }));
    expect(e2.message).toMatch(/Firmware "2\.9" is not a version like V1\.2\.3/);
    expect((await failure(startS7Simulator({ areas: { dbs: {} }, pduSize: 20 }))).code).toBe('simulator-bad-option');
    expect((await failure(startS7Simulator({ areas: { dbs: { 0: new Uint8Array(1) } } }))).code).toBe('simulator-bad-area');
  });

  it('counts open connections; after close() it no longer listens', async () => {
    const sim = await startS7Simulator({ areas: { dbs: { 1: new Uint8Array(4) } } });
    const c = await S7Connection.open({ host: '127.0.0.1', port: sim.port, rack: 0, slot: 1, timeoutMs: 1000 });
    expect(sim.connections).toBe(1);
    await sim.close();
    await c.close();
    expect((await failure(readS7Identity({ host: '127.0.0.1', port: sim.port, rack: 0, slot: 1, timeoutMs: 500 }))).code).toBe(
      'device-refused',
    );
  });
});
