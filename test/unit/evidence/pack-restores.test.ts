import { describe, expect, it } from 'vitest';
import type { JsonValue } from '../../../src-shared/common/canonical-json.ts';
import type { PackEvent } from '../../../src-shared/node/evidence/pack-format.ts';
import { checkManualRollbacks, checkRestores, packRestores, restoreValues } from '../../../src-shared/node/evidence/pack-restores.ts';
import type { SnapshotFile } from '../../../src-shared/common/snapshot/snapshot.ts';
import type { ChangeState } from '../../../src-shared/common/workflow/change-state.ts';

let seq = 10;
function ev(type: string, payload: Record<string, JsonValue>): PackEvent {
  seq++;
  return {
    body: {
      id: `e${seq}`,
      device: 'dev-1',
      seq,
      prev: 'x',
      type,
      payload,
      actor: null,
      at: `2026-11-26T10:00:${String(seq).padStart(2, '0')}.000Z`,
    } as unknown as PackEvent['body'],
    hash: `h${seq}`,
    sig: '',
    role: 'restore',
    member: `journal/dev-1/${String(seq).padStart(8, '0')}.json`,
  };
}
const base = { decisionId: 'd1', changeId: 'c1', controllerId: 'plc' };
const authorized = () =>
  ev('restore.authorized', {
    id: 'd1',
    changeId: 'c1',
    controllerId: 'plc',
    writes: [
      { tag: 'Speed', value: 12.5 },
      { tag: 'Recipe', value: 7 },
    ],
  });
const written = (tag: string, status = 'written-verified', expectedRaw = '4148', readBackRaw: string | null = '4148') =>
  ev('restore.written', { ...base, tag, status, expectedRaw, readBackRaw });
const executed = (outcomes: JsonValue[]) => ev('restore.executed', { ...base, complete: true, outcomes });
const ok = (tag: string) => ({ tag, status: 'written-verified', expectedRaw: '4148', readBackRaw: '4148' });

function failures(events: PackEvent[], rules = { restoreWritesComplete: true }): string[] {
  const out: string[] = [];
  checkRestores(events, (member, record, reason) => out.push(`${member} [${record}] ${reason}`), rules);
  return out;
}

describe('the restores in an evidence pack, value by value', () => {
  it('a restore whose every value was signed, written in order after its start, and reported alike passes, and is listed value by value', () => {
    const events = [authorized(), ev('restore.started', base), written('Speed'), written('Recipe'), executed([ok('Speed'), ok('Recipe')])];
    expect(failures(events)).toEqual([]);
    const [r] = packRestores(events);
    expect(r!.written.map((w) => [w.tag, w.status, w.expectedRaw, w.readBackRaw])).toEqual([
      ['Speed', 'written-verified', '4148', '4148'],
      ['Recipe', 'written-verified', '4148', '4148'],
    ]);
    expect(r!.signed.map((s) => s.tag)).toEqual(['Speed', 'Recipe']);
  });

  it('reads each signed value: its restore.written event, else the outcome (unknown in flight, not attempted), else never started', () => {
    const three = () =>
      ev('restore.authorized', {
        id: 'd1',
        changeId: 'c1',
        controllerId: 'plc',
        writes: [
          { tag: 'Speed', value: 12.5 },
          { tag: 'Recipe', value: 7 },
          { tag: 'Enable', value: true },
        ],
      });
    const values = (events: PackEvent[]) => restoreValues(packRestores(events)[0]!).map((v) => [v.tag, v.outcome]);
    const unknown = (tag: string) => ({ tag, status: 'write-failed', expectedRaw: '', readBackRaw: null, error: 'outcome unknown, …' });
    const notAttempted = (tag: string) => ({ tag, status: 'not-attempted', expectedRaw: '', readBackRaw: null });
    // The job failed while Recipe was being written.
    const failed = [
      three(),
      ev('restore.started', base),
      written('Speed'),
      executed([ok('Speed'), unknown('Recipe'), notAttempted('Enable')]),
    ];
    expect(failures(failed)).toEqual([]);
    expect(values(failed)).toEqual([
      ['Speed', 'written-verified'],
      ['Recipe', 'outcome-unknown'],
      ['Enable', 'not-attempted'],
    ]);
    // Recorded before the in-flight value was reported: every value "outcome unknown", yet Speed's own event tells.
    const older = [
      three(),
      ev('restore.started', base),
      written('Speed'),
      executed([unknown('Speed'), unknown('Recipe'), unknown('Enable')]),
    ];
    expect(failures(older)).toEqual([]);
    expect(values(older)).toEqual([
      ['Speed', 'written-verified'],
      ['Recipe', 'outcome-unknown'],
      ['Enable', 'outcome-unknown'],
    ]);
    // Cut short with no outcome (the app killed): the value after the last read back was in flight.
    expect(values([three(), ev('restore.started', base), written('Speed')])).toEqual([
      ['Speed', 'written-verified'],
      ['Recipe', 'outcome-unknown'],
      ['Enable', 'not-attempted'],
    ]);
    // A restore that stopped at a failed write attempted nothing after it.
    expect(values([three(), ev('restore.started', base), written('Speed', 'write-failed', '4148', null)])).toEqual([
      ['Speed', 'write-failed'],
      ['Recipe', 'not-attempted'],
      ['Enable', 'not-attempted'],
    ]);
    expect(values([three()])).toEqual([
      ['Speed', null],
      ['Recipe', null],
      ['Enable', null],
    ]);
  });

  it('a restore cut short (no outcome) is fine with the values it recorded', () => {
    expect(failures([authorized(), ev('restore.started', base), written('Speed')])).toEqual([]);
  });

  it('names a value the supervisor did not sign, one out of the signed order, and one written twice', () => {
    const events = [authorized(), ev('restore.started', base), written('Recipe'), written('Recipe'), written('Pump')];
    const f = failures(events);
    expect(f.some((x) => /Recipe.*written as value 1, but the signed decision lists it as value 2/.test(x))).toBe(true);
    expect(f.some((x) => /recorded as written twice/.test(x))).toBe(true);
    expect(f.some((x) => /\[seq \d+ \(restore.written\): Pump\] the value written is not one the supervisor signed/.test(x))).toBe(true);
  });

  it('refuses "verified" with a different read-back, and a value written before the decision was taken into use', () => {
    const f = failures([authorized(), written('Speed', 'written-verified', '4148', '0000'), ev('restore.started', base)]);
    expect(f.some((x) => /recorded as written and verified, but it read back 0000 instead of 4148/.test(x))).toBe(true);
    expect(f.some((x) => /no restore.started before it/.test(x))).toBe(true);
  });

  it('an outcome without its restore.written event (removed from the pack) or disagreeing with it is named', () => {
    const f = failures([
      authorized(),
      ev('restore.started', base),
      written('Speed', 'readback-mismatch', '4148', '0001'),
      executed([ok('Speed'), ok('Recipe')]),
    ]);
    expect(
      f.some((x) =>
        /outcome for Speed \(written-verified, read back 4148\) differs from its restore.written event \(readback-mismatch, read back 0001\)/.test(
          x,
        ),
      ),
    ).toBe(true);
    expect(f.some((x) => /reports Recipe as written-verified, but the pack holds no restore.written event for it/.test(x))).toBe(true);
  });

  it('a format 1 pack (restore writes not promised) is not failed for a missing restore.written, but the ones it holds are still checked', () => {
    const earlier = { restoreWritesComplete: false };
    const events = [authorized(), ev('restore.started', base), executed([ok('Speed'), ok('Recipe')])];
    expect(failures(events, earlier)).toEqual([]);
    expect(failures(events)).toHaveLength(2);
    const f = failures(
      [
        authorized(),
        ev('restore.started', base),
        written('Speed', 'readback-mismatch', '4148', '0001'),
        executed([ok('Speed'), ok('Recipe')]),
      ],
      earlier,
    );
    expect(f).toEqual([
      expect.stringMatching(/outcome for Speed \(written-verified, read back 4148\) differs from its restore.written event/),
    ]);
  });

  it('a failed job whose outcomes are unknown needs no restore.written; a restore with no signed decision in the pack is refused', () => {
    const unknown = {
      tag: 'Recipe',
      status: 'write-failed',
      expectedRaw: '',
      readBackRaw: null,
      error: 'outcome unknown, the restore job failed: worker died',
    };
    expect(failures([authorized(), ev('restore.started', base), written('Speed'), executed([ok('Speed'), unknown])])).toEqual([]);
    const f = failures([ev('restore.started', base), written('Speed')]);
    expect(f).toHaveLength(1);
    expect(f[0]).toMatch(/restore.started\)\] no signed restore decision d1 in the pack backs this restore/);
  });
});

