import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { importProfileCsv } from '../../../src-shared/common/profile/profile-csv.ts';
import type { ModbusProfile } from '../../../src-shared/common/profile/capture-profile.ts';
import { DeviceSupervisor } from '../../../src-main/devices/process/device-supervisor.ts';
import { inProcessDevice } from '../../../src-main/devices/process/in-process-device.ts';
import { CaptureService } from '../../../src-main/services/capture-service.ts';
import { startModbusSimulator, type ModbusSimulator } from '../../../src-main/devices/simulator/modbus-simulator.ts';
import { modbusImageFromProfile } from '../../../src-main/devices/simulator/modbus-profile-image.ts';
import { startFaultProxy } from '../../../src-main/devices/simulator/fault-proxy.ts';

const fixture = (name: string) => fileURLToPath(new URL(`../../fixtures/profiles-capture/${name}`, import.meta.url));
const actor = { kind: 'os-user' as const, id: 'tester', name: 'tester@test' };

// The one-shot `baseline capture` runs its drivers in its own process; the supervisor must see the same answers.
describe('driver jobs run in this process (one-shot CLI capture)', () => {
  const devices = new DeviceSupervisor(inProcessDevice);
  const service = new CaptureService(devices);
  const profile = importProfileCsv(readFileSync(fixture('modbus-line1.csv')), 'modbus') as ModbusProfile;
  const values = JSON.parse(readFileSync(fixture('modbus-line1-values.json'), 'utf8')) as Record<string, unknown>;
  let sim: ModbusSimulator;
  beforeAll(async () => {
    sim = await startModbusSimulator({ image: modbusImageFromProfile(profile, values), unitId: 1 });
  });
  afterAll(async () => {
    devices.close();
    await sim?.close();
  });
  const target = () => ({
    protocol: 'modbus-tcp' as const,
    host: '127.0.0.1',
    port: sim.port,
    unitId: 1,
    wordOrder: 'high-first' as const,
  });

  it("captures the simulator's values, with progress, and leaves the caller's profile untouched", async () => {
    const before = JSON.stringify(profile);
    const progress: number[] = [];
    const doc = await service.capture(
      { target: target(), profile, profileName: 'line1', options: { timeoutMs: 1000, retries: 0 } },
      actor,
      { onProgress: (p) => progress.push(p.done) },
    );
    expect(doc.complete).toBe(true);
    expect(Object.fromEntries(doc.values.map((v) => [v.tag, v.value]))).toMatchObject({ Line1_Count: 4_000_000_000, Line1_SpeedSP: 12.5 });
    expect(progress.length).toBeGreaterThan(0);
    expect(JSON.stringify(profile)).toBe(before);
  });

  it('an unknown job kind is refused as by the device process', async () => {
    await expect(devices.run({ kind: 'no-such-job', payload: null })).rejects.toMatchObject({ code: 'unknown-job' });
  });

  it('a hung driver is stopped at the deadline with that reason, and the next job gets a fresh runner', async () => {
    const restarts = devices.restartCount;
    const proxy = await startFaultProxy(sim.port, { kind: 'drop' });
    try {
      const err = await devices
        .run(
          { kind: 'capture', payload: { target: { ...target(), port: proxy.port }, profile, options: { timeoutMs: 5000, retries: 5 } } },
          { deadlineMs: 600 },
        )
        .then(
          () => null,
          (e: unknown) => e as { code: string; message: string; hint: string },
        );
      expect(err?.code).toBe('device-process-crashed');
      expect(err?.message).toMatch(/did not finish within 600 ms/);
      // No device process ran, so none was restarted: the hint says what happened here.
      expect(err?.hint).toMatch(/^Nothing from the failed read was kept; run the command again\./);
      expect(err?.hint).not.toMatch(/device process/);
    } finally {
      await proxy.close();
    }
    expect(devices.restartCount).toBe(restarts + 1);
    const doc = await service.capture({ target: target(), profile, profileName: 'line1', options: { timeoutMs: 1000, retries: 0 } }, actor);
    expect(doc.complete).toBe(true);
  });

  it('cancelling stops the capture', async () => {
    const proxy = await startFaultProxy(sim.port, { kind: 'delay', ms: 300 });
    try {
      const ac = new AbortController();
      setTimeout(() => ac.abort(), 150);
      const doc = await service.capture(
        { target: { ...target(), port: proxy.port }, profile, profileName: 'line1', options: { timeoutMs: 2000, retries: 0 } },
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
