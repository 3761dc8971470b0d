import { describe, expect, expectTypeOf, it } from 'vitest';
import { OPERATIONS } from '../../../src-shared/common/api/contract.ts';
import { CHANGE_OPERATIONS } from '../../../src-shared/common/workflow/change-state.ts';
import {
  SIGNED_ACTIONS,
  SIGNED_ACTION_TYPES,
  SignedActionSchema,
  actionFieldLabels,
  type SignedAction,
  type SignedActionOf,
} from '../../../src-shared/common/workflow/signed-actions.ts';

const PW = 'pw';
const SHA = 'a'.repeat(64);

/** One valid request per action, as a renderer form would send it. */
const SAMPLES: { [K in keyof typeof SIGNED_ACTIONS]: SignedActionOf<K> } = {
  submit: { type: 'submit' },
  withdraw: { type: 'withdraw', reason: 'not needed' },
  approve: { type: 'approve', role: 'ot-security', diffReviewed: true },
  'approve-with-conditions': { type: 'approve-with-conditions', role: 'ot-security', conditions: ['after the shift change'] },
  reject: { type: 'reject', role: 'ot-security', reason: 'no rollback plan' },
  defer: { type: 'defer', role: 'ot-security', reason: 'next CAB' },
  schedule: {
    type: 'schedule',
    start: '2026-12-05T06:00:00.000Z',
    end: '2026-12-05T08:00:00.000Z',
    override: { employeeId: 'E1', password: PW, role: 'plant-manager', rule: 'blackout', reason: 'line down anyway' },
  },
  'break-glass': {
    type: 'break-glass',
    approverEmployeeId: 'PM1',
    approverPassword: PW,
    approverRole: 'plant-manager',
    method: 'phone',
    reason: 'line stopped',
  },
  'start-execution': { type: 'start-execution', witnessEmployeeId: 'E2', witnessPassword: PW },
  'record-snapshot': { type: 'record-snapshot', phase: 'before', controllerId: 'c1', snapshotSha256: SHA },
  checkpoint: {
    type: 'checkpoint',
    role: 'shift-supervisor',
    checkpoint: 'pre',
    decision: 'go',
    confirmed: ['a'],
    notes: [{ item: 'a', note: 'checked' }],
  },
  explain: {
    type: 'explain',
    explanations: [{ controllerId: 'c1', tag: 'T1', text: 'operator moved it' }],
    supervisorEmployeeId: 'E3',
    supervisorPassword: PW,
  },
  'window-decision': { type: 'window-decision', decision: 'complete', comment: 'ten minutes of testing left' },
  rollback: { type: 'rollback', reason: 'pressure alarm' },
  close: { type: 'close' },
  'retrospective-review': {
    type: 'retrospective-review',
    role: 'cab',
    comment: 'not justified',
    verdict: 'reject',
    followUp: 'corrective-change',
  },
  'safety-sign-off': { type: 'safety-sign-off', role: 'safety-manager', confirmed: ['Safety interlocks checked and working'] },
  'confirm-break-glass': { type: 'confirm-break-glass' },
  'emergency-report': { type: 'emergency-report', rootCause: 'worn photo-eye', lessonsLearned: 'keep spares', permanentFix: 'CR-0042' },
  'rollback-decision': {
    type: 'rollback-decision',
    answers: { safetyImpact: false, productionCritical: true, workaroundAvailable: false },
  },
  'manual-rollback': { type: 'manual-rollback', controllerId: 'c1', kind: 'firmware', reference: 'fw-2.1.bin', confirmed: ['a'] },
  'rollback-proof': { type: 'rollback-proof', controllerId: 'c1', snapshotSha256: SHA },
  'post-implementation-review': {
    type: 'post-implementation-review',
    role: 'plant-engineering-manager',
    objectivesMet: true,
    findings: 'ok',
    lessonsLearned: 'none',
  },
};

describe('the signed-actions table: every signed decision declared once', () => {
  it('declares every change operation a person signs (all but edit and checklist ticks), each as its own operation', () => {
    expect([...SIGNED_ACTION_TYPES].sort()).toEqual(CHANGE_OPERATIONS.filter((o) => o !== 'edit' && o !== 'tick-item').sort());
    for (const type of SIGNED_ACTION_TYPES) expect(SIGNED_ACTIONS[type].operation).toBe(type);
  });

  it('is the schema changes.act validates with', () => {
    expect(OPERATIONS['changes.act'].request.shape.action).toBe(SignedActionSchema);
  });

  it.each(SIGNED_ACTION_TYPES)('accepts a well-formed %s and refuses it with an unknown field', (type) => {
    expect(SignedActionSchema.parse(SAMPLES[type])).toEqual(SAMPLES[type]);
    const r = SignedActionSchema.safeParse({ ...SAMPLES[type], stray: 1 });
    expect(r.success).toBe(false);
  });

  it('refuses an unknown action and a required field left out, naming it', () => {
    expect(SignedActionSchema.safeParse({ type: 'delete' }).success).toBe(false);
    const r = SignedActionSchema.safeParse({ type: 'reject', role: 'ot-security' });
    expect(r.success).toBe(false);
    if (!r.success) expect(r.error.issues.map((i) => i.path.join('.'))).toContain('reason');
  });

  it('gives a form what it needs: a label for every field, the meaning, who signs and who co-signs', () => {
    for (const type of SIGNED_ACTION_TYPES) {
      const spec = SIGNED_ACTIONS[type];
      const labels = actionFieldLabels(type);
      expect(Object.keys(labels).sort()).toEqual(
        Object.keys(spec.schema.shape)
          .filter((k) => k !== 'type')
          .sort(),
      );
      for (const label of Object.values(labels)) expect(label.trim()).not.toBe('');
      expect(spec.title).not.toBe('');
      expect(spec.signerText).not.toBe('');
      for (const c of spec.cosigners) {
        const holder = c.within === null ? spec.schema.shape : (spec.schema.shape as Record<string, unknown>)[c.within];
        expect(holder, `${type}: ${c.as}`).toBeDefined();
      }
    }
    expect(SIGNED_ACTIONS.explain.cosigners.map((c) => [c.as, c.meaning, c.required])).toEqual([['countersign', 'reviewed', 'always']]);
    expect(SIGNED_ACTIONS['start-execution'].cosigners.map((c) => c.as)).toEqual(['witness', 'override']);
    expect(SIGNED_ACTIONS['break-glass'].cosigners.map((c) => [c.as, c.meaning, c.required])).toEqual([
      ['break-glass-approver', 'approved', 'now-or-later'],
    ]);
    expect(SIGNED_ACTIONS.checkpoint.meaning).toBe('checkpoint-decision');
    expect(SIGNED_ACTIONS.reject.meaning).toBe('rejected');
  });

  it('derives the SignedAction type from the schema', () => {
    expectTypeOf<SignedActionOf<'reject'>>().toEqualTypeOf<{ type: 'reject'; role: string; reason: string }>();
    expectTypeOf<SignedAction['type']>().toEqualTypeOf<keyof typeof SIGNED_ACTIONS>();
  });
});
