/**
 * The simulated Logix controller's TCP transport on 127.0.0.1: framing over a real socket (split and coalesced
 * frames), independent sessions, UnregisterSession, loopback-only listening, and faults through the fault proxy,
 * including what st-ethernet-ip does with them (run in a child process, since it can throw from its socket
 * handlers, the reason ARCHITECTURE §5 runs drivers in a separate process).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type Socket } from 'node:net';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startLogixSimulator, type LogixSimulator } from '../../../src-main/devices/simulator/logix/logix-simulator.ts';
import { startFaultProxy } from '../../../src-main/devices/simulator/fault-proxy.ts';
import {
  CpfItemType,
  decodeCpf,
  decodeEncapsulation,
  decodeSendData,
  EncapsulationCommand,
  EncapsulationFramer,
  encodeEncapsulation,
  encodeSendData,
} from '../../../src-main/devices/simulator/logix/encapsulation.ts';
import { decodeCipReply, encodeCipRequest } from '../../../src-main/devices/simulator/logix/message-router.ts';
import { encodeEpath } from '../../../src-main/devices/simulator/logix/epath.ts';
import { BaselineError } from '../../../src-shared/common/errors.ts';

/** A raw EtherNet/IP client over a real socket: sends bytes, collects whole reply frames. */
class RawClient {
  private readonly socket: Socket;
  private readonly framer = new EncapsulationFramer();
  private readonly frames: Buffer[] = [];
  private waiters: Array<() => void> = [];
  closed = false;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (chunk) => {
      this.frames.push(...this.framer.push(chunk));
      for (const w of this.waiters.splice(0)) w();
    });
    socket.on('close', () => {
      this.closed = true;
      for (const w of this.waiters.splice(0)) w();
    });
  }

  static open(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const s = connect(port, '127.0.0.1', () => resolve(new RawClient(s)));
      s.once('error', reject);
    });
  }

  write(bytes: Buffer): Promise<void> {
    return new Promise((resolve) => this.socket.write(bytes, () => resolve()));
  }

  async next(count = 1, timeoutMs = 2000): Promise<Buffer[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.frames.length < count && !this.closed && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, Math.max(1, deadline - Date.now()));
      });
    }
    return this.frames.splice(0, count);
  }

  close(): void {
    this.socket.destroy();
  }
}

const frame = (command: number, session: number, data: Buffer) =>
  encodeEncapsulation({ command, session, status: 0, context: Buffer.from('raw-test'), options: 0, data });
const register = () => frame(EncapsulationCommand.RegisterSession, 0, Buffer.from([1, 0, 0, 0]));
const readCount = (session: number) =>
  frame(
    EncapsulationCommand.SendRRData,
    session,
    encodeSendData({
      interfaceHandle: 0,
      timeout: 5,
      items: [
        { type: CpfItemType.NullAddress, data: Buffer.alloc(0) },
        {
          type: CpfItemType.UnconnectedData,
          data: encodeCipRequest({ service: 0x4c, path: encodeEpath([{ kind: 'symbolic', name: 'Count' }]), data: Buffer.from([1, 0]) }),
        },
      ],
    }),
  );
const countOf = (reply: Buffer) => {
  const item = decodeSendData(decodeEncapsulation(reply).data).items[1];
  return decodeCipReply(item?.data ?? Buffer.alloc(0)).data.readInt32LE(2);
};

