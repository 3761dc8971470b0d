import { describe, expect, it } from 'vitest';
import { findJournalConflicts, openConflicts, type ConflictEvent } from '../../../src-shared/common/sync/journal-conflicts.ts';

const FP = 'a'.repeat(64);
const sig = (name: string, roles: string[], at: string, fingerprint = FP) => ({
  meaning: 'approved',
  at,
  signer: { name, employeeId: 'X', roles, fingerprint, certificatePem: '' },
});

function checkpoint(id: string, device: string, at: string, decision: string, position: number): ConflictEvent {
  const checkpoints = Array.from({ length: position }, (_, i) => ({
    checkpoint: i === position - 1 ? 'mid-change' : `c${i}`,
    decision,
    label: decision.toUpperCase(),
  }));
  return {
    id,
    device,
    seq: 1,
    type: 'change.updated',
    at,
    payload: {
      changeId: 'C1',
      operation: 'checkpoint',
      by: { id: 'SV', name: 'Sky' },
      state: { status: 'in-execution', fields: { title: 'T' }, execution: { checkpoints } },
    },
  };
}

describe('sync conflicts found from the journal', () => {
  it('flags one checkpoint decided at the same position on two devices, in any input order, but not the same checkpoint decided again later', () => {
    const events = [
      checkpoint('e1', 'A', '2026-01-01T10:00:00Z', 'continue', 2),
      checkpoint('e2', 'B', '2026-01-01T10:01:00Z', 'rollback', 2),
    ];
    const one = findJournalConflicts(events);
    expect(one.map((c) => c.kind)).toEqual(['checkpoint-decided-twice']);
    expect(findJournalConflicts([...events].reverse()).map((c) => c.id)).toEqual(one.map((c) => c.id));
    expect(findJournalConflicts([events[0]!, checkpoint('e3', 'B', '2026-01-01T11:00:00Z', 'rollback', 3)])).toEqual([]);
    expect(findJournalConflicts([events[0]!, { ...events[1]!, device: 'A' }])).toEqual([]);
  });

  it('flags a signature made on another device while the signer was locked out, not one after the lock ended', () => {
    const lock: ConflictEvent = {
      id: 'l1',
      device: 'A',
      seq: 3,
      type: 'person.locked',
      at: '2026-01-01T10:00:00Z',
      payload: { fingerprint: FP, employeeId: 'S300', until: '2026-01-01T10:30:00Z', failures: 3 },
    };
    const during: ConflictEvent = {
      id: 's1',
      device: 'B',
      seq: 9,
      type: 'baseline.approved',
      at: '2026-01-01T10:10:00Z',
      payload: { controllerId: 'P1', version: 1, snapshotSha256: FP, approval: sig('Sam', ['ot-security'], '2026-01-01T10:10:00Z') },
    };
    const after = {
      ...during,
      id: 's2',
      payload: { ...(during.payload as object), version: 2, approval: sig('Sam', ['ot-security'], '2026-01-01T10:31:00Z') },
    };
    expect(findJournalConflicts([lock, during]).map((c) => c.kind)).toEqual(['locked-out-while-signing']);
    expect(findJournalConflicts([lock, after])).toEqual([]);
  });

  it('counts a resolution only when signed by a resolver role', () => {
    const a: ConflictEvent = {
      id: 'b1',
      device: 'A',
      seq: 1,
      type: 'baseline.approved',
      at: '2026-01-01T10:00:00Z',
      payload: {
        controllerId: 'P1',
        version: 4,
        snapshotSha256: FP,
        approval: sig('Pat', ['plant-engineering-manager'], '2026-01-01T10:00:00Z'),
      },
    };
    const b: ConflictEvent = { ...a, id: 'b2', device: 'B', at: '2026-01-01T10:05:00Z' };
    const [conflict] = findJournalConflicts([a, b]);
    expect(conflict?.kind).toBe('baseline-approved-twice');
    const resolution = (roles: string[], id: string): ConflictEvent => ({
      id,
      device: 'B',
      seq: 2,
      type: 'conflict.resolved',
      at: '2026-01-01T11:00:00Z',
      payload: {
        conflictId: conflict!.id,
        kind: conflict!.kind,
        changeId: null,
        decision: conflict!.options[0],
        reason: 'checked on site',
        signature: sig('Erin', roles, '2026-01-01T11:00:00Z'),
      },
    });
    expect(openConflicts(findJournalConflicts([a, b, resolution(['controls-engineer'], 'r1')]))).toHaveLength(1);
    const done = findJournalConflicts([a, b, resolution(['ot-security'], 'r2')]);
    expect(openConflicts(done)).toHaveLength(0);
    expect(done[0]!.resolution).toMatchObject({ by: 'Erin', decision: conflict!.options[0], reason: 'checked on site' });
  });
});
