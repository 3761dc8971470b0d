import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { importProfileCsv } from '../../../src-shared/common/profile/profile-csv.ts';
import type { ModbusProfile } from '../../../src-shared/common/profile/capture-profile.ts';
import { diffTextArtefact, isTextArtefact, mediaTypeOf } from '../../../src-shared/common/diff/artefact-diff.ts';
import { startModbusSimulator, type ModbusSimulator } from '../../../src-main/devices/simulator/modbus-simulator.ts';
import { modbusImageFromProfile } from '../../../src-main/devices/simulator/modbus-profile-image.ts';
import { runBaselineAsync } from '../../helpers/cli.ts';
import { tempHome } from '../../helpers/temp-home.ts';

const fixture = (name: string) => fileURLToPath(new URL(`../../fixtures/${name}`, import.meta.url));

describe('artefacts attached to snapshots: stored by hash, XML/text line diff, binary hash/size', () => {
  const t = tempHome();
  let sim: ModbusSimulator;
  beforeAll(async () => {
    const profile = importProfileCsv(readFileSync(fixture('profiles-capture/modbus-line1.csv')), 'modbus') as ModbusProfile;
    sim = await startModbusSimulator({ image: modbusImageFromProfile(profile, {}), unitId: 1 });
  });
  afterAll(async () => {
    await sim?.close();
    t.cleanup();
  });

  it('media types: L5X and Openness XML are text, ACD and TIA archives are binary', () => {
    expect(mediaTypeOf('Line1.L5X')).toBe('application/xml');
    expect(isTextArtefact(mediaTypeOf('Line1.L5X'), 'Line1.L5X')).toBe(true);
    expect(isTextArtefact(mediaTypeOf('Line1.ACD'), 'Line1.ACD')).toBe(false);
    expect(isTextArtefact(mediaTypeOf('Press.zap17'), 'Press.zap17')).toBe(false);
    const d = diffTextArtefact('a.st', 'x := 1;\r\ny := 2;\r\n', 'x := 1;\ny := 3;\n');
    expect(d).toMatchObject({ addedLines: 1, removedLines: 1, truncated: false });
    expect(d.patch).toMatch(/-y := 2;\n\+y := 3;/);
  });

  it('capture --attach stores the files; diff --home shows the L5X line change and the binary size change', async () => {
    const acd1 = join(t.home, 'Line1.ACD');
    writeFileSync(acd1, Buffer.from([1, 2, 3, 4]));
    const base = [
      'capture',
      '--protocol',
      'modbus-tcp',
      '--host',
      '127.0.0.1',
      '--port',
      String(sim.port),
      '--profile',
      fixture('profiles-capture/modbus-line1.csv'),
      '--home',
      join(t.home, 'store'),
    ];
    const a = await runBaselineAsync([
      ...base,
      '--out',
      join(t.home, 'a.json'),
      '--attach',
      fixture('artefacts/Line1_v1.L5X'),
      '--attach',
      acd1,
    ]);
    expect(a.stderr).toBe('');
    expect(a.code).toBe(0);
    const snap = JSON.parse(readFileSync(join(t.home, 'a.json'), 'utf8')) as {
      document: { artefacts: { name: string; size: number; mediaType: string }[] };
    };
    expect(snap.document.artefacts.map((x) => [x.name, x.mediaType])).toEqual([
      ['Line1_v1.L5X', 'application/xml'],
      ['Line1.ACD', 'application/octet-stream'],
    ]);

    // Same names in the second capture, new contents.
    const v2 = join(t.home, 'Line1_v1.L5X');
    writeFileSync(v2, readFileSync(fixture('artefacts/Line1_v2.L5X')));
    writeFileSync(acd1, Buffer.from([1, 2, 3, 4, 5, 6]));
    const b = await runBaselineAsync([...base, '--out', join(t.home, 'b.json'), '--attach', v2, '--attach', acd1]);
    expect(b.code).toBe(0);

    const diff = await runBaselineAsync(['diff', join(t.home, 'a.json'), join(t.home, 'b.json'), '--home', join(t.home, 'store')]);
    expect(diff.code).toBe(3);
    expect(diff.stdout).toMatch(/artefact changed Line1_v1\.L5X/);
    expect(diff.stdout).toMatch(/1 lines added, 1 removed/);
    expect(diff.stdout).toMatch(/-<Data Format="Decorated"><DataValue DataType="REAL" Radix="Float" Value="12.5"\/><\/Data>/);
    expect(diff.stdout).toMatch(/artefact changed Line1\.ACD: 4 bytes, .* -> 6 bytes/);
    const withoutHome = await runBaselineAsync(['diff', join(t.home, 'a.json'), join(t.home, 'b.json')], { BASELINE_HOME: '' });
    expect(withoutHome.stdout).toMatch(/line diff needs the files/);
  });

  it('attaching needs a data directory to keep the files', async () => {
    const r = await runBaselineAsync(
      [
        'capture',
        '--protocol',
        'modbus-tcp',
        '--host',
        '127.0.0.1',
        '--port',
        String(sim.port),
        '--profile',
        fixture('profiles-capture/modbus-line1.csv'),
        '--out',
        join(t.home, 'c.json'),
        '--attach',
        fixture('artefacts/Line1_v1.L5X'),
      ],
      { BASELINE_HOME: '' },
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Pass --home DIR/);
  });
});
