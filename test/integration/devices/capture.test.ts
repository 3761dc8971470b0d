import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { importProfileCsv } from '../../../src-shared/common/profile/profile-csv.ts';
import type { LogixProfile, ModbusProfile, S7Profile } from '../../../src-shared/common/profile/capture-profile.ts';
import { DeviceSupervisor } from '../../../src-main/devices/process/device-supervisor.ts';
import { CaptureService } from '../../../src-main/services/capture-service.ts';
import type { CaptureDocument } from '../../../src-shared/common/capture/capture-document.ts';
import { startModbusSimulator, type ModbusSimulator } from '../../../src-main/devices/simulator/modbus-simulator.ts';
import { modbusImageFromProfile } from '../../../src-main/devices/simulator/modbus-profile-image.ts';
import { startFaultProxy } from '../../../src-main/devices/simulator/fault-proxy.ts';
import { startPymodbus, type PymodbusPeer } from '../../helpers/pymodbus-peer.ts';
import { startSnap7Peer, type S7Peer } from '../../helpers/snap7-peer.ts';

const fixture = (name: string) => fileURLToPath(new URL(`../../fixtures/profiles-capture/${name}`, import.meta.url));
const actor = { kind: 'os-user' as const, id: 'tester', name: 'tester@test' };
const options = { timeoutMs: 500, retries: 1 };

function valuesOf(doc: CaptureDocument): Record<string, unknown> {
  return Object.fromEntries(doc.values.map((v) => [v.tag, v.quality === 'good' ? v.value : `BAD: ${v.error}`]));
}

