import { describe, expect, it } from 'vitest';
import { BaselineError } from '../../../src-shared/common/errors.ts';
import { diffableFromCapture } from '../../../src-shared/common/diff/diffable-document.ts';
import { diffDocuments, isDifference, type DiffKind, type DiffRow } from '../../../src-shared/common/diff/document-diff.ts';
import { docOf, loadCapture, val } from './diff-helpers.ts';

function rowOf(rows: DiffRow[], tag: string): DiffRow {
  const row = rows.find((r) => r.tag === tag);
  if (!row) throw new Error(`no row for ${tag}`);
  return row;
}

function kinds(rows: DiffRow[]): Record<string, DiffKind> {
  return Object.fromEntries(rows.map((r) => [r.tag, r.kind]));
}

describe('diffDocuments on the fixture capture pair', () => {
  const diff = diffDocuments(diffableFromCapture(loadCapture('before')), diffableFromCapture(loadCapture('after')));

  it('gives every tag its kind', () => {
    expect(kinds(diff.rows)).toEqual({
      Line1_SpeedSP: 'changed',
      Line1_TempHi: 'changed',
      Zero_Offset: 'changed',
      Fault_Value: 'changed',
      Batch_Count: 'unchanged',
      Recipe_Id: 'unchanged',
      Pump_Run: 'unchanged',
      Mode: 'type-changed',
      Valve_Status: 'quality-changed',
      Old_Limit: 'removed',
      New_Limit: 'added',
      Operator_Msg: 'unchanged',
      Loop_Gain: 'changed',
      Motor_Current: 'changed',
      Tank_Level: 'unchanged',
    });
  });

  it('keeps the before order and places an added tag after its neighbour', () => {
    const tags = diff.rows.map((r) => r.tag);
    expect(tags.indexOf('New_Limit')).toBe(tags.indexOf('Valve_Status') + 1);
    expect(tags.indexOf('Old_Limit')).toBe(tags.indexOf('New_Limit') + 1);
    expect(tags[0]).toBe('Line1_SpeedSP');
  });

  it('counts per class, keeping live tags out of drift', () => {
    expect(diff.counts.config).toEqual({ changed: 5, added: 1, removed: 1, 'type-changed': 1, 'quality-changed': 1, unchanged: 4 });
    expect(diff.counts.live).toEqual({ changed: 1, added: 0, removed: 0, 'type-changed': 0, 'quality-changed': 0, unchanged: 1 });
    expect(diff.summary).toEqual({ configDifferences: 9, liveDifferences: 1, drift: true, addressChanges: 1, identical: false });
  });

  it('flags rows from the profile: safety, writable, live, moved address', () => {
    expect(rowOf(diff.rows, 'Line1_TempHi')).toMatchObject({ safety: true, writable: true, live: false });
    expect(rowOf(diff.rows, 'Motor_Current')).toMatchObject({ safety: false, writable: false, live: true });
    expect(rowOf(diff.rows, 'Mode').addressChanged).toBe(true);
    expect(rowOf(diff.rows, 'Old_Limit')).toMatchObject({ after: null, writable: true });
  });

  it('reports the identity change separately', () => {
    expect(diff.identityCompared).toBe(true);
    expect(diff.identityChanges).toEqual([{ key: 'firmware', before: 'V2.9.4', after: 'V3.0.1' }]);
    expect(diff.forced).toBe(false);
  });

  it('keeps both readings on each row for a side-by-side view', () => {
    const row = rowOf(diff.rows, 'Line1_SpeedSP');
    expect(row.before).toMatchObject({ value: 12.5, raw: '41480000' });
    expect(row.after).toMatchObject({ value: 13, raw: '41500000' });
  });
});

