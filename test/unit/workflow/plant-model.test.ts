import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BaselineError } from '../../../src-shared/common/errors.ts';
import { parsePlantCsv, parsePlantFile, parsePlantYaml, plantSitesAndLines } from '../../../src-shared/common/workflow/plant-model.ts';

const demo = readFileSync(fileURLToPath(new URL('../../../resources/plant/demo-plant.yaml', import.meta.url)), 'utf8');

/** The problems a refused file lists. */
function problemsOf(parse: () => unknown): string[] {
  try {
    parse();
  } catch (e) {
    expect(e).toBeInstanceOf(BaselineError);
    expect((e as BaselineError).code).toBe('plant-invalid');
    return (e as BaselineError).details!.problems as string[];
  }
  throw new Error('the file was accepted');
}

describe('plant model from YAML', () => {
  it('the 24-line demo plant: one site, tiers 1/2/3 as in the 24-line packaging plant (3, 14 and 7 lines)', () => {
    const { sites, lines } = plantSitesAndLines(parsePlantYaml(demo, 'demo-plant.yaml'));
    expect(sites).toEqual([{ id: 'midwest-packaging', name: 'Midwest packaging plant' }]);
    expect(lines).toHaveLength(24);
    expect([1, 2, 3].map((t) => lines.filter((l) => l.tier === t).length)).toEqual([3, 14, 7]);
    expect(new Set(lines.map((l) => l.site))).toEqual(new Set(['midwest-packaging']));
  });

  it('several sites: each line names its site', () => {
    const plant = parsePlantYaml(
      `schema: baseline.plant/1
sites: [ { id: north, name: North plant }, { id: south, name: South plant } ]
lines:
  - { id: N1, name: North 1, tier: 1, site: north }
  - { id: S1, name: South 1, tier: 3, site: south }
`,
      'two-sites.yaml',
    );
    expect(plantSitesAndLines(plant).lines.map((l) => `${l.id}@${l.site}`)).toEqual(['N1@north', 'S1@south']);
  });

  it('names the file, line and field of every problem: first of shape, then of references between sites and lines', () => {
    const sites = 'schema: baseline.plant/1\nsites: [ { id: north, name: North plant }, { id: south, name: South plant } ]\nlines:\n';
    expect(
      problemsOf(() =>
        parsePlantYaml(
          `${sites}  - { id: N1, name: North 1, tier: 4, site: north }\n  - { id: N 2, name: '', tier: 1, colour: red }\n`,
          'shape.yaml',
        ),
      ),
    ).toEqual([
      'shape.yaml line 4, lines.0.tier: must be 1, 2 or 3',
      'shape.yaml line 5, lines.1.id: must be letters, digits, dot, dash or underscore (at most 40)',
      'shape.yaml line 5, lines.1.name: must not be empty',
      'shape.yaml line 5, lines.1: Unrecognized key: "colour"',
    ]);
    const problems = problemsOf(() =>
      parsePlantYaml(
        `${sites}  - { id: N1, name: North 1, tier: 2, site: north }
  - { id: S1, name: South 1, tier: 3, site: east }
  - { id: S2, name: South 2, tier: 3 }
  - { id: N1, name: again, tier: 1, site: north }
`,
        'bad.yaml',
      ),
    );
    expect(problems).toEqual([
      'bad.yaml line 5, lines.1.site: there is no site east (sites: north, south)',
      'bad.yaml line 6, lines.2: the plant has 2 sites, so each line names its site',
      'bad.yaml line 7, lines.3.id: line id N1 appears twice',
    ]);
  });

  it('controllers in the file: connection defaults filled in, safety only when given, names unique whatever their case, on a line of the file, a known protocol', () => {
    const file = readFileSync(fileURLToPath(new URL('../../fixtures/plant/plant-with-controllers.yaml', import.meta.url)), 'utf8');
    const plant = parsePlantYaml(file, 'p.yaml');
    expect(plant.controllers?.map((c) => [c.name, c.line, c.safety, c.target.protocol, 'port' in c.target ? c.target.port : null])).toEqual(
      [
        ['PLC-L01-FILLER', 'L02', undefined, 'modbus-tcp', 5020],
        ['PLC-L02-CAPPER', 'L02', undefined, 's7', 1102],
        ['SIS-L18-BURNER', 'L18', true, 'logix', 44818],
      ],
    );
    expect(problemsOf(() => parsePlantYaml(file.replace('name: PLC-L02-CAPPER', 'name: plc-l01-filler'), 'p.yaml'))).toEqual([
      'p.yaml line 13, controllers.1.name: controller plc-l01-filler appears twice',
    ]);
    expect(problemsOf(() => parsePlantYaml(file.replace('protocol: s7', 'protocol: profinet'), 'p.yaml'))[0]).toMatch(
      /^p\.yaml line 15, controllers\.1\.target\.protocol: /,
    );
  });

  it('refuses a file with both site and sites, and YAML that does not parse', () => {
    expect(
      problemsOf(() =>
        parsePlantYaml(
          'schema: baseline.plant/1\nsite: { id: a, name: A }\nsites: [ { id: b, name: B } ]\nlines: [ { id: L1, name: x, tier: 1 } ]\n',
          'both.yaml',
        ),
      ),
    ).toEqual(['both.yaml line 1, (document): give either "site" (one site) or "sites" (a list), not both and not neither']);
    expect(problemsOf(() => parsePlantYaml('schema: baseline.plant/1\nlines: [ { id: L01, tier: 9 ', 'broken.yaml'))[0]).toMatch(
      /^broken\.yaml line \d+: /,
    );
  });
});