describe('the re-capture proof of a manual rollback in a pack', () => {
  const file = (recipe: number): SnapshotFile =>
    ({
      document: {
        controller: { description: 'PLC', target: { protocol: 'modbus-tcp', host: '127.0.0.1', port: 502, unitId: 1 } },
        identity: null,
        values: [
          {
            tag: 'Recipe',
            address: 'hr:20',
            type: 'UINT16',
            value: recipe,
            raw: null,
            quality: 'good',
            class: 'config',
            safety: false,
            writable: true,
          },
        ],
      },
    }) as unknown as SnapshotFile;
  const snapshots = new Map([
    ['b'.repeat(64), file(7)],
    ['d'.repeat(64), file(9)],
  ]);
  const state = (differences: { tag: string; reason: string }[], status = 'rolled-back'): ChangeState =>
    ({
      status,
      closure: { outcome: 'rolled-back' },
      execution: {
        manualRollbacks: [
          {
            controllerId: 'plc',
            by: { id: 'e', name: 'E' },
            at: '',
            proof: {
              snapshotSha256: 'd'.repeat(64),
              beforeSnapshotSha256: 'b'.repeat(64),
              matchesBefore: differences.length === 0,
              differences,
              unlisted: 0,
              explanations: [],
            },
          },
        ],
      },
    }) as unknown as ChangeState;
  const run = (s: ChangeState): string[] => {
    const out: string[] = [];
    checkManualRollbacks(s, snapshots, 'journal/d/1.json', 'seq 1', (_m, _r, reason) => out.push(reason));
    return out;
  };

  it('agrees with a record that lists the difference the snapshots show, and names one that claims a match', () => {
    expect(run(state([{ tag: 'Recipe', reason: 'Changed from 7 to 9.' }]))).toEqual([]);
    expect(run(state([]))).toEqual([
      'the re-capture differs from the before-snapshot in 1 value(s) (Recipe), not in the 0 the signed record lists',
    ]);
  });

  it('a change closed after an unproven manual rollback is named', () => {
    expect(run(state([{ tag: 'Recipe', reason: 'x' }], 'closed'))).toEqual([
      'closed after a manual rollback of plc that its re-capture does not prove',
    ]);
  });
});
