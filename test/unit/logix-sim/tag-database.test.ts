/** The simulated controller's tag database: declaration, inference from member/element names, values, paths. */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { LogixTagDatabase, type LogixTagDatabaseSpec } from '../../../src-main/devices/simulator/logix/tag-database.ts';
import { decodeEpath, encodeEpath, logical, type EpathSegment } from '../../../src-main/devices/simulator/logix/epath.ts';
import { CipStatusError } from '../../../src-main/devices/simulator/logix/cip-status.ts';
import { BaselineError } from '../../../src-shared/common/errors.ts';

const sym = (name: string): EpathSegment => ({ kind: 'symbolic', name });

const PLANT: LogixTagDatabaseSpec = {
  udts: [
    {
      name: 'StepType',
      members: [
        { name: 'Time', type: 'DINT' },
        { name: 'Done', type: 'BOOL' },
      ],
    },
    {
      name: 'RecipeType',
      members: [
        { name: 'Temp', type: 'REAL' },
        { name: 'Steps', type: 'StepType', dims: 3 },
        { name: 'Name', type: 'STRING' },
        { name: 'Enable', type: 'BOOL' },
        { name: 'Total', type: 'LINT' },
      ],
    },
  ],
  tags: [
    { name: 'Enable', type: 'BOOL', value: true },
    { name: 'Small', type: 'SINT', value: -5 },
    { name: 'Word', type: 'INT', value: 1234 },
    { name: 'Flags', type: 'DINT', value: 0b1010 },
    { name: 'Big', type: 'LINT', value: '9007199254740993' },
    { name: 'Speed', type: 'REAL', value: 1.5 },
    { name: 'Precise', type: 'LREAL', value: 0.1 },
    { name: 'Msg', type: 'STRING', value: 'hello' },
    { name: 'Grid', type: 'INT', dims: [2, 3], value: [1, 2, 3, 4, 5, 6] },
    { name: 'Bits', type: 'BOOL', dims: 64 },
    {
      name: 'Recipe',
      type: 'RecipeType',
      value: { Temp: 72.5, Steps: [{ Time: 10 }, { Time: 20, Done: true }], Name: 'Bread', Enable: true, Total: 5 },
    },
    { name: 'Program:Main.Limit', type: 'DINT', value: 99, writable: false },
    { name: 'Program:Main.Recipe', type: 'RecipeType' },
  ],
};

function cipStatus(fn: () => unknown): [number, readonly number[]] {
  try {
    fn();
  } catch (err) {
    if (err instanceof CipStatusError) return [err.generalStatus, err.extendedStatus];
    throw err;
  }
  throw new Error('expected a CIP error');
}