describe('plant model from a CSV of lines', () => {
  const good =
    'site,site_name,line,line_name,tier\r\nnorth,North plant,N1,North 1,1\r\nnorth,,N2,"North 2, labeler",2\r\nsouth,South plant,S1,South 1,3\r\n';

  it("reads sites in order of appearance, a site's name from any of its rows, quoted commas", () => {
    const plant = parsePlantCsv(good, 'lines.csv');
    expect(plant.sites).toEqual([
      { id: 'north', name: 'North plant' },
      { id: 'south', name: 'South plant' },
    ]);
    expect(plant.lines).toEqual([
      { id: 'N1', name: 'North 1', tier: 1, site: 'north' },
      { id: 'N2', name: 'North 2, labeler', tier: 2, site: 'north' },
      { id: 'S1', name: 'South 1', tier: 3, site: 'south' },
    ]);
    expect(parsePlantFile(good, 'LINES.CSV')).toEqual(plant);
  });

  it('lists every problem by file line and column', () => {
    const problems = problemsOf(() =>
      parsePlantCsv(
        [
          'site,site_name,line,line_name,tier',
          'north,North plant,N1,North 1,1',
          'north,Nord,N2,North 2,high',
          'south,,N1,,2',
          'west,West,W 1,West 1,2,extra',
        ].join('\n'),
        'lines.csv',
      ),
    );
    expect(problems).toEqual([
      'lines.csv line 3, site_name: site north is named "North plant" on line 2; one site has one name',
      'lines.csv line 3, tier: "high" must be 1, 2 or 3',
      'lines.csv line 4, site_name: site south has no name on any of its rows',
      'lines.csv line 4, line: line N1 is already defined on line 2 of the file; line ids are unique',
      'lines.csv line 4, line_name: "" must not be empty',
      'lines.csv line 5: This line has 6 fields but the header has 5; a value probably contains an unquoted comma.',
      'lines.csv line 5, line: "W 1" must be letters, digits, dot, dash or underscore (at most 40)',
    ]);
  });

  it('refuses a header without the required columns, an unknown column, and an empty file', () => {
    expect(problemsOf(() => parsePlantCsv('site,line,tier,colour\nA,L1,1,red\n', 'l.csv'))).toEqual([
      'l.csv line 1, colour: Unknown column "colour"; the columns are site, site_name, line, line_name, tier.',
      'l.csv line 1, site_name: The header has no "site_name" column; site, site_name, line, line_name, tier are required.',
      'l.csv line 1, line_name: The header has no "line_name" column; site, site_name, line, line_name, tier are required.',
    ]);
    expect(problemsOf(() => parsePlantCsv('\n\n', 'empty.csv'))).toEqual([
      'empty.csv line 1: The file is empty: it needs a header line and at least one line.',
    ]);
    expect(problemsOf(() => parsePlantCsv('site,site_name,line,line_name,tier\n', 'h.csv'))).toEqual([
      'h.csv line 1: The file has a header but no lines.',
    ]);
  });
});

describe('plant file attacks', () => {
  it('a YAML alias bomb is refused with a clear error naming the file, not an internal error', () => {
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      const cur = String.fromCharCode(97 + i);
      levels.push(`${cur}: &${cur} [${Array(9).fill(`*${prev}`).join(',')}]`);
    }
    const bomb = `schema: baseline.plant/1\n${levels.join('\n')}\nsites: *i\n`;
    let caught: unknown;
    try {
      parsePlantYaml(bomb, 'bomb-plant.yaml');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(BaselineError);
    const e = caught as BaselineError;
    expect(e.code).not.toBe('internal');
    expect(e.message).toMatch(/bomb-plant\.yaml: the YAML cannot be read \(.*alias/i);
    expect(e.hint).not.toBe('');
  });
});
