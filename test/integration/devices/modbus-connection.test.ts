import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { ModbusConnection, type ModbusTarget } from '../../../src-main/devices/modbus/modbus-connection.ts';
import {
  emptyModbusImage,
  setModbusBits,
  setModbusWords,
  startModbusSimulator,
  type ModbusSimulator,
} from '../../../src-main/devices/simulator/modbus-simulator.ts';
import { startFaultProxy, type Fault } from '../../../src-main/devices/simulator/fault-proxy.ts';
import { BaselineError } from '../../../src-shared/common/errors.ts';
import { startPymodbus, type PymodbusPeer } from '../../helpers/pymodbus-peer.ts';

const tcp = (port: number, extra: Partial<Extract<ModbusTarget, { transport: 'tcp' }>> = {}): ModbusTarget => ({
  transport: 'tcp',
  host: '127.0.0.1',
  port,
  unitId: 1,
  timeoutMs: 500,
  retries: 1,
  ...extra,
});

async function failure(p: Promise<unknown>): Promise<BaselineError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(BaselineError);
    return err as BaselineError;
  }
  throw new Error('expected a failure');
}

describe('Modbus TCP against pymodbus (independent peer)', () => {
  let peer: PymodbusPeer;
  beforeAll(async () => {
    peer = await startPymodbus({
      unit: 3,
      hr: [1, 2, 3, 0xffff, 0x4228, 0x0000],
      ir: [500, 600],
      co: [true, false, true, true],
      di: [false, true],
      identity: { VendorName: 'ACME Automation', ProductCode: 'PLC-9000', MajorMinorRevision: '2.1' },
    });
  });
  afterAll(() => peer?.stop());

  it('reads known values from every table and the device identification', async () => {
    const c = await ModbusConnection.open(tcp(peer.port, { unitId: 3 }));
    try {
      expect(await c.read('hr', 0, 6)).toEqual([1, 2, 3, 0xffff, 0x4228, 0]);
      expect(await c.read('ir', 0, 2)).toEqual([500, 600]);
      expect(await c.read('co', 0, 4)).toEqual([true, false, true, true]);
      expect(await c.read('di', 0, 2)).toEqual([false, true]);
      expect(await c.identity()).toEqual({ vendorName: 'ACME Automation', productCode: 'PLC-9000', revision: '2.1' });
      expect(c.requestCount).toBe(5);
    } finally {
      await c.close();
    }
  });

  it('writes a register and reads it back', async () => {
    const c = await ModbusConnection.open(tcp(peer.port, { unitId: 3 }));
    try {
      await c.write('hr', 1, [4242]);
      expect(await c.read('hr', 1, 1)).toEqual([4242]);
      await c.write('co', 1, [true]);
      expect(await c.read('co', 1, 1)).toEqual([true]);
    } finally {
      await c.close();
    }
  });

  it('names the exception code the device answers for an address beyond its range', async () => {
    const c = await ModbusConnection.open(tcp(peer.port, { unitId: 3 }));
    try {
      const e = await failure(c.read('hr', 4000, 2));
      expect(e.code).toBe('device-protocol');
      expect(e.message).toMatch(/unit 3: reading hr:4000\.\.4001: the device answered exception 2 \(ILLEGAL DATA ADDRESS\)/);
    } finally {
      await c.close();
    }
  });

  it('times out clearly for a wrong unit id (pymodbus ignores units it does not serve)', async () => {
    const c = await ModbusConnection.open(tcp(peer.port, { unitId: 9, retries: 0 }));
    try {
      const e = await failure(c.read('hr', 0, 1));
      expect(e.code).toBe('device-timeout');
      expect(e.hint).toMatch(/unit id/);
    } finally {
      await c.close();
    }
  });
});