describe('exact comparison', () => {
  const one = (b: Parameters<typeof val>[1], a: Parameters<typeof val>[1]): DiffKind =>
    diffDocuments(docOf([val('T', b)]), docOf([val('T', a)])).rows[0]!.kind;

  it('tells REAL -0 from 0 by the raw bytes, though both are 0 in JSON', () => {
    expect(one({ type: 'REAL', value: 0, raw: '00000000' }, { type: 'REAL', value: 0, raw: '80000000' })).toBe('changed');
  });

  it('tells -0 from 0 by value when there are no raw bytes', () => {
    expect(one({ type: 'LREAL', value: 0, raw: null }, { type: 'LREAL', value: -0, raw: null })).toBe('changed');
    expect(one({ type: 'LREAL', value: 0, raw: null }, { type: 'LREAL', value: 0, raw: null })).toBe('unchanged');
  });

  it('tells NaN payloads apart by raw, and finds equal NaNs equal', () => {
    expect(one({ type: 'REAL', value: 'NaN', raw: '7fc00000' }, { type: 'REAL', value: 'NaN', raw: '7fc00001' })).toBe('changed');
    expect(one({ type: 'REAL', value: 'NaN', raw: '7fc00000' }, { type: 'REAL', value: 'NaN', raw: '7FC00000' })).toBe('unchanged');
  });

  it('sees one unit in the last place of a REAL', () => {
    expect(one({ type: 'REAL', value: 12.5, raw: '41480000' }, { type: 'REAL', value: 12.500000953674316, raw: '41480001' })).toBe(
      'changed',
    );
  });

  it('compares 64-bit integers as their decimal strings, beyond double precision', () => {
    expect(one({ type: 'LINT', value: '9007199254740993', raw: null }, { type: 'LINT', value: '9007199254740992', raw: null })).toBe(
      'changed',
    );
    expect(
      one({ type: 'LINT', value: '-9223372036854775808', raw: null }, { type: 'LINT', value: '-9223372036854775808', raw: null }),
    ).toBe('unchanged');
  });

  it('compares BOOL and STRING by value: their raw bytes hold more than the value', () => {
    expect(one({ type: 'BOOL', value: true, raw: '01' }, { type: 'BOOL', value: true, raw: '81' })).toBe('unchanged');
    expect(one({ type: 'BOOL', value: true, raw: '01' }, { type: 'BOOL', value: false, raw: '00' })).toBe('changed');
    expect(one({ type: 'STRING', value: 'OK', raw: '0a024f4b0000' }, { type: 'STRING', value: 'OK', raw: '0a024f4b5858' })).toBe(
      'unchanged',
    );
  });

  it('falls back to value equality when only one side has raw bytes', () => {
    expect(one({ value: 5, raw: '0005' }, { value: 5, raw: null })).toBe('unchanged');
    expect(one({ value: 5, raw: '0005' }, { value: 6, raw: null })).toBe('changed');
  });

  it('treats a JSON type difference as a change (5 is not "5")', () => {
    expect(one({ value: 5, raw: null }, { value: '5', raw: null })).toBe('changed');
  });

  it('makes quality its own state: good to bad and bad to good are quality-changed, bad to bad is unchanged', () => {
    expect(one({ value: 5 }, { value: null, raw: null, quality: 'bad' })).toBe('quality-changed');
    expect(one({ value: null, raw: null, quality: 'bad' }, { value: 5 })).toBe('quality-changed');
    expect(one({ value: null, raw: null, quality: 'bad', error: 'a' }, { value: null, raw: null, quality: 'bad', error: 'b' })).toBe(
      'unchanged',
    );
  });

  it('reports a type change even when the value is the same', () => {
    expect(one({ type: 'INT16', value: 1 }, { type: 'UINT16', value: 1 })).toBe('type-changed');
  });
});

describe('rows, counts and flags', () => {
  it('takes flags from the after side, and from the before side for a removed tag', () => {
    const d = diffDocuments(
      docOf([val('A', { safety: false, writable: true, class: 'config' }), val('B', { safety: true, writable: false })]),
      docOf([val('A', { safety: true, writable: false, class: 'live', value: 2, raw: '0002' })]),
    );
    expect(d.rows[0]).toMatchObject({ tag: 'A', safety: true, writable: false, live: true, kind: 'changed' });
    expect(d.rows[1]).toMatchObject({ tag: 'B', safety: true, writable: false, live: false, kind: 'removed' });
    expect(d.counts.live.changed).toBe(1);
    expect(d.counts.config.removed).toBe(1);
  });

  it('leaves live changes out of drift', () => {
    const d = diffDocuments(docOf([val('L', { class: 'live' })]), docOf([val('L', { class: 'live', value: 9, raw: '0009' })]));
    expect(d.summary).toMatchObject({ configDifferences: 0, liveDifferences: 1, drift: false, identical: false });
  });

  it('says identical when nothing differs', () => {
    const d = diffDocuments(docOf([val('A'), val('B')]), docOf([val('A'), val('B')]));
    expect(d.summary).toEqual({ configDifferences: 0, liveDifferences: 0, drift: false, addressChanges: 0, identical: true });
    expect(d.rows.every((r) => !isDifference(r))).toBe(true);
  });

  it('can leave unchanged rows out while still counting them', () => {
    const d = diffDocuments(docOf([val('A'), val('B'), val('C')]), docOf([val('A'), val('B', { value: 2, raw: '0002' }), val('C')]), {
      includeUnchanged: false,
    });
    expect(d.rows.map((r) => r.tag)).toEqual(['B']);
    expect(d.counts.config.unchanged).toBe(2);
    expect(d.unchangedIncluded).toBe(false);
  });

  it('places tags added at the start first, and keeps several added tags in their order', () => {
    const d = diffDocuments(docOf([val('B'), val('D')]), docOf([val('A'), val('B'), val('C1'), val('C2'), val('D'), val('E')]));
    expect(d.rows.map((r) => `${r.tag}:${r.kind}`)).toEqual(['A:added', 'B:unchanged', 'C1:added', 'C2:added', 'D:unchanged', 'E:added']);
  });

  it('refuses a document listing a tag twice', () => {
    expect(() => diffDocuments(docOf([val('A'), val('A')]), docOf([val('A')]))).toThrow(/tag "A" more than once/);
  });
});

