import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { importProfileCsv } from '../../../src-shared/common/profile/profile-csv.ts';
import type { LogixProfile } from '../../../src-shared/common/profile/capture-profile.ts';
import { DeviceSupervisor } from '../../../src-main/devices/process/device-supervisor.ts';
import { CaptureService } from '../../../src-main/services/capture-service.ts';
import { startLogixSimulator, type LogixSimulator } from '../../../src-main/devices/simulator/logix/logix-simulator.ts';
import { startFaultProxy } from '../../../src-main/devices/simulator/fault-proxy.ts';

const fixture = (name: string) => fileURLToPath(new URL(`../../fixtures/profiles-capture/${name}`, import.meta.url));
const actor = { kind: 'os-user' as const, id: 'tester', name: 'tester@test' };
const options = { timeoutMs: 1000, retries: 0 };

describe('Logix captures through st-ethernet-ip, in the device process, against our CIP simulator', () => {
  const devices = new DeviceSupervisor();
  const service = new CaptureService(devices);
  const profile = importProfileCsv(readFileSync(fixture('logix-mixer.csv')), 'logix') as LogixProfile;
  let sim: LogixSimulator;
  const target = (port: number) => ({ protocol: 'logix' as const, host: '127.0.0.1', port, slot: 0 });

  beforeAll(async () => {
    sim = await startLogixSimulator({
      udts: [
        {
          name: 'RecipeType',
          members: [
            { name: 'Temp', type: 'REAL' },
            { name: 'Steps', type: 'DINT', dims: 4 },
          ],
        },
      ],
      tags: [
        { name: 'Mixer_Running', type: 'BOOL', value: true },
        { name: 'Mixer_Mode', type: 'SINT', value: -3 },
        { name: 'Mixer_SpeedSP', type: 'REAL', value: 1450.5 },
        { name: 'Mixer_Count', type: 'DINT', value: 123456 },
        { name: 'Mixer_Serial', type: 'LINT', value: '9007199254740993' },
        { name: 'Mixer_Operator', type: 'STRING', value: 'J. Smith' },
        { name: 'Recipe', type: 'RecipeType', value: { Temp: 72.5, Steps: [10, 20, 30, 40] } },
        { name: 'Program:MainProgram.Limit', type: 'DINT', value: 99 },
        { name: 'Arr', type: 'INT', dims: 10, value: [0, 10, 20, 30, 40, 50, 60, 70, 80, 90] },
      ],
    });
  });
  afterAll(async () => {
    devices.close();
    await sim?.close();
  });

  it('reads every type, a UDT member, an array element and a program tag, with identity, exactly', async () => {
    const doc = await service.capture({ target: target(sim.port), profile, profileName: 'mixer', options }, actor);
    expect(Object.fromEntries(doc.values.map((v) => [v.tag, v.value]))).toEqual({
      Mixer_Running: true,
      Mixer_Mode: -3,
      Mixer_Speed: 1450.5,
      Mixer_Count: 123456,
      Mixer_Serial: '9007199254740993',
      Mixer_Operator: 'J. Smith',
      Recipe_Temp: 72.5,
      Recipe_Step2: 30,
      Limit: 99,
      Arr3: 30,
    });
    expect(doc.values.find((v) => v.tag === 'Mixer_Speed')?.raw).toBe('0050b544');
    expect(doc.identity).toMatchObject({ productName: '1756-L83E/B', mode: 'run' });
    expect(doc.complete).toBe(true);
    expect(doc.stats.requests).toBeGreaterThan(0);
    expect(doc.stats.requests).toBeLessThan(profile.tags.length);
  });

  it('an unknown tag (CIP 0x04) and an LREAL the library cannot decode are bad with the reason; the rest are good', async () => {
    const p = importProfileCsv(
      'tag,address,type\nCount,Mixer_Count,DINT\nGhost,No_Such_Tag,DINT\nPrecise,Mixer_Precise,LREAL\n',
      'logix',
    ) as LogixProfile;
    const doc = await service.capture({ target: target(sim.port), profile: p, profileName: 'x', options }, actor);
    expect(doc.values.map((v) => [v.tag, v.quality])).toEqual([
      ['Count', 'good'],
      ['Ghost', 'bad'],
      ['Precise', 'bad'],
    ]);
    expect(doc.values[1]?.error).toMatch(/CIP status 0x04 \(no such tag\)/);
    expect(doc.values[2]?.error).toMatch(/LREAL .* cannot be decoded/);
    expect(doc.complete).toBe(false);
  });

  it('a refused connection fails the capture clearly', async () => {
    const doc = await service.capture({ target: target(1), profile, profileName: 'mixer', options }, actor);
    expect(doc.failure?.code).toBe('device-refused');
    expect(doc.complete).toBe(false);
  });

  it('a truncated reply makes the library throw from its socket handler: the device process dies, the capture fails with the reason, and the next capture works', async () => {
    const before = devices.restartCount;
    const proxy = await startFaultProxy(sim.port, { kind: 'truncate' });
    try {
      const doc = await service.capture({ target: target(proxy.port), profile, profileName: 'mixer', options }, actor);
      expect(doc.complete).toBe(false);
      expect(doc.failure?.code).toBe('device-process-crashed');
      expect(doc.failure?.message).toMatch(/the protocol library failed on an unexpected reply \(The value of "offset" is out of range/);
      expect(doc.values.every((v) => v.quality === 'bad')).toBe(true);
      expect(devices.restartCount).toBe(before + 1);
    } finally {
      await proxy.close();
    }
    const again = await service.capture({ target: target(sim.port), profile, profileName: 'mixer', options }, actor);
    expect(again.complete).toBe(true);
  });
});

describe('Logix restore through st-ethernet-ip', () => {
  const devices = new DeviceSupervisor();
  let sim: LogixSimulator;
  const csv = readFileSync(fixture('logix-mixer.csv'), 'utf8') + 'Guard,Guard_Closed,DINT,config,true,true,read-only on the controller\n';
  const profile = importProfileCsv(csv, 'logix') as LogixProfile;
  beforeAll(async () => {
    sim = await startLogixSimulator({
      udts: [
        {
          name: 'RecipeType',
          members: [
            { name: 'Temp', type: 'REAL' },
            { name: 'Steps', type: 'DINT', dims: 4 },
          ],
        },
      ],
      tags: [
        { name: 'Mixer_SpeedSP', type: 'REAL', value: 1450.5 },
        { name: 'Mixer_Operator', type: 'STRING', value: 'J. Smith' },
        { name: 'Recipe', type: 'RecipeType', value: { Temp: 72.5, Steps: [10, 20, 30, 40] } },
        { name: 'Guard_Closed', type: 'DINT', value: 1, writable: false },
      ],
    });
  });
  afterAll(async () => {
    devices.close();
    await sim?.close();
  });
  const run = (writes: { tag: string; value: unknown }[]) =>
    devices.run<{
      complete: boolean;
      outcomes: { tag: string; status: string; error?: string; expectedRaw: string; readBackRaw: string | null }[];
    }>({ kind: 'restore', payload: { target: { protocol: 'logix', host: '127.0.0.1', port: sim.port, slot: 0 }, profile, writes } });

  it('writes a REAL, a STRING and a UDT array member, each read back equal', async () => {
    const r = await run([
      { tag: 'Mixer_Speed', value: 1200.25 },
      { tag: 'Mixer_Operator', value: 'A. Ruiz' },
      { tag: 'Recipe_Step2', value: 35 },
    ]);
    expect(r.outcomes.map((o) => [o.tag, o.status, o.error ?? ''])).toEqual([
      ['Mixer_Speed', 'written-verified', ''],
      ['Mixer_Operator', 'written-verified', ''],
      ['Recipe_Step2', 'written-verified', ''],
    ]);
    expect(sim.getTag('Mixer_SpeedSP')).toBe(1200.25);
    expect(sim.getTag('Mixer_Operator')).toBe('A. Ruiz');
    expect(sim.getTag('Recipe.Steps[2]')).toBe(35);
  });

  it('a tag the controller refuses to write (CIP 0x0F) is reported, and the rest is not attempted', async () => {
    const r = await run([
      { tag: 'Guard', value: 0 },
      { tag: 'Mixer_Speed', value: 1 },
    ]);
    expect(r.complete).toBe(false);
    expect(r.outcomes.map((o) => o.status)).toEqual(['write-failed', 'not-attempted']);
    expect(r.outcomes[0]?.error).toMatch(/CIP status 0x0f/);
    expect(sim.getTag('Guard_Closed')).toBe(1);
  });

  it('refuses a tag not marked writable in the profile before connecting', async () => {
    await expect(run([{ tag: 'Limit', value: 5 }])).rejects.toMatchObject({ code: 'restore-refused' });
  });
});

describe('Logix browse-to-profile', () => {
  const devices = new DeviceSupervisor();
  let sim: LogixSimulator;
  beforeAll(async () => {
    sim = await startLogixSimulator({
      udts: [
        {
          name: 'RecipeType',
          members: [
            { name: 'Temp', type: 'REAL' },
            { name: 'Steps', type: 'DINT', dims: 4 },
            { name: 'Name', type: 'STRING' },
          ],
        },
      ],
      tags: [
        { name: 'Running', type: 'BOOL', value: true },
        { name: 'SpeedSP', type: 'REAL', value: 1.5 },
        { name: 'Operator', type: 'STRING', value: 'x' },
        { name: 'Recipe', type: 'RecipeType' },
        { name: 'Trend', type: 'REAL', dims: 10 },
        { name: 'Program:MainProgram.Limit', type: 'DINT', value: 99 },
      ],
    });
  });
  afterAll(async () => {
    devices.close();
    await sim?.close();
  });

  it('proposes rows for scalars, STRING, structure members and program tags; lists arrays as skipped; the rows import and capture', async () => {
    const r = await devices.run<{ tags: { address: string; type: string }[]; skipped: { address: string; reason: string }[] }>({
      kind: 'browse',
      payload: { target: { protocol: 'logix', host: '127.0.0.1', port: sim.port, slot: 0 } },
    });
    expect(r.tags).toEqual(
      expect.arrayContaining([
        { address: 'Running', type: 'BOOL' },
        { address: 'SpeedSP', type: 'REAL' },
        { address: 'Operator', type: 'STRING' },
        { address: 'Recipe.Temp', type: 'REAL' },
        { address: 'Program:MainProgram.Limit', type: 'DINT' },
      ]),
    );
    expect(r.skipped.map((s) => s.address)).toEqual(expect.arrayContaining(['Trend', 'Recipe.Steps']));
    const { formatProfileCsv } = await import('../../../src-shared/common/profile/profile-csv.ts');
    const csv = formatProfileCsv(r.tags.map((t) => ({ tag: t.address.replace(/[^A-Za-z0-9_]/g, '_'), address: t.address, type: t.type })));
    const profile = importProfileCsv(csv, 'logix') as LogixProfile;
    const doc = await new CaptureService(devices).capture(
      { target: { protocol: 'logix', host: '127.0.0.1', port: sim.port, slot: 0 }, profile, profileName: 'browsed', options },
      actor,
    );
    expect(doc.stats.bad).toBe(0);
    expect(doc.values.find((v) => v.address === 'Program:MainProgram.Limit')?.value).toBe(99);
  });

  it('refuses to browse a Modbus controller, saying why', async () => {
    await expect(
      devices.run({ kind: 'browse', payload: { target: { protocol: 'modbus-tcp', host: '127.0.0.1', port: 502 } } }),
    ).rejects.toMatchObject({ code: 'browse-not-supported' });
  });
});
