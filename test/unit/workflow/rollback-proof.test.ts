/**
 * Issue #15, item 6: a manual rollback ends in the same re-capture proof as a restore. The rules on a rolled-back
 * change: the proof is a capture taken after the signed procedure and compared with the before-snapshot; CLOSE waits
 * until it matches, or each difference is explained by the engineer and countersigned by a shift supervisor not on it.
 */
import { describe, expect, it } from 'vitest';
import type { ChangeState } from '../../../src-shared/common/workflow/change-state.ts';
import { MANUAL_ROLLBACK_STEPS } from '../../../src-shared/common/workflow/rollback-guidance.ts';
import {
  explainRollbackProof,
  rollbackProof,
  rollbackProofStatus,
  unprovenRollbacks,
} from '../../../src-shared/common/workflow/rollback-proof.ts';
import type { OpOf, RuleOutcome } from '../../../src-shared/common/workflow/rule-outcome.ts';
import { PEOPLE } from './packaging-plant.ts';

const { eng, pem, super: sup } = PEOPLE;
const ref = (p: { id: string; name: string }) => ({ id: p.id, name: p.name });
const AT = '2026-06-05T03:40:00.000Z';
const NOW = new Date('2026-06-05T03:50:00Z');
const names = (id: string) => (id === 'plc-1' ? 'PLC-L09-FILLER' : id);
const SIGNERS = ['shift-supervisor'];

/** A change rolled back after its before-snapshot; with `manual`, the filler's logic written back by hand at AT. */
function rolledBack(manual = true): ChangeState {
  return {
    id: 'c1',
    number: 'CR-0009',
    requester: ref(pem),
    createdAt: AT,
    fields: { title: 'Filler logic', targetControllers: ['plc-1'] },
    status: 'rolled-back',
    rollback: { by: ref(eng), at: AT, reason: 'faults' },
    execution: {
      startedAt: AT,
      executor: ref(eng),
      witness: null,
      stagingRecord: null,
      overrides: [],
      breakGlass: null,
      retrospective: null,
      snapshots: [
        {
          phase: 'before',
          controllerId: 'plc-1',
          snapshotSha256: 'b'.repeat(64),
          capturedBy: eng.name,
          capturedAt: AT,
          by: ref(eng),
          at: AT,
          verification: null,
        },
      ],
      manualRollbacks: manual
        ? [
            {
              controllerId: 'plc-1',
              kind: 'logic',
              reference: 'filler.L5X',
              steps: MANUAL_ROLLBACK_STEPS.map((text) => ({ text, confirmed: true })),
              by: ref(eng),
              at: AT,
            },
          ]
        : [],
    },
  } as unknown as ChangeState;
}
const proof = (
  differences: { tag: string; reason: string }[],
  capturedAt = '2026-06-05T03:45:00.000Z',
  total = differences.length,
): OpOf<'rollback-proof'> => ({
  type: 'rollback-proof',
  by: eng,
  controllerId: 'plc-1',
  snapshot: { sha256: 'd'.repeat(64), capturedBy: eng.name, capturedAt },
  beforeSnapshotSha256: 'b'.repeat(64),
  differences,
  total,
});
const explain = (
  by = eng,
  countersigner = sup,
  tag = 'Recipe',
  text = 'Recipe 9 kept on purpose for the next order.',
): OpOf<'explain'> => ({
  type: 'explain',
  by,
  countersigner,
  role: 'shift-supervisor',
  explanations: [{ controllerId: 'plc-1', tag, text }],
});
const next = (r: RuleOutcome): ChangeState => {
  if (!r.ok) throw new Error(r.text);
  return r.next;
};
const manual = (s: ChangeState) => ('execution' in s ? s.execution.manualRollbacks![0]! : null)!;