describe('identity and artefacts', () => {
  it('reports each identity key that differs, appeared or disappeared', () => {
    const d = diffDocuments(
      docOf([], { identity: { firmware: '2.1', serial: 'A1', module: 'CPU-1', vendor: 'Acme' } }),
      docOf([], { identity: { firmware: '2.2', serial: 'B7', vendor: 'Acme', slot: '3' } }),
    );
    expect(d.identityChanges).toEqual([
      { key: 'firmware', before: '2.1', after: '2.2' },
      { key: 'module', before: 'CPU-1', after: null },
      { key: 'serial', before: 'A1', after: 'B7' },
      { key: 'slot', before: null, after: '3' },
    ]);
    expect(d.summary.drift).toBe(true);
  });

  it('does not compare identity when one side has none', () => {
    const d = diffDocuments(docOf([], { identity: null }), docOf([]));
    expect(d.identityCompared).toBe(false);
    expect(d.identityChanges).toEqual([]);
    expect(d.summary.identical).toBe(true);
  });

  it('reports artefacts added, removed and changed by sha256, sorted by name', () => {
    const art = (name: string, sha: string, size = 10) => ({ name, sha256: sha.repeat(64), size, mediaType: 'application/xml' });
    const d = diffDocuments(
      docOf([], { artefacts: [art('Line1.L5X', 'a'), art('old.zip', 'b'), art('same.xml', 'c')] }),
      docOf([], { artefacts: [art('Line1.L5X', 'd', 11), art('same.xml', 'c', 10), art('new.ap18', 'e')] }),
    );
    expect(d.artefactChanges.map((c) => [c.name, c.kind])).toEqual([
      ['Line1.L5X', 'changed'],
      ['new.ap18', 'added'],
      ['old.zip', 'removed'],
    ]);
    expect(d.artefactChanges[0]).toMatchObject({ before: { size: 10 }, after: { size: 11 } });
    expect(d.summary).toMatchObject({ configDifferences: 0, drift: true, identical: false });
  });
});

describe('different controllers', () => {
  const other = { protocol: 'modbus-tcp', address: '127.0.0.6:502 unit 1', description: 'Modbus TCP 127.0.0.6:502 unit 1' };

  it('refuses to diff two controllers, says so and names the way out', () => {
    try {
      diffDocuments(docOf([val('A')]), docOf([val('A')], { controller: other }));
      expect.unreachable('should have refused');
    } catch (e) {
      expect(e).toBeInstanceOf(BaselineError);
      const err = e as BaselineError;
      expect(err.code).toBe('diff-different-controllers');
      expect(err.message).toContain('two different controllers');
      expect(err.message).toContain('127.0.0.5:502');
      expect(err.message).toContain('127.0.0.6:502');
      expect(err.hint).toContain('force');
    }
  });

  it('diffs them when forced, and says it was forced', () => {
    const d = diffDocuments(docOf([val('A')]), docOf([val('A', { value: 3, raw: '0003' })], { controller: other }), { force: true });
    expect(d.forced).toBe(true);
    expect(d.rows[0]!.kind).toBe('changed');
  });

  it('goes by controller id when both documents have one', () => {
    const a = docOf([], {
      controller: { id: 'c-1', protocol: 's7', address: '127.0.0.7:102 rack 0 slot 1', description: 'S7 old address' },
    });
    const b = docOf([], {
      controller: { id: 'c-1', protocol: 's7', address: '127.0.0.8:102 rack 0 slot 1', description: 'S7 new address' },
    });
    expect(diffDocuments(a, b).forced).toBe(false);
    const c = docOf([], { controller: { id: 'c-2', protocol: 's7', address: '127.0.0.7:102 rack 0 slot 1', description: 'S7 twin' } });
    expect(() => diffDocuments(a, c)).toThrow(BaselineError);
  });

  it('treats capture documents of the same target as one controller, and a moved host as another', () => {
    const before = loadCapture('before');
    const moved = {
      ...before,
      controller: { ...before.controller, target: { protocol: 's7' as const, host: '127.0.0.4', port: 102, rack: 0, slot: 1 } },
    };
    expect(() => diffDocuments(diffableFromCapture(before), diffableFromCapture(moved))).toThrow(/two different controllers/);
    expect(diffDocuments(diffableFromCapture(before), diffableFromCapture(before)).summary.identical).toBe(true);
  });
});
