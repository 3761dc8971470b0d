import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S7Connection, s7RangeItem } from '../../../src-main/devices/s7/s7-connection.ts';
import { startFaultProxy } from '../../../src-main/devices/simulator/fault-proxy.ts';
import { BaselineError } from '../../../src-shared/common/errors.ts';
import { startSnap7Peer, type S7Peer } from '../../helpers/snap7-peer.ts';

async function failure(p: Promise<unknown>): Promise<BaselineError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(BaselineError);
    return err as BaselineError;
  }
  throw new Error('expected a failure');
}

describe("S7 through nodes7 against Snap7's S7Server (independent peer)", () => {
  let peer: S7Peer;
  const db1 = Buffer.alloc(400);
  const merker = Buffer.alloc(32);
  beforeAll(async () => {
    db1.writeFloatBE(42.5, 0);
    db1.writeInt16BE(-7, 4);
    db1.writeInt32BE(-123456, 6);
    db1[10] = 0b0000_0101;
    db1.write('\u0014\u0005PUMP1', 20, 'latin1'); // S7 STRING[20] = 'PUMP1'
    merker.writeUInt16BE(0xbeef, 10);
    peer = await startSnap7Peer({ 1: db1, 7: Buffer.alloc(16) }, merker);
  });
  afterAll(() => peer?.stop());

  it('uses the nodes7 item syntax for byte ranges', () => {
    expect(s7RangeItem({ area: 'DB', db: 1, start: 0, length: 200 })).toBe('DB1,BYTE0.200');
    expect(s7RangeItem({ area: 'M', db: null, start: 10, length: 2 })).toBe('MB10.2');
  });

  it('reads known bytes from a DB and the M area in one request, and reports a missing DB per item', async () => {
    const c = await S7Connection.open({ host: '127.0.0.1', port: peer.port, rack: 0, slot: 1, timeoutMs: 1000 });
    try {
      expect(c.pduSize).toBeGreaterThanOrEqual(240);
      const [a, m, missing] = await c.readRanges([
        { area: 'DB', db: 1, start: 0, length: 27 },
        { area: 'M', db: null, start: 10, length: 2 },
        { area: 'DB', db: 99, start: 0, length: 2 },
      ]);
      if (!a?.ok || !m?.ok) throw new Error('read failed');
      const bytes = Buffer.from(a.bytes);
      expect(bytes.readFloatBE(0)).toBe(42.5);
      expect(bytes.readInt16BE(4)).toBe(-7);
      expect(bytes.readInt32BE(6)).toBe(-123456);
      expect(bytes[10]! & 0b100).toBe(0b100);
      expect(bytes.subarray(22, 27).toString('latin1')).toBe('PUMP1');
      expect(Buffer.from(m.bytes).readUInt16BE(0)).toBe(0xbeef);
      expect(missing).toMatchObject({ ok: false });
      if (missing && !missing.ok) expect(missing.error).toMatch(/^DB99,BYTE0\.2: no good value came back/);
      expect(c.requestCount).toBe(1);
    } finally {
      await c.close();
    }
  });

  it("writes a range and reads it back from the peer's memory", async () => {
    const c = await S7Connection.open({ host: '127.0.0.1', port: peer.port, rack: 0, slot: 1, timeoutMs: 1000 });
    try {
      await c.writeRange({ area: 'DB', db: 7, start: 2, length: 2 }, Uint8Array.from([0x12, 0x34]));
      const [back] = await c.readRanges([{ area: 'DB', db: 7, start: 2, length: 2 }]);
      expect(back).toEqual({ ok: true, bytes: Uint8Array.from([0x12, 0x34]) });
      expect(peer.server.GetArea(peer.server.srvAreaDB, 7).readUInt16BE(2)).toBe(0x1234);
    } finally {
      await c.close();
    }
  });

  it('connection refused and a peer that never answers fail clearly', async () => {
    const refused = await failure(S7Connection.open({ host: '127.0.0.1', port: 1, rack: 0, slot: 1, timeoutMs: 500 }));
    expect(refused.code).toBe('device-refused');
    const proxy = await startFaultProxy(peer.port, { kind: 'drop' });
    try {
      const silent = await failure(S7Connection.open({ host: '127.0.0.1', port: proxy.port, rack: 0, slot: 1, timeoutMs: 500 }));
      expect(silent.code).toBe('device-timeout');
      expect(silent.message).toMatch(/rack 0 slot 1: connecting/);
    } finally {
      await proxy.close();
    }
  });

  it('a peer that closes during connection setup', async () => {
    const proxy = await startFaultProxy(peer.port, { kind: 'truncate' });
    try {
      const e = await failure(S7Connection.open({ host: '127.0.0.1', port: proxy.port, rack: 0, slot: 1, timeoutMs: 500 }));
      expect(['device-closed', 'device-timeout']).toContain(e.code);
    } finally {
      await proxy.close();
    }
  });
});

describe('S7 single-byte ranges', () => {
  it('reads a one-byte range (nodes7 answers it with a plain number)', async () => {
    const db = Buffer.alloc(8);
    db[3] = 0xa5;
    const peer = await startSnap7Peer({ 3: db });
    try {
      const c = await S7Connection.open({ host: '127.0.0.1', port: peer.port, rack: 0, slot: 1, timeoutMs: 1000 });
      expect(await c.readRanges([{ area: 'DB', db: 3, start: 3, length: 1 }])).toEqual([{ ok: true, bytes: Uint8Array.of(0xa5) }]);
      await c.close();
    } finally {
      peer.stop();
    }
  });
});
