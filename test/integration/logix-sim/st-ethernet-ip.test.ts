/**
 * st-ethernet-ip (the Logix driver's library, written by others) against our simulated Logix controller over
 * real TCP on 127.0.0.1: session, Forward Open, identity, tag-list browse with UDT templates, Read Tag (all
 * types it decodes), Read Tag Fragmented, Write Tag, Read-Modify-Write, Multiple Service Packet, wall clock,
 * Forward Close, and the errors it reports.
 *
 * st-ethernet-ip has no port option (it always dials its EIP_PORT constant, 44818), so `connect` below points
 * that constant at the simulator's OS-chosen port first. Each test file runs in its own worker, so this global
 * is not shared with other files.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import eip from 'st-ethernet-ip';
import { startLogixSimulator, type LogixSimulator } from '../../../src-main/devices/simulator/logix/logix-simulator.ts';
import type { LogixTagDatabaseSpec } from '../../../src-main/devices/simulator/logix/tag-database.ts';

const { Controller, Tag, TagGroup, Structure } = eip;
type PlcController = InstanceType<typeof Controller>;
const require = createRequire(import.meta.url);
const eipConfig = require('st-ethernet-ip/dist/config.js') as { EIP_PORT: number };
const BIT_STRING = 0xd3; // st-ethernet-ip's name for the DWORD type of BOOL arrays

async function connect(port: number, options: { connected?: boolean; setup?: boolean } = {}): Promise<PlcController> {
  eipConfig.EIP_PORT = port;
  const plc = new Controller(options.connected ?? true);
  plc.timeout_sp = 3000;
  plc.on('error', () => {
    /* socket errors surface as rejected calls; never crash the test worker */
  });
  await plc.connect('127.0.0.1', 0, options.setup ?? true);
  return plc;
}