describe('LogixTagDatabase', () => {
  const db = LogixTagDatabase.load(PLANT);

  it('holds values of every type, by Studio 5000 name (case-insensitive)', () => {
    expect(['Enable', 'Small', 'Word', 'Flags', 'Big', 'Speed', 'Precise', 'Msg'].map((n) => db.getValue(n))).toEqual([
      true,
      -5,
      1234,
      10,
      9007199254740993n,
      1.5,
      0.1,
      'hello',
    ]);
    expect(db.getValue('grid')).toEqual([1, 2, 3, 4, 5, 6]);
    expect(db.getValue('Grid[1,0]')).toBe(4);
    expect(db.getValue('Recipe.Temp')).toBe(72.5);
    expect(db.getValue('Recipe.Steps[1].Done')).toBe(true);
    expect(db.getValue('RECIPE.steps[1].time')).toBe(20);
    expect(db.getValue('Recipe')).toEqual({
      Temp: 72.5,
      Name: 'Bread',
      Enable: true,
      Total: 5n,
      Steps: [
        { Time: 10, Done: false },
        { Time: 20, Done: true },
        { Time: 0, Done: false },
      ],
    });
    expect(db.getValue('Program:Main.Limit')).toBe(99);
    expect(db.getValue('Program:Main.Recipe.Temp')).toBe(0);
  });

  it('addresses bits of integers and BOOL array elements by name, and BOOL arrays in 32-bit words over CIP', () => {
    expect(db.getValue('Flags.1')).toBe(true);
    db.setValue('Flags.0', true);
    expect(db.getValue('Flags')).toBe(11);
    db.setValue('Bits[40]', true);
    expect(db.getValue('Bits[40]')).toBe(true);
    expect((db.getValue('Bits') as boolean[]).flatMap((b, i) => (b ? [i] : []))).toEqual([40]);
    const loc = db.resolvePath([sym('Bits'), logical('member', 1)]);
    expect(db.readElements(loc, 1)).toEqual({ type: Buffer.from('d300', 'hex'), data: Buffer.from('00010000', 'hex') });
  });

  it('resolves request paths: program scope, members, elements, symbol instances', () => {
    const temp = db.resolvePath([sym('Recipe'), sym('Temp')]);
    expect(db.readElements(temp, 1).data.readFloatLE(0)).toBe(72.5);
    const time = db.resolvePath([sym('Recipe'), sym('Steps'), logical('member', 1), sym('Time')]);
    expect(db.readElements(time, 1).data.readInt32LE(0)).toBe(20);
    const done = db.resolvePath([sym('Recipe'), sym('Steps'), logical('member', 1), sym('Done')]);
    expect(db.readElements(done, 1)).toEqual({ type: Buffer.from('c100', 'hex'), data: Buffer.from([1]) });
    const limit = db.resolvePath(decodeEpath(encodeEpath([sym('Program:Main'), sym('Limit')])));
    expect(db.readElements(limit, 1).data.readInt32LE(0)).toBe(99);
    const bySymbol = db.resolvePath([logical('class', 0x6b), logical('instance', 3)]);
    expect(bySymbol.tag.name).toBe('Word');
    const grid = db.resolvePath([sym('Grid'), logical('member', 1), logical('member', 1)]);
    expect(grid.elements).toBe(2); // Grid[1,1] and Grid[1,2] remain
    expect(db.readElements(grid, 2).data.toString('hex')).toBe('05000600');
    const str = db.readElements(db.resolvePath([sym('Msg')]), 1);
    expect(str.type.toString('hex')).toBe('a002ce0f');
    expect(str.data.length).toBe(88);
  });

  it('answers path errors the way Logix does', () => {
    expect(cipStatus(() => db.resolvePath([sym('Nope')]))).toEqual([0x04, [0]]);
    expect(cipStatus(() => db.resolvePath([sym('Recipe'), sym('Nope')]))).toEqual([0x04, [0]]);
    expect(cipStatus(() => db.resolvePath([sym('Program:Other'), sym('Limit')]))).toEqual([0x04, [0]]);
    expect(cipStatus(() => db.resolvePath([sym('Grid'), logical('member', 2), logical('member', 0)]))).toEqual([0x05, []]);
    expect(cipStatus(() => db.resolvePath([sym('Grid'), logical('member', 1)]))[0]).toBe(0x04);
    expect(cipStatus(() => db.resolvePath([sym('Recipe'), sym('Steps'), sym('Time')]))[0]).toBe(0x04);
    expect(cipStatus(() => db.resolvePath([sym('Speed'), logical('member', 0)]))[0]).toBe(0x04);
    expect(cipStatus(() => db.resolvePath([logical('class', 0x6b), logical('instance', 99)]))[0]).toBe(0x05);
    expect(cipStatus(() => db.readElements(db.resolvePath([sym('Grid')]), 7))).toEqual([0xff, [0x2105]]);
  });

  it('lists symbols with Logix symbol types: arrays (bits 13-14), structures (0x8000|template), programs (0x1068)', () => {
    const list = db.listSymbols(null);
    const byName = Object.fromEntries(list.map((s) => [s.name, s]));
    expect(byName['Speed']?.symbolType).toBe(0x00ca);
    expect(byName['Grid']).toMatchObject({ symbolType: 0x40c3, elementSize: 2, dims: [2, 3, 0] });
    expect(byName['Bits']).toMatchObject({ symbolType: 0x20d3, elementSize: 4, dims: [64, 0, 0] });
    expect(byName['Msg']?.symbolType).toBe(0x8fce);
    const recipeId = (byName['Recipe']?.symbolType ?? 0) & 0x0fff;
    expect(db.template(recipeId)?.name).toBe('RecipeType');
    expect(byName['Program:Main']?.symbolType).toBe(0x1068);
    expect(db.listSymbols('main').map((s) => s.name)).toEqual(['Limit', 'Recipe']);
    expect(list.map((s) => s.instanceId)).toEqual(list.map((_, i) => i + 1));
  });

  it('infers UDTs and array sizes from member and element names (a capture profile is enough)', () => {
    const inferred = LogixTagDatabase.load({
      tags: [
        { name: 'Recipe.Temp', type: 'REAL', value: 70 },
        { name: 'Recipe.Steps[2].Time', type: 'DINT', value: 5 },
        { name: 'Recipe.Steps[0].Time', type: 'DINT' },
        { name: 'Recipe.Name', type: 'STRING', value: 'Rye' },
        { name: 'Recipe.Ok', type: 'BOOL', value: true },
        { name: 'Grid[1,2]', type: 'DINT', value: 12 },
        { name: 'Lamps[40]', type: 'BOOL', value: true },
        { name: 'Program:Main.Arr[3]', type: 'INT', value: 3, writable: false },
      ],
    });
    expect(inferred.getValue('Recipe')).toEqual({ Temp: 70, Steps: [{ Time: 0 }, { Time: 0 }, { Time: 5 }], Name: 'Rye', Ok: true });
    expect(inferred.getValue('Grid')).toEqual([0, 0, 0, 0, 0, 12]);
    expect((inferred.getValue('Lamps') as boolean[]).length).toBe(64);
    expect(inferred.getValue('Program:Main.Arr')).toEqual([0, 0, 0, 3]);
    expect(inferred.templates().map((t) => t.name)).toEqual(['STRING', 'Recipe_Steps_Type', 'Recipe_Type']);
    const arr = inferred.resolvePath([sym('Program:Main'), sym('Arr')]);
    expect(arr.tag.writable).toBe(false);
  });

  it('sets values by name, partially for UDTs and arrays, and refuses values that do not fit', () => {
    const d = LogixTagDatabase.load(PLANT);
    d.setValue('Recipe', { Temp: 1 });
    expect(d.getValue('Recipe.Name')).toBe('Bread');
    d.setValue('Grid', [9]);
    expect(d.getValue('Grid')).toEqual([9, 2, 3, 4, 5, 6]);
    for (const [name, value] of [
      ['Small', 200],
      ['Msg', 'x'.repeat(83)],
      ['Grid', [1, 2, 3, 4, 5, 6, 7]],
      ['Recipe', { Nope: 1 }],
      ['Recipe', 5],
      ['Nope', 1],
      ['Speed.3', true],
    ] as const) {
      expect(() => d.setValue(name, value), `${name}`).toThrow(BaselineError);
    }
  });

  it('refuses bad declarations with a message naming the tag', () => {
    const bad: Array<[LogixTagDatabaseSpec, RegExp]> = [
      [
        {
          tags: [
            { name: 'A', type: 'DINT' },
            { name: 'a', type: 'DINT' },
          ],
        },
        /listed twice/,
      ],
      [{ tags: [{ name: 'A', type: 'WORD' }] }, /Unknown data type "WORD"/],
      [{ tags: [{ name: 'A', type: 'DINT', dims: [1, 2, 3, 4] }] }, /dimensions/],
      [{ tags: [{ name: '9A', type: 'DINT' }] }, /starts with a digit/],
      [{ tags: [], udts: [{ name: 'L', members: [{ name: 'Self', type: 'L' }] }] }, /contains itself/],
      [
        {
          tags: [
            { name: 'X[1]', type: 'DINT' },
            { name: 'X.Y', type: 'DINT' },
          ],
        },
        /does not fit/,
      ],
      [
        {
          tags: [
            { name: 'X', type: 'DINT' },
            { name: 'X[1]', type: 'DINT' },
          ],
        },
        /DINT in this controller|index on something/,
      ],
      [{ tags: [{ name: 'N.3', type: 'BOOL' }] }, /bit of an integer/],
    ];
    for (const [spec, message] of bad) expect(() => LogixTagDatabase.load(spec)).toThrow(message);
  });

  it('loads the Logix rows of the profile fixture when they agree, and names the rows that do not', () => {
    const csv = readFileSync(new URL('../../fixtures/profiles/logix-good.csv', import.meta.url), 'utf8')
      .trim()
      .split('\n')
      .slice(1);
    const rows = csv.map((line) => {
      const cells = line.match(/("[^"]*"|[^,]*)(,|$)/g)?.map((c) => c.replace(/,$/, '').replace(/^"|"$/g, '')) ?? [];
      return { name: cells[1] ?? '', type: cells[2] ?? '' };
    });
    // The fixture uses Arr[3] as INT and Arr[1,2] as DINT: one tag cannot be both.
    expect(() => LogixTagDatabase.load({ tags: rows })).toThrow(/Arr\[1,2\] does not fit/);
    const consistent = LogixTagDatabase.load({ tags: rows.filter((r) => r.name !== 'Arr[1,2]') });
    expect(consistent.getValue('Recipe')).toEqual({ Temp: 0, Steps: [{ Time: 0 }, { Time: 0 }, { Time: 0 }], Name: '' });
    expect(consistent.getValue('Program:MainProgram.Limit')).toBe(0);
  });
});