describe('Modbus TCP faults (simulator behind the fault proxy)', () => {
  let sim: ModbusSimulator;
  beforeAll(async () => {
    const image = emptyModbusImage();
    setModbusWords(image, 'hr', 0, [10, 20, 30, 40]);
    setModbusBits(image, 'co', 0, [true]);
    sim = await startModbusSimulator({ image, unitId: 1 });
  });
  afterAll(() => sim?.close());

  it('refused: nothing listens on the port', async () => {
    const e = await failure(ModbusConnection.open(tcp(1)));
    expect(e.code).toBe('device-refused');
    expect(e.message).toMatch(/127\.0\.0\.1:1 unit 1: connecting: connection refused/);
  });

  it('unreachable host: a loopback address with no listener and a short timeout still fails cleanly', async () => {
    const e = await failure(ModbusConnection.open(tcp(9, { host: '127.0.0.2' })));
    expect(['device-refused', 'device-timeout', 'device-unreachable']).toContain(e.code);
  });

  it.each<[string, Fault, string]>([
    ['a peer that accepts and never answers', { kind: 'drop' }, 'device-timeout'],
    ['a peer that answers too late', { kind: 'delay', ms: 1500 }, 'device-timeout'],
    ['garbage replies', { kind: 'garbage' }, 'device-timeout'],
    ['a peer that closes mid-reply', { kind: 'truncate' }, 'device-closed'],
    ['a peer that hangs up on the request', { kind: 'close' }, 'device-closed'],
  ])('%s fails with a clear error and retries are bounded', async (_name, fault, code) => {
    const proxy = await startFaultProxy(sim.port, fault);
    try {
      const c = await ModbusConnection.open(tcp(proxy.port, { retries: 2 }));
      const started = performance.now();
      const e = await failure(c.read('hr', 0, 4));
      expect(e.code).toBe(code);
      expect(c.requestCount).toBeLessThanOrEqual(3);
      expect(performance.now() - started).toBeLessThan(5000);
      await c.close();
    } finally {
      await proxy.close();
    }
  });

  it('cancellation stops retrying', async () => {
    const proxy = await startFaultProxy(sim.port, { kind: 'drop' });
    try {
      const c = await ModbusConnection.open(tcp(proxy.port, { retries: 5, timeoutMs: 300 }));
      const ac = new AbortController();
      setTimeout(() => ac.abort(), 400);
      const e = await failure(c.read('hr', 0, 4, ac.signal));
      expect(e.code).toBe('device-cancelled');
      expect(c.requestCount).toBeLessThan(4);
      await c.close();
    } finally {
      await proxy.close();
    }
  });

  it('a cancel stops a request waiting for an answer at once, not after its timeout (reads and identification)', async () => {
    const proxy = await startFaultProxy(sim.port, { kind: 'drop' });
    try {
      const ac = new AbortController();
      const c = await ModbusConnection.open(tcp(proxy.port, { retries: 0, timeoutMs: 20_000 }), ac.signal);
      const started = performance.now();
      setTimeout(() => ac.abort(), 300);
      // The identification waits on a device that never answers; the cancel ends it (a capture goes on to the reads).
      expect(await c.identity()).toBeNull();
      const e = await failure(c.read('hr', 0, 4));
      expect(e.code).toBe('device-cancelled');
      expect(performance.now() - started).toBeLessThan(5000);
      const second = new AbortController();
      const reading = failure(c.read('hr', 0, 4, second.signal));
      setTimeout(() => second.abort(), 300);
      expect((await reading).code).toBe('device-cancelled');
      expect(performance.now() - started).toBeLessThan(10_000);
      await c.close();
    } finally {
      await proxy.close();
    }
  });

  it("after a cancel, a read without the job's signal (a restore's read-back of a value written) still reads", async () => {
    const ac = new AbortController();
    const c = await ModbusConnection.open(tcp(sim.port), ac.signal);
    try {
      ac.abort();
      expect((await failure(c.read('hr', 0, 4))).code).toBe('device-cancelled');
      expect(await c.read('hr', 0, 4, null)).toEqual([10, 20, 30, 40]);
    } finally {
      await c.close();
    }
  });

  it('serves device identification and refuses unmapped addresses like a real device', async () => {
    const c = await ModbusConnection.open(tcp(sim.port));
    try {
      expect(await c.read('hr', 0, 4)).toEqual([10, 20, 30, 40]);
      const e = await failure(c.read('hr', 3, 2));
      expect(e.details?.['exceptionCode']).toBe(2);
      expect(await c.identity()).toBeNull();
    } finally {
      await c.close();
    }
  });
});