/** Reads one tag by name and returns its value (st-ethernet-ip learns the type from the reply). */
async function read(plc: PlcController, name: string, program?: string): Promise<unknown> {
  const tag = new Tag(name, program);
  await plc.readTag(tag);
  return tag.value;
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

const MANY = Array.from({ length: 50 }, (_, i) => `Many_${String(i).padStart(3, '0')}`);

const PLANT: LogixTagDatabaseSpec = {
  udts: [
    {
      name: 'RecipeType',
      members: [
        { name: 'Temp', type: 'REAL' },
        { name: 'Steps', type: 'DINT', dims: 4 },
        { name: 'Name', type: 'STRING' },
        { name: 'Ready', type: 'BOOL' },
        { name: 'Batch', type: 'LINT' },
      ],
    },
  ],
  tags: [
    { name: 'Running', type: 'BOOL', value: true },
    { name: 'Small', type: 'SINT', value: -12 },
    { name: 'Word', type: 'INT', value: -1234 },
    { name: 'Line1_SpeedSP', type: 'REAL', value: 12.5 },
    { name: 'Count', type: 'DINT', value: 123456 },
    { name: 'Big', type: 'LINT', value: '9007199254740993' },
    { name: 'Precise', type: 'LREAL', value: 0.1 },
    { name: 'Operator', type: 'STRING', value: 'J. Smith' },
    { name: 'Recipe', type: 'RecipeType', value: { Temp: 72.5, Steps: [10, 20, 30, 40], Name: 'Rye', Ready: true, Batch: 7 } },
    { name: 'Arr', type: 'INT', dims: 10, value: [0, 10, 20, 30, 40, 50, 60, 70, 80, 90] },
    { name: 'Trend', type: 'REAL', dims: 400, value: Array.from({ length: 400 }, (_, i) => i / 4) },
    { name: 'Flags', type: 'DINT', value: 0b100 },
    { name: 'Lamps', type: 'BOOL', dims: 64 },
    { name: 'Locked', type: 'DINT', value: 7, writable: false },
    { name: 'Program:MainProgram.Limit', type: 'DINT', value: 99 },
    ...MANY.map((name, i) => ({ name, type: 'DINT', value: i * 11 })),
  ],
};

describe('st-ethernet-ip against the simulated Logix controller (connected messaging)', () => {
  let sim: LogixSimulator;
  let plc: PlcController;

  beforeAll(async () => {
    sim = await startLogixSimulator({ ...PLANT, identity: { serial: 0x6011a7e5, revision: { major: 32, minor: 12 } } });
    sim.setTag('Lamps[40]', true);
    plc = await connect(sim.port);
  });
  afterAll(async () => {
    await plc?.disconnect();
    await sim?.close();
  });

  it('connects (RegisterSession, Forward Open) and reads the controller properties from the Identity object', () => {
    expect(plc.established_conn).toBe(true);
    expect(plc.properties).toMatchObject({
      name: '1756-L83E/B',
      serial_number: 0x6011a7e5,
      version: '32.12',
      status: 0x0060,
      run: true,
      program: false,
      faulted: false,
    });
  });

  it('reads known values of every type st-ethernet-ip decodes, a UDT member, an array element and a program tag', async () => {
    expect(await read(plc, 'Running')).toBe(true);
    expect(await read(plc, 'Small')).toBe(-12);
    expect(await read(plc, 'Word')).toBe(-1234);
    expect(await read(plc, 'Line1_SpeedSP')).toBe(12.5);
    expect(await read(plc, 'Count')).toBe(123456);
    expect(await read(plc, 'Big')).toBe(9007199254740993n);
    expect(await read(plc, 'Recipe.Temp')).toBe(72.5);
    expect(await read(plc, 'Recipe.Steps[2]')).toBe(30);
    expect(await read(plc, 'Recipe.Ready')).toBe(true);
    expect(await read(plc, 'Arr[3]')).toBe(30);
    expect(await read(plc, 'Program:MainProgram.Limit')).toBe(99);
    expect(await read(plc, 'Limit', 'MainProgram')).toBe(99);
    expect(await read(plc, 'Flags.2')).toBe(true);
    const lamp = new Tag('Lamps[40]', undefined, BIT_STRING);
    await plc.readTag(lamp);
    expect(lamp.value).toBe(true);
  });

  it('reads STRING and whole UDTs through the templates it fetched while browsing', async () => {
    const operator = plc.newTag('Operator', undefined, false);
    expect(operator).toBeInstanceOf(Structure);
    await plc.readTag(operator);
    expect(operator.value).toBe('J. Smith');
    const recipe = plc.newTag('Recipe', undefined, false);
    await plc.readTag(recipe);
    expect(recipe.value).toMatchObject({ Temp: 72.5, Steps: [10, 20, 30, 40], Name: 'Rye', Ready: true, Batch: 7n });
  });

  it('reads an array larger than one reply: Read Tag answers 0x06, then Read Tag Fragmented', async () => {
    const before = sim.requests;
    const trend = new Tag('Trend', undefined, undefined, 0, 1, 400);
    await plc.readTag(trend);
    const values = trend.value as number[];
    expect(values).toHaveLength(400);
    expect(values[399]).toBe(99.75);
    expect(sim.requests - before).toBeGreaterThanOrEqual(1 + Math.ceil(1600 / 492));
    const slice = new Tag('Arr[2]', undefined, undefined, 0, 1, 3);
    await plc.readTag(slice);
    expect(slice.value).toEqual([20, 30, 40]);
  });

  it('writes writable tags and reads them back (DINT, REAL member, STRING, BOOL bit by Read-Modify-Write)', async () => {
    const count = new Tag('Count');
    await plc.readTag(count);
    count.value = 654321;
    await plc.writeTag(count);
    expect(sim.getTag('Count')).toBe(654321);
    expect(await read(plc, 'Count')).toBe(654321);

    const temp = new Tag('Recipe.Temp');
    await plc.readTag(temp);
    temp.value = 80.25;
    await plc.writeTag(temp);
    expect(sim.getTag('Recipe.Temp')).toBe(80.25);

    const operator = plc.newTag('Operator', undefined, false);
    await plc.readTag(operator);
    operator.value = 'A. Jones';
    await plc.writeTag(operator);
    expect(sim.getTag('Operator')).toBe('A. Jones');

    const bit = new Tag('Flags.0');
    await plc.readTag(bit);
    bit.value = true;
    await plc.writeTag(bit);
    expect(sim.getTag('Flags')).toBe(0b101);
    expect(await read(plc, 'Flags.0')).toBe(true);
  });

  it('refuses a write to a read-only tag with 0x0F and leaves it unchanged', async () => {
    const locked = new Tag('Locked');
    await plc.readTag(locked);
    locked.value = 1;
    expect(await rejection(plc.writeTag(locked))).toEqual({ generalStatusCode: 0x0f, extendedStatus: [] });
    expect(sim.getTag('Locked')).toBe(7);
  });

  it('reads many tags through a TagGroup in Multiple Service Packets: fewer requests than tags', async () => {
    const group = new TagGroup();
    const tags = MANY.map((name) => new Tag(name));
    for (const t of tags) group.add(t);
    const requests = sim.requests;
    const services = sim.services;
    await plc.readTagGroup(group);
    expect(tags.map((t) => t.value)).toEqual(MANY.map((_, i) => i * 11));
    expect(sim.services - services).toBe(MANY.length);
    expect(sim.requests - requests).toBeLessThan(MANY.length);
    expect(sim.requests - requests).toBeLessThanOrEqual(3); // st-ethernet-ip packs ~300 bytes of requests per packet
  });

  it('browses the tag list: controller and program tags, programs, and UDT templates', () => {
    const names = plc.tagList.map((t) => (t.program ? `Program:${t.program}.${t.name}` : t.name));
    expect(names).toEqual(expect.arrayContaining(['Running', 'Recipe', 'Trend', 'Lamps', 'Program:MainProgram.Limit', ...MANY]));
    expect(plc.tagList).toHaveLength(PLANT.tags.length);
    const byName = Object.fromEntries(plc.tagList.map((t) => [t.name, t.type]));
    expect(byName['Recipe']).toMatchObject({ structure: true, typeName: 'RecipeType', arrayDims: 0 });
    expect(byName['Operator']).toMatchObject({ structure: true, typeName: 'STRING' });
    expect(byName['Trend']).toMatchObject({ structure: false, typeName: 'REAL', arrayDims: 1 });
    const recipeTemplate = plc.templateList[byName['Recipe']?.code ?? -1];
    expect(recipeTemplate?._members.filter((m) => !m.name.startsWith('ZZZZZZZZZZ')).map((m) => m.name)).toEqual([
      'Temp',
      'Steps',
      'Name',
      'Ready',
      'Batch',
    ]);
  });

  it('gives a clear error for an unknown tag: CIP 0x04 (path segment error), extended 0x0000', async () => {
    expect(await rejection(read(plc, 'NoSuchTag'))).toEqual({ generalStatusCode: 0x04, extendedStatus: [0] });
    expect(await rejection(read(plc, 'Recipe.NoSuchMember'))).toEqual({ generalStatusCode: 0x04, extendedStatus: [0] });
    expect(await rejection(read(plc, 'Arr[10]'))).toEqual({ generalStatusCode: 0x05, extendedStatus: [] });
    // In a group, the unknown tag is reported on the tag ('Unknown' event) and the others are still read.
    const group = new TagGroup();
    const good = [new Tag('Count'), new Tag('Word')];
    const unknown = new Tag('NoSuchTag');
    let reported = false;
    unknown.on('Unknown', () => {
      reported = true;
    });
    for (const t of [good[0], unknown, good[1]]) group.add(t as InstanceType<typeof Tag>);
    await plc.readTagGroup(group);
    expect(reported).toBe(true);
    expect(good.map((t) => t.value)).toEqual([654321, -1234]);
  });

  it('cannot decode LREAL: st-ethernet-ip rejects the read the simulator answers correctly', async () => {
    const err = await rejection(read(plc, 'Precise'));
    expect(String((err as Error).message)).toMatch(/Unrecognized Type Passed Read from Controller: 203 LREAL/);
    expect(sim.getTag('Precise')).toBe(0.1);
  });

  it('reads and sets the wall clock (class 0x8B) of an L8x controller', async () => {
    await plc.readWallClock();
    expect(Math.abs((plc.properties.time as Date).getTime() - Date.now())).toBeLessThan(5000);
    await plc.writeWallClock(new Date(2031, 4, 6, 7, 8, 9));
    await plc.readWallClock();
    expect((plc.properties.time as Date).getFullYear()).toBe(2031);
    await plc.writeWallClock(new Date());
  });

  it('served everything without an internal error', () => {
    expect(sim.errors).toEqual([]);
  });
});

describe('st-ethernet-ip against the simulated Logix controller (unconnected messaging, Unconnected Send)', () => {
  let sim: LogixSimulator;
  let plc: PlcController;

  beforeAll(async () => {
    sim = await startLogixSimulator({ ...PLANT, identity: { productName: '1769-L33ER/A LOGIX5333ER', status: 0x0070 } });
    plc = await connect(sim.port, { connected: false });
  });
  afterAll(async () => {
    await plc?.disconnect();
    await sim?.close();
  });

  it('connects without Forward Open and reads properties, tags, fragmented arrays and groups', async () => {
    expect(plc.established_conn).toBe(false);
    expect(plc.properties).toMatchObject({ name: '1769-L33ER/A LOGIX5333ER', run: false, program: true });
    expect(await read(plc, 'Line1_SpeedSP')).toBe(12.5);
    expect(await read(plc, 'Recipe.Steps[3]')).toBe(40);
    const trend = new Tag('Trend', undefined, undefined, 0, 1, 400);
    await plc.readTag(trend);
    expect((trend.value as number[])[200]).toBe(50);
    const group = new TagGroup();
    const tags = MANY.slice(0, 20).map((name) => new Tag(name));
    for (const t of tags) group.add(t);
    await plc.readTagGroup(group);
    expect(tags.map((t) => t.value)).toEqual(MANY.slice(0, 20).map((_, i) => i * 11));
    expect(plc.tagList.length).toBe(PLANT.tags.length);
    expect(sim.errors).toEqual([]);
  });

  it('rejects the whole group when an unknown tag is not the last one (st-ethernet-ip reads 0x1E that way unconnected)', async () => {
    const group = new TagGroup();
    for (const name of ['Count', 'NoSuchTag', 'Word']) group.add(new Tag(name));
    expect(await rejection(plc.readTagGroup(group))).toMatchObject({ generalStatusCode: 0x1e });
  });
});

describe('st-ethernet-ip against a controller in another slot', () => {
  it('connects when the route names the slot, and gets 0x01/0x0312 when it names another', async () => {
    const sim = await startLogixSimulator({ tags: [{ name: 'Count', type: 'DINT', value: 5 }], slot: 2 });
    try {
      eipConfig.EIP_PORT = sim.port;
      const plc = new Controller(false);
      plc.timeout_sp = 3000;
      plc.on('error', () => {});
      await plc.connect('127.0.0.1', 2, false);
      expect(await read(plc, 'Count')).toBe(5);
      await plc.disconnect();
      const wrong = new Controller(true);
      wrong.timeout_sp = 3000;
      wrong.on('error', () => {});
      expect(await rejection(wrong.connect('127.0.0.1', 0, false))).toMatchObject({ generalStatusCode: 0x01, extendedStatus: [0x0312] });
      wrong.destroy();
    } finally {
      await sim.close();
    }
  });
});
