import { describe, expect, it } from 'vitest';
import { findChangeConflicts, type ChangeDecisionFact } from '../../../src-shared/common/sync/change-conflicts.ts';

const fact = (device: string, seq: number, operation: string, status: string, at: string, changeId = 'chg-1'): ChangeDecisionFact => ({
  eventId: `${device}-${seq}`,
  device,
  seq,
  changeId,
  operation,
  status,
  at,
  by: device === 'A' ? 'Pat Manager' : 'Erin Engineer',
  title: 'Raise filler speed',
});

describe('conflicts between laptops that could not see each other', () => {
  it('flags a change withdrawn on one laptop and executed on another, whatever order the events arrive in', () => {
    const facts = [
      fact('A', 10, 'schedule', 'scheduled', '2026-12-07T16:00:00Z'),
      fact('B', 4, 'start-execution', 'in-execution', '2026-12-11T05:10:00Z'),
      fact('B', 5, 'checkpoint', 'in-execution', '2026-12-11T05:12:00Z'),
      fact('A', 11, 'withdraw', 'withdrawn', '2026-12-11T05:20:00Z'),
    ];
    for (const order of [facts, [...facts].reverse()]) {
      const found = findChangeConflicts(order);
      expect(found).toHaveLength(1);
      expect(found[0]).toMatchObject({
        kind: 'withdrawn-while-executed',
        changeId: 'chg-1',
        stop: { device: 'A', seq: 11 },
        execution: { device: 'B', operation: 'start-execution' },
      });
      expect(found[0]!.message).toBe(
        'Change "Raise filler speed" was withdrawn by Pat Manager at 2026-12-11T05:20:00Z on one laptop, while Erin Engineer executed it (start-execution) at 2026-12-11T05:10:00Z on another laptop that was offline.',
      );
    }
  });

  it('flags a rejection against a break-glass start elsewhere, and nothing when one laptop did both or nobody executed', () => {
    expect(
      findChangeConflicts([
        fact('A', 1, 'reject', 'rejected', '2026-12-01T10:00:00Z'),
        fact('B', 1, 'break-glass', 'in-execution', '2026-12-01T09:00:00Z'),
      ]).map((c) => c.kind),
    ).toEqual(['rejected-while-executed']);
    expect(
      findChangeConflicts([
        fact('A', 1, 'withdraw', 'withdrawn', '2026-12-01T10:00:00Z'),
        fact('A', 2, 'start-execution', 'in-execution', '2026-12-01T11:00:00Z'),
      ]),
    ).toEqual([]);
    expect(
      findChangeConflicts([
        fact('A', 1, 'approve', 'approved', '2026-12-01T10:00:00Z'),
        fact('B', 1, 'withdraw', 'withdrawn', '2026-12-01T11:00:00Z'),
      ]),
    ).toEqual([]);
    expect(
      findChangeConflicts([
        fact('A', 1, 'withdraw', 'withdrawn', '2026-12-01T10:00:00Z', 'x'),
        fact('B', 1, 'start-execution', 'in-execution', '2026-12-01T11:00:00Z', 'y'),
      ]),
    ).toEqual([]);
  });
});