describe('captures run in the device process', () => {
  const devices = new DeviceSupervisor();
  const service = new CaptureService(devices);
  const modbusProfile = importProfileCsv(readFileSync(fixture('modbus-line1.csv')), 'modbus') as ModbusProfile;
  const modbusValues = JSON.parse(readFileSync(fixture('modbus-line1-values.json'), 'utf8')) as Record<string, unknown>;
  let sim: ModbusSimulator;
  let pymodbus: PymodbusPeer;
  let s7: S7Peer;

  beforeAll(async () => {
    sim = await startModbusSimulator({
      image: modbusImageFromProfile(modbusProfile, modbusValues),
      unitId: 1,
      identity: { vendorName: 'Baseline', productCode: 'SIM', revision: '1.0' },
    });
    // The same plant values laid out for pymodbus, written by hand from the Modbus spec (not by our encoder).
    const hr = new Array<number>(21).fill(0);
    hr[0] = 0x4148;
    hr[1] = 0x0000; // 12.5f
    hr[2] = 0xffd8; // -40
    hr[10] = 0xee6b;
    hr[11] = 0x2800; // 4 000 000 000
    hr[12] = 0xfffc;
    hr[13] = 0x2f70; // -250 000
    hr[14] = 1 << 3;
    hr[20] = 7;
    pymodbus = await startPymodbus({ unit: 1, hr, ir: [0x4050, 0x0000], co: [true], di: [false, false, false, true] });
    const db1 = Buffer.alloc(64);
    db1.writeFloatBE(250.75, 0);
    db1.writeInt16BE(-3, 4);
    db1.writeInt32BE(1_234_567, 6);
    db1[10] = 0b100;
    db1[20] = 20;
    db1[21] = 6;
    db1.write('STEEL2', 22, 'latin1');
    const m = Buffer.alloc(16);
    m.writeUInt16BE(0x0102, 10);
    s7 = await startSnap7Peer({ 1: db1 }, m);
  });
  afterAll(async () => {
    devices.close();
    await sim?.close();
    pymodbus?.stop();
    s7?.stop();
  });

  const expected = {
    Line1_SpeedSP: 12.5,
    Line1_MaxTemp: -40,
    Line1_Count: 4_000_000_000,
    Line1_Dwell: -250_000,
    Line1_Mode: true,
    Line1_Recipe: 7,
    Line1_Flow: 3.25,
    Line1_Enable: true,
    Line1_EStopOK: true,
  };

  it('reads known values planted in pymodbus (independent peer), exactly', async () => {
    const doc = await service.capture(
      {
        target: { protocol: 'modbus-tcp', host: '127.0.0.1', port: pymodbus.port, unitId: 1, wordOrder: 'high-first' },
        profile: modbusProfile,
        profileName: 'line1',
        options,
      },
      actor,
    );
    expect(valuesOf(doc)).toEqual(expected);
    expect(doc.values.find((v) => v.tag === 'Line1_SpeedSP')?.raw).toBe('41480000');
    expect(doc.complete).toBe(true);
    expect(doc.stats).toMatchObject({ tags: 9, good: 9, bad: 0 });
  });

  it('reads the same values from our simulator, with the planned number of requests and the identity', async () => {
    const progress: number[] = [];
    const doc = await service.capture(
      {
        target: { protocol: 'modbus-tcp', host: '127.0.0.1', port: sim.port, unitId: 1, wordOrder: 'high-first' },
        profile: modbusProfile,
        profileName: 'line1',
        options,
      },
      actor,
      { onProgress: (p) => progress.push(p.done) },
    );
    expect(valuesOf(doc)).toEqual(expected);
    expect(doc.identity).toMatchObject({ vendorName: 'Baseline', productCode: 'SIM' });
    expect(doc.values.find((v) => v.tag === 'Line1_MaxTemp')).toMatchObject({
      safety: true,
      writable: false,
      class: 'config',
      address: 'hr:2',
    });
    expect(progress.at(-1)).toBe(9);
    // The simulator refuses gaps like a strict device: the merged hr read is retried as gap-free runs, and counted.
    expect(doc.stats.requests).toBeGreaterThanOrEqual(doc.stats.minimumRequests);
    expect(doc.negotiated['gapReadsRefused']).toBe(1);
  });

  it('reads known values from Snap7 (independent S7 peer) with byte ranges decoded locally', async () => {
    const profile = importProfileCsv(readFileSync(fixture('s7-press.csv')), 's7') as S7Profile;
    const doc = await service.capture(
      { target: { protocol: 's7', host: '127.0.0.1', port: s7.port, rack: 0, slot: 1 }, profile, profileName: 'press', options },
      actor,
    );
    expect(valuesOf(doc)).toEqual({
      Press_ForceSP: 250.75,
      Press_Offset: -3,
      Press_Strokes: 1_234_567,
      Press_GuardOK: true,
      Press_Recipe: 'STEEL2',
      Press_Mode: 0x0102,
    });
    expect(doc.stats.requests).toBe(doc.stats.plannedRequests);
    expect(doc.stats.requests).toBeLessThanOrEqual(2);
    // Identity from SZL 0x0011 / 0x001C, which Snap7's server answers with its emulated CPU's data.
    expect(doc.identity).toMatchObject({ orderNumber: '6ES7 315-2EH14-0AB0', moduleTypeName: 'CPU 315-2 PN/DP' });
    expect(doc.negotiated['pduSize']).toBeGreaterThanOrEqual(240);
  });

  it("an address beyond the device's range makes that tag bad and the capture incomplete, the rest good", async () => {
    const profile = importProfileCsv('tag,address,type\nA,hr:0,FLOAT32\nFar,hr:5000,UINT16\n', 'modbus') as ModbusProfile;
    const doc = await service.capture(
      {
        target: { protocol: 'modbus-tcp', host: '127.0.0.1', port: pymodbus.port, unitId: 1, wordOrder: 'high-first' },
        profile,
        profileName: 'far',
        options,
      },
      actor,
    );
    expect(doc.values.map((v) => [v.tag, v.quality])).toEqual([
      ['A', 'good'],
      ['Far', 'bad'],
    ]);
    expect(doc.values[1]?.error).toMatch(/exception 2 \(ILLEGAL DATA ADDRESS\)/);
    expect(doc.complete).toBe(false);
  });

  it('a refused connection fails every tag with the reason; the device process survives', async () => {
    const doc = await service.capture(
      {
        target: { protocol: 'modbus-tcp', host: '127.0.0.1', port: 1, unitId: 1, wordOrder: 'high-first' },
        profile: modbusProfile,
        profileName: 'line1',
        options,
      },
      actor,
    );
    expect(doc.complete).toBe(false);
    expect(doc.failure?.code).toBe('device-refused');
    expect(doc.values.every((v) => v.quality === 'bad' && /connection refused/.test(v.error ?? ''))).toBe(true);
    expect(await devices.run<{ pid: number }>({ kind: 'ping', payload: null })).toHaveProperty('pid');
  });

  it('a peer that stops answering mid-capture leaves an incomplete capture, marked so', async () => {
    const proxy = await startFaultProxy(sim.port, { kind: 'refuse-after', replies: 2 });
    try {
      const doc = await service.capture(
        {
          target: { protocol: 'modbus-tcp', host: '127.0.0.1', port: proxy.port, unitId: 1, wordOrder: 'high-first' },
          profile: modbusProfile,
          profileName: 'line1',
          options,
        },
        actor,
      );
      expect(doc.complete).toBe(false);
      expect(doc.stats.good).toBeGreaterThan(0);
      expect(doc.stats.bad).toBeGreaterThan(0);
    } finally {
      await proxy.close();
    }
  });

  it('a hung driver is killed at the deadline, the capture fails with that reason, and the next job gets a new process', async () => {
    const before = devices.restartCount;
    const proxy = await startFaultProxy(sim.port, { kind: 'drop' });
    try {
      const err = await devices
        .run(
          {
            kind: 'capture',
            payload: {
              target: { protocol: 'modbus-tcp', host: '127.0.0.1', port: proxy.port },
              profile: modbusProfile,
              options: { timeoutMs: 5000, retries: 5 },
            },
          },
          { deadlineMs: 600 },
        )
        .then(
          () => null,
          (e: unknown) => e as { code: string; message: string; hint: string },
        );
      expect(err?.code).toBe('device-process-crashed');
      expect(err?.message).toMatch(/did not finish within 600 ms/);
      expect(err?.hint).toMatch(/^The device process was started afresh for the next job; try again\./);
    } finally {
      await proxy.close();
    }
    expect(devices.restartCount).toBe(before + 1);
    const doc = await service.capture(
      {
        target: { protocol: 'modbus-tcp', host: '127.0.0.1', port: pymodbus.port, unitId: 1, wordOrder: 'high-first' },
        profile: modbusProfile,
        profileName: 'line1',
        options,
      },
      actor,
    );
    expect(doc.complete).toBe(true);
  });

  it('cancelling stops the capture', async () => {
    const proxy = await startFaultProxy(sim.port, { kind: 'delay', ms: 300 });
    try {
      const ac = new AbortController();
      setTimeout(() => ac.abort(), 150);
      const doc = await service.capture(
        {
          target: { protocol: 'modbus-tcp', host: '127.0.0.1', port: proxy.port, unitId: 1, wordOrder: 'high-first' },
          profile: modbusProfile,
          profileName: 'line1',
          options: { timeoutMs: 2000, retries: 0 },
        },
        actor,
        { signal: ac.signal },
      );
      expect(doc.complete).toBe(false);
      expect(doc.failure?.code).toBe('device-cancelled');
    } finally {
      await proxy.close();
    }
  });
});