describe('simulated Logix controller over TCP', () => {
  let sim: LogixSimulator;
  beforeAll(async () => {
    sim = await startLogixSimulator({ tags: [{ name: 'Count', type: 'DINT', value: 42 }] });
  });
  afterAll(async () => {
    await sim?.close();
  });

  it('listens on 127.0.0.1 on a port chosen by the OS', async () => {
    expect(sim.port).toBeGreaterThan(0);
    await expect(startLogixSimulator({ tags: [], port: sim.port })).rejects.toBeInstanceOf(BaselineError);
  });

  it('reassembles a request split byte by byte, and answers requests that arrive in one segment', async () => {
    const c = await RawClient.open(sim.port);
    try {
      await c.write(register());
      const [reg] = await c.next();
      const session = decodeEncapsulation(reg as Buffer).session;
      expect(session).not.toBe(0);
      const req = readCount(session);
      for (const byte of req) await c.write(Buffer.from([byte]));
      expect(countOf((await c.next())[0] as Buffer)).toBe(42);
      await c.write(Buffer.concat([req, req, req]));
      expect((await c.next(3)).map(countOf)).toEqual([42, 42, 42]);
    } finally {
      c.close();
    }
  });

  it("keeps sessions apart: another connection's handle is refused with 0x0064", async () => {
    const a = await RawClient.open(sim.port);
    const b = await RawClient.open(sim.port);
    try {
      await a.write(register());
      await b.write(register());
      const sa = decodeEncapsulation((await a.next())[0] as Buffer).session;
      const sb = decodeEncapsulation((await b.next())[0] as Buffer).session;
      expect(sa).not.toBe(sb);
      await b.write(readCount(sa));
      expect(decodeEncapsulation((await b.next())[0] as Buffer).status).toBe(0x64);
    } finally {
      a.close();
      b.close();
    }
  });

  it('closes the connection after UnregisterSession and counts only CIP requests', async () => {
    const c = await RawClient.open(sim.port);
    await c.write(register());
    const session = decodeEncapsulation((await c.next())[0] as Buffer).session;
    const before = sim.requests;
    await c.write(readCount(session));
    await c.next();
    await c.write(frame(EncapsulationCommand.ListIdentity, 0, Buffer.alloc(0)));
    const identity = decodeCpf(decodeEncapsulation((await c.next())[0] as Buffer).data)[0];
    expect(identity?.data.readUInt16BE(4)).toBe(sim.port);
    expect(sim.requests - before).toBe(1);
    await c.write(frame(EncapsulationCommand.UnregisterSession, session, Buffer.alloc(0)));
    expect(await c.next()).toEqual([]);
    expect(c.closed).toBe(true);
    expect(sim.errors).toEqual([]);
  });
});

describe('st-ethernet-ip through the fault proxy (child process)', () => {
  const client = fileURLToPath(new URL('./st-ethernet-ip-client.ts', import.meta.url));
  let sim: LogixSimulator;
  beforeAll(async () => {
    sim = await startLogixSimulator({ tags: [{ name: 'Count', type: 'DINT', value: 42 }] });
  });
  afterAll(async () => {
    await sim?.close();
  });

  function runClient(port: number): Promise<{ code: number | null; out: string; err: string }> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, [client, String(port), 'Count', '1500'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
      });
      child.stderr.on('data', (d: Buffer) => {
        err += d.toString();
      });
      child.on('close', (code) => resolve({ code, out, err }));
    });
  }

  it('reads through a proxy that delays every reply', async () => {
    const proxy = await startFaultProxy(sim.port, { kind: 'delay', ms: 100 });
    try {
      expect(await runClient(proxy.port)).toMatchObject({ code: 0, out: 'read 42\n' });
    } finally {
      await proxy.close();
    }
  });

  it('rejects (no crash) when the peer answers garbage, at once or after good replies', async () => {
    // Garbage carries a non-zero encapsulation status, which st-ethernet-ip logs and reports as a failed session;
    // after two good replies (RegisterSession, Forward Open) the read times out after timeout_sp.
    for (const fault of [{ kind: 'garbage' }, { kind: 'refuse-after', replies: 2 }] as const) {
      const proxy = await startFaultProxy(sim.port, fault);
      try {
        const r = await runClient(proxy.port);
        expect(r.code, fault.kind).toBe(3);
        expect(r.out).toMatch(
          fault.kind === 'garbage'
            ? /^rejected Failed to Register Session/m
            : /^rejected TIMEOUT occurred while writing Reading Tag: Count/m,
        );
      } finally {
        await proxy.close();
      }
    }
  });

  it('throws an uncaught exception from its socket handler on a truncated reply (why drivers run in a separate process)', async () => {
    const proxy = await startFaultProxy(sim.port, { kind: 'truncate' });
    try {
      const r = await runClient(proxy.port);
      expect(r.code).toBe(1);
      expect(r.out).toBe('');
      expect(r.err).toMatch(/RangeError \[ERR_OUT_OF_RANGE\]/);
      expect(r.err).toMatch(/st-ethernet-ip[\\/]dist[\\/]enip/);
    } finally {
      await proxy.close();
    }
  });
});