describe('Modbus simulator told to answer with an exception', () => {
  it('SERVER DEVICE BUSY (6) is retried with backoff (the spec asks for it), then named; other exceptions are not retried', async () => {
    const image = emptyModbusImage();
    setModbusWords(image, 'hr', 0, [1, 2]);
    const sim = await startModbusSimulator({ image, unitId: 1, exception: 6 });
    try {
      const c = await ModbusConnection.open(tcp(sim.port, { retries: 3 }));
      const e = await failure(c.read('hr', 0, 2));
      expect(e.message).toMatch(/exception 6 \(SERVER DEVICE BUSY\)/);
      expect(c.requestCount).toBe(4);
      sim.setException(4);
      const failed = await failure(c.read('hr', 0, 2));
      expect(failed.message).toMatch(/exception 4 \(SERVER DEVICE FAILURE\)/);
      expect(c.requestCount).toBe(5);
      sim.setException(null);
      expect(await c.read('hr', 0, 2)).toEqual([1, 2]);
      await c.close();
    } finally {
      await sim.close();
    }
  });
});

describe('Modbus TCP: a controller that hangs up or cuts a reply short is not "connection refused"', () => {
  /** A real TCP peer on loopback that runs `onRequest` for every request it receives. */
  async function peer(
    onRequest: (socket: Socket, request: Buffer) => void,
    onConnect?: (socket: Socket) => void,
  ): Promise<{ port: number; close(): Promise<void> }> {
    const sockets = new Set<Socket>();
    const server = createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => sockets.delete(socket));
      socket.on('data', (d: Buffer) => onRequest(socket, d));
      onConnect?.(socket);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const port = (server.address() as AddressInfo).port;
    return {
      port,
      close: () =>
        new Promise((resolve) => {
          for (const s of sockets) s.destroy();
          server.close(() => resolve());
        }),
    };
  }

  /** The reply to a read of `count` holding registers, all zero (MBAP header + FC 3 PDU). */
  function readReply(request: Buffer, count: number): Buffer {
    const reply = Buffer.alloc(9 + count * 2);
    request.copy(reply, 0, 0, 4);
    reply.writeUInt16BE(3 + count * 2, 4);
    reply[6] = request[6]!;
    reply[7] = 3;
    reply[8] = count * 2;
    return reply;
  }

  const cases: [string, (socket: Socket, request: Buffer) => void, ((socket: Socket) => void) | undefined][] = [
    ['closes the connection on receiving the request', (socket) => socket.end(), undefined],
    ['resets the connection on receiving the request', (socket) => socket.resetAndDestroy(), undefined],
    [
      'sends half a reply, then closes',
      (socket, request) => {
        socket.end(readReply(request, 4).subarray(0, 7));
      },
      undefined,
    ],
    [
      'sends a reply one byte short, then closes',
      (socket, request) => {
        const r = readReply(request, 4);
        socket.end(r.subarray(0, r.length - 1));
      },
      undefined,
    ],
    [
      'accepts, then closes before any request',
      () => undefined,
      (socket) => {
        setTimeout(() => socket.end(), 20);
      },
    ],
    // The first attempt times out (300 ms) on the short reply; the peer hangs up at 340 ms, before the retry (backoff
    // 100 ms) finds the connection gone: modbus-serial's "Port Not Open", which it labels ECONNREFUSED.
    [
      'sends half a reply, then closes while the client waits to retry',
      (socket, request) => {
        socket.write(readReply(request, 4).subarray(0, 7));
        setTimeout(() => socket.end(), 340);
      },
      undefined,
    ],
  ];
  for (const [name, onRequest, onConnect] of cases) {
    it(`a controller that ${name}: "the connection was closed", never "refused"`, async () => {
      const p = await peer(onRequest, onConnect);
      try {
        const conn = await ModbusConnection.open(tcp(p.port, { retries: 2, timeoutMs: 300 }));
        await new Promise((r) => setTimeout(r, 60));
        const e = await failure(conn.read('hr', 0, 4));
        await conn.close();
        expect(e.code).toBe('device-closed');
        expect(e.message).toMatch(/reading hr:0\.\.3: .*(closed|no longer open)/);
        expect(e.message).not.toMatch(/refused/);
        expect(e.hint).not.toMatch(/check the port number/);
      } finally {
        await p.close();
      }
    });
  }

  it('a port with nothing listening is still "connection refused"', async () => {
    const p = await peer(() => undefined);
    const port = p.port;
    await p.close();
    const e = await failure(ModbusConnection.open(tcp(port)));
    expect(e.code).toBe('device-refused');
  });
});