describe('S7 and Logix captures: bounded retries with backoff, and cancellation', () => {
  const devices = new DeviceSupervisor();
  const service = new CaptureService(devices);
  afterAll(() => devices.close());

  it('S7: a CPU that stops answering after the connection set-up is retried a bounded number of times, then reported', async () => {
    const peer = await startSnap7Peer({ 1: Buffer.alloc(64) });
    // Replies 1-2 are the COTP connect and Setup Communication of nodes7; the identity read uses its own
    // connection, which the proxy also lets through for its first 2 replies.
    const proxy = await startFaultProxy(peer.port, { kind: 'drop-after', replies: 2 });
    try {
      const profile = importProfileCsv(readFileSync(fixture('s7-press.csv')), 's7') as S7Profile;
      const started = performance.now();
      const doc = await service.capture(
        {
          target: { protocol: 's7', host: '127.0.0.1', port: proxy.port, rack: 0, slot: 1 },
          profile,
          profileName: 'press',
          options: { timeoutMs: 300, retries: 2 },
        },
        actor,
      );
      expect(doc.complete).toBe(false);
      expect(doc.failure?.code).toBe('device-timeout');
      expect(doc.stats.requests).toBe(3); // first try + 2 retries of the first planned request (nodes7 reconnects in between)
      expect(performance.now() - started).toBeLessThan(15_000);
    } finally {
      await proxy.close();
      peer.stop();
    }
  });

  it('Logix: cancelling a capture whose replies are slow stops it and says so', async () => {
    const { startLogixSimulator } = await import('../../../src-main/devices/simulator/logix/logix-simulator.ts');
    const sim = await startLogixSimulator({ tags: [{ name: 'A', type: 'DINT', value: 1 }] });
    const proxy = await startFaultProxy(sim.port, { kind: 'delay', ms: 400 });
    try {
      const profile = importProfileCsv('tag,address,type\nA,A,DINT\n', 'logix') as LogixProfile;
      const ac = new AbortController();
      setTimeout(() => ac.abort(), 1500);
      const doc = await service.capture(
        {
          target: { protocol: 'logix', host: '127.0.0.1', port: proxy.port, slot: 0 },
          profile,
          profileName: 'x',
          options: { timeoutMs: 5000, retries: 0 },
        },
        actor,
        { signal: ac.signal },
      );
      expect(doc.complete).toBe(false);
      expect(doc.failure?.code).toBe('device-cancelled');
    } finally {
      await proxy.close();
      await sim.close();
    }
  });
});
