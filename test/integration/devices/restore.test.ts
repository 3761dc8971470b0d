import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { importProfileCsv } from '../../../src-shared/common/profile/profile-csv.ts';
import type { ModbusProfile, S7Profile } from '../../../src-shared/common/profile/capture-profile.ts';
import { DeviceSupervisor } from '../../../src-main/devices/process/device-supervisor.ts';
import type { RestoreResult } from '../../../src-main/devices/restore-job.ts';
import { startModbusSimulator, type ModbusSimulator } from '../../../src-main/devices/simulator/modbus-simulator.ts';
import { modbusImageFromProfile } from '../../../src-main/devices/simulator/modbus-profile-image.ts';
import { startSnap7Peer, type S7Peer } from '../../helpers/snap7-peer.ts';

const fixture = (name: string) => fileURLToPath(new URL(`../../fixtures/profiles-capture/${name}`, import.meta.url));

describe('restore: write writable tags, read each back, stop at the first failure', () => {
  const devices = new DeviceSupervisor();
  const profile = importProfileCsv(
    readFileSync(fixture('modbus-line1.csv')).toString() +
      'Line1_Far,hr:900,UINT16,config,false,true,beyond the device\nLine1_IrW,ir:5,UINT16,config,false,true,marked writable by mistake\n',
    'modbus',
  ) as ModbusProfile;
  const values = JSON.parse(readFileSync(fixture('modbus-line1-values.json'), 'utf8')) as Record<string, unknown>;
  let sim: ModbusSimulator;
  let s7: S7Peer;
  const modbusTarget = () => ({ protocol: 'modbus-tcp' as const, host: '127.0.0.1', port: sim.port, unitId: 1 });
  const run = (payload: unknown) => devices.run<RestoreResult>({ kind: 'restore', payload });

  beforeAll(async () => {
    const image = modbusImageFromProfile(
      { ...profile, tags: profile.tags.filter((t) => t.tag !== 'Line1_Far' && t.tag !== 'Line1_IrW') },
      values,
    );
    sim = await startModbusSimulator({ image, unitId: 1 });
    s7 = await startSnap7Peer({ 1: Buffer.alloc(64) });
  });
  afterAll(async () => {
    devices.close();
    await sim?.close();
    s7?.stop();
  });

  it('writes a FLOAT32 setpoint and a coil, each read back equal (Modbus)', async () => {
    const r = await run({
      target: modbusTarget(),
      profile,
      writes: [
        { tag: 'Line1_SpeedSP', value: 20.5 },
        { tag: 'Line1_Enable', value: false },
      ],
    });
    expect(r.complete).toBe(true);
    expect(r.outcomes).toEqual([
      { tag: 'Line1_SpeedSP', status: 'written-verified', expectedRaw: '41a40000', readBackRaw: '41a40000' },
      { tag: 'Line1_Enable', status: 'written-verified', expectedRaw: '00', readBackRaw: '00' },
    ]);
    expect([sim.image.hr[0], sim.image.hr[1], sim.image.co[0]]).toEqual([0x41a4, 0, 0]);
  });

  it.each([
    ['a tag not marked writable', [{ tag: 'Line1_MaxTemp', value: 10 }], /not marked writable/],
    ['a tag not in the profile', [{ tag: 'Nope', value: 1 }], /not in the controller's profile/],
    ['an input register', [{ tag: 'Line1_IrW', value: 1 }], /Modbus cannot write/],
    ['a value out of range', [{ tag: 'Line1_Recipe', value: 70000 }], /cannot be written as UINT16/],
    [
      'a later bad value',
      [
        { tag: 'Line1_SpeedSP', value: 1 },
        { tag: 'Line1_Enable', value: 'yes' },
      ],
      /BOOL but the value/,
    ],
  ])('refuses %s before writing anything', async (_name, writes, message) => {
    const before = Uint16Array.from(sim.image.hr.subarray(0, 32));
    const err = await run({ target: modbusTarget(), profile, writes }).then(
      () => null,
      (e: unknown) => e as { code: string; message: string; hint: string },
    );
    expect(err?.code).toBe('restore-refused');
    expect(err?.message).toMatch(message);
    expect(err?.hint).toMatch(/Nothing was written/);
    expect(Uint16Array.from(sim.image.hr.subarray(0, 32))).toEqual(before);
  });

  it('a partial failure reports exactly what was written, what failed and what was not attempted', async () => {
    const r = await run({
      target: modbusTarget(),
      profile,
      writes: [
        { tag: 'Line1_Recipe', value: 9 },
        { tag: 'Line1_Far', value: 1 },
        { tag: 'Line1_Dwell', value: 5 },
      ],
    });
    expect(r.complete).toBe(false);
    expect(r.outcomes.map((o) => [o.tag, o.status])).toEqual([
      ['Line1_Recipe', 'written-verified'],
      ['Line1_Far', 'write-failed'],
      ['Line1_Dwell', 'not-attempted'],
    ]);
    expect(r.outcomes[1]?.error).toMatch(/exception 2 \(ILLEGAL DATA ADDRESS\)/);
    expect(sim.image.hr[20]).toBe(9);
    expect(sim.image.hr[13]).not.toBe(5);
  });

  it('restores S7 values, including a string and a single bit without touching its neighbours', async () => {
    const csv = readFileSync(fixture('s7-press.csv'), 'utf8').replace(
      'Press_GuardOK,"DB1,X10.2",BOOL,live,true,false',
      'Press_GuardOK,"DB1,X10.2",BOOL,live,true,true',
    );
    const s7profile = importProfileCsv(csv, 's7') as S7Profile;
    const db = s7.server.GetArea(s7.server.srvAreaDB, 1);
    db[10] = 0b1000_0001;
    s7.server.SetArea(s7.server.srvAreaDB, 1, db);
    const r = await run({
      target: { protocol: 's7', host: '127.0.0.1', port: s7.port, rack: 0, slot: 1 },
      profile: s7profile,
      writes: [
        { tag: 'Press_ForceSP', value: 180.25 },
        { tag: 'Press_Recipe', value: 'ALU7' },
        { tag: 'Press_GuardOK', value: true },
      ],
    });
    expect(r.outcomes.map((o) => [o.tag, o.status, o.error])).toEqual([
      ['Press_ForceSP', 'written-verified', undefined],
      ['Press_Recipe', 'written-verified', undefined],
      ['Press_GuardOK', 'written-verified', undefined],
    ]);
    const after = s7.server.GetArea(s7.server.srvAreaDB, 1);
    expect(after.readFloatBE(0)).toBe(180.25);
    expect(after.subarray(20, 26)).toEqual(Buffer.from([20, 4, 0x41, 0x4c, 0x55, 0x37]));
    expect(after[10]).toBe(0b1000_0101);
  });
});