describe('the re-capture proof of a manual rollback', () => {
  it('a change with a signed manual rollback does not close until the controller was captured again', () => {
    expect(unprovenRollbacks(rolledBack(false), names)).toBeNull();
    expect(unprovenRollbacks(rolledBack(), names)).toMatchObject({
      ok: false,
      rule: 'rollback-unproven',
      text: 'the manual rollback is not proven: PLC-L09-FILLER has not been captured again since its manual rollback.',
    });
  });

  it('is refused without a signed manual rollback, for a capture taken before it, or compared with another before-snapshot', () => {
    expect(rollbackProof(rolledBack(false), proof([]), NOW, names)).toMatchObject({
      ok: false,
      rule: 'rollback-proof-invalid',
      text: expect.stringContaining('PLC-L09-FILLER has no signed manual rollback') as unknown,
    });
    expect(rollbackProof(rolledBack(), proof([], '2026-06-05T03:39:59.000Z'), NOW, names)).toMatchObject({
      ok: false,
      rule: 'rollback-proof-invalid',
      text: expect.stringContaining('before the manual rollback was signed') as unknown,
    });
    expect(rollbackProof(rolledBack(), { ...proof([]), beforeSnapshotSha256: 'e'.repeat(64) }, NOW, names)).toMatchObject({
      ok: false,
      rule: 'rollback-proof-invalid',
    });
  });

  it('a re-capture that matches the before-snapshot proves the rollback, and the change closes', () => {
    const s = next(rollbackProof(rolledBack(), proof([]), NOW, names));
    expect(manual(s).proof).toMatchObject({
      snapshotSha256: 'd'.repeat(64),
      matchesBefore: true,
      differences: [],
      unlisted: 0,
      explanations: [],
      by: ref(eng),
      at: NOW.toISOString(),
    });
    expect(rollbackProofStatus(manual(s))).toMatchObject({ status: 'proven', how: 'matches' });
    expect(unprovenRollbacks(s, names)).toBeNull();
  });

  it('differences block CLOSE by name until the engineer explains each and a shift supervisor not on the change countersigns', () => {
    const s = next(rollbackProof(rolledBack(), proof([{ tag: 'Recipe', reason: 'Changed from 7 to 9.' }]), NOW, names));
    expect(unprovenRollbacks(s, names)).toMatchObject({
      rule: 'rollback-unproven',
      text: 'the manual rollback is not proven: the re-capture of PLC-L09-FILLER still differs from the before-snapshot (Recipe) without a countersigned explanation.',
    });
    expect(explainRollbackProof(s, explain(pem), SIGNERS, NOW, names)).toMatchObject({ ok: false, rule: 'explanation-invalid' });
    expect(explainRollbackProof(s, explain(eng, { ...pem, roles: ['shift-supervisor'] }), SIGNERS, NOW, names)).toMatchObject({
      ok: false,
      rule: 'segregation-of-duties',
    });
    expect(
      explainRollbackProof(s, explain(eng, { ...eng, id: 'p-x', name: 'Xavier', roles: ['controls-engineer'] }), SIGNERS, NOW, names),
    ).toMatchObject({ ok: false, rule: 'role-not-held' });
    expect(explainRollbackProof(s, explain(eng, sup, 'SpeedSP'), SIGNERS, NOW, names)).toMatchObject({
      ok: false,
      rule: 'explanation-invalid',
      text: expect.stringContaining('still to explain: Recipe') as unknown,
    });
    expect(explainRollbackProof(s, explain(eng, sup, 'Recipe', '  '), SIGNERS, NOW, names)).toMatchObject({
      ok: false,
      rule: 'reason-required',
    });
    const explained = next(explainRollbackProof(s, explain(), SIGNERS, NOW, names));
    expect(manual(explained).proof!.explanations).toEqual([
      {
        tag: 'Recipe',
        text: 'Recipe 9 kept on purpose for the next order.',
        by: ref(eng),
        countersignedBy: ref(sup),
        at: NOW.toISOString(),
      },
    ]);
    expect(rollbackProofStatus(manual(explained))).toMatchObject({ status: 'proven', how: 'explained' });
    expect(unprovenRollbacks(explained, names)).toBeNull();
  });

  it('a later re-capture replaces the earlier one with its explanations; differences beyond those kept cannot be explained away', () => {
    const s = next(
      explainRollbackProof(
        next(rollbackProof(rolledBack(), proof([{ tag: 'Recipe', reason: 'x' }]), NOW, names)),
        explain(),
        SIGNERS,
        NOW,
        names,
      ),
    );
    const again = next(rollbackProof(s, proof([{ tag: 'Dwell', reason: 'y' }], '2026-06-05T03:48:00.000Z'), NOW, names));
    expect(manual(again).proof!.explanations).toEqual([]);
    expect(rollbackProofStatus(manual(again))).toMatchObject({ status: 'differences', open: [{ tag: 'Dwell', reason: 'y' }] });
    const many = next(rollbackProof(s, proof([{ tag: 'Recipe', reason: 'x' }], '2026-06-05T03:48:00.000Z', 80), NOW, names));
    const all = next(explainRollbackProof(many, explain(), SIGNERS, NOW, names));
    expect(rollbackProofStatus(manual(all))).toMatchObject({ status: 'differences', open: [], unlisted: 79 });
    expect(unprovenRollbacks(all, names)?.ok).toBe(false);
  });
});
