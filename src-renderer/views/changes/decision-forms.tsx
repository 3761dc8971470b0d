/**
 * The small forms of the decisions signed in the change's "Sign a decision" panel, one per action: the widgets of the
 * action's own fields (labelled from the signed-actions table) and the request they make. The signer, the role, the
 * co-signers, the title and what the signature covers come from the table through `ActionForm`.
 */
import type { ReactNode } from 'react';
import type { OperationResponse } from '../../../src-shared/common/api/contract.ts';
import { BREAK_GLASS_METHODS, BREAK_GLASS_METHOD_WORDS } from '../../../src-shared/common/workflow/execution-records.ts';
import type { SignedActionType } from '../../../src-shared/common/workflow/signed-actions.ts';
import { eligibleByRole, type SignerCandidate } from '../../../src-shared/common/workflow/signer-eligibility.ts';
import { plantInputToIso, plantZoneLabel } from '../../components/plant-time.tsx';
import { fieldLabel, type CosignerOptions } from './action-form.tsx';

type Detail = OperationResponse<'changes.get'>;

/** The decisions signed in the "Sign a decision" panel. */
export const DECISIONS = [
  'submit',
  'withdraw',
  'approve',
  'approve-with-conditions',
  'reject',
  'defer',
  'schedule',
  'break-glass',
  'start-execution',
  'rollback',
  'close',
  'retrospective-review',
] as const satisfies readonly SignedActionType[];
export type Decision = (typeof DECISIONS)[number];

/** What a decision's small form is given: the values typed so far (by field name), the change, and who is enrolled. */
export interface DecisionContext {
  value(name: string): string;
  flag(name: string): boolean;
  set(name: string, v: string | boolean): void;
  detail: Detail;
  zone: string;
  people: readonly (SignerCandidate & { fingerprint: string })[];
  roleLabel(role: string): string;
  signerId: string;
  /** Whether an approver has been shown the proposed change (the diff-review box opens then). */
  gateOpen: boolean;
}

/** One decision's small form. */
export interface DecisionForm {
  widgets?(c: DecisionContext): ReactNode;
  fields(c: DecisionContext): Record<string, unknown>;
  cosigners?(c: DecisionContext): Partial<Record<'witness' | 'override' | 'break-glass-approver', CosignerOptions>>;
}

/** A text field of the table's label (a textarea). */
function text(type: Decision, name: string, c: DecisionContext): ReactNode {
  return (
    <label className="wide">
      {fieldLabel(type, name)}
      <textarea rows={2} value={c.value(name)} onChange={(e) => c.set(name, e.target.value)} />
    </label>
  );
}
const optional = (name: string, v: string) => (v.trim() === '' ? {} : { [name]: v });

/** The diff-review box of an approval, open once the proposed change has been shown. */
function reviewedBox(type: Decision, c: DecisionContext): ReactNode {
  return (
    <label className="inline wide">
      <input
        type="checkbox"
        disabled={!c.gateOpen}
        checked={c.flag('diffReviewed')}
        onChange={(e) => c.set('diffReviewed', e.target.checked)}
      />{' '}
      {fieldLabel(type, 'diffReviewed')} (shown above)
    </label>
  );
}

const reasoned = (type: 'withdraw' | 'reject' | 'defer' | 'rollback'): DecisionForm => ({
  widgets: (c) => text(type, 'reason', c),
  fields: (c) => ({ reason: c.value('reason') }),
});

/** The break-glass approver's role and how they gave the approval, inside the approver's block. */
function glassApproval(c: DecisionContext): ReactNode {
  const glassRoles = c.detail.evaluation?.breakGlass?.approverRoles ?? null;
  const held = (c.people.find((p) => p.employeeId === c.value('approverEmployeeId'))?.roles ?? []).filter(
    (r) => glassRoles === null || glassRoles.includes(r),
  );
  return (
    <>
      <label>
        {fieldLabel('break-glass', 'approverRole')}
        <select value={c.value('approverRole')} onChange={(e) => c.set('approverRole', e.target.value)}>
          <option value="">choose…</option>
          {held.map((r) => (
            <option key={r} value={r}>
              {c.roleLabel(r)}
            </option>
          ))}
        </select>
      </label>
      <label>
        {fieldLabel('break-glass', 'method')}
        <select value={c.value('method') || 'phone'} onChange={(e) => c.set('method', e.target.value)}>
          {BREAK_GLASS_METHODS.map((m) => (
            <option key={m} value={m}>
              {BREAK_GLASS_METHOD_WORDS[m]}
            </option>
          ))}
        </select>
      </label>
    </>
  );
}

/** Every decision's small form. */
export const DECISION_FORMS = {
  submit: { fields: () => ({}) },
  withdraw: reasoned('withdraw'),
  approve: {
    widgets: (c) => (
      <>
        {reviewedBox('approve', c)}
        {text('approve', 'comment', c)}
      </>
    ),
    fields: (c) => ({ ...optional('comment', c.value('comment')), diffReviewed: c.flag('diffReviewed') }),
  },
  'approve-with-conditions': {
    widgets: (c) => (
      <>
        {reviewedBox('approve-with-conditions', c)}
        {text('approve-with-conditions', 'conditions', c)}
        {text('approve-with-conditions', 'comment', c)}
      </>
    ),
    fields: (c) => ({
      conditions: c
        .value('conditions')
        .split('\n')
        .map((x) => x.trim())
        .filter(Boolean),
      ...optional('comment', c.value('comment')),
      diffReviewed: c.flag('diffReviewed'),
    }),
  },
  reject: reasoned('reject'),
  defer: reasoned('defer'),
  schedule: {
    widgets: (c) =>
      (['start', 'end'] as const).map((name) => (
        <label key={name}>
          {fieldLabel('schedule', name)} ({plantZoneLabel(c.zone)}){' '}
          <input
            type="datetime-local"
            aria-label={fieldLabel('schedule', name)}
            value={c.value(name)}
            onChange={(e) => c.set(name, e.target.value)}
          />
        </label>
      )),
    fields: (c) => {
      const at = (name: string) => (c.value(name) === '' ? '' : plantInputToIso(c.value(name), c.zone));
      return { start: at('start'), end: at('end') };
    },
  },
  'break-glass': {
    widgets: (c) => text('break-glass', 'reason', c),
    fields: (c) => ({
      approverRole: c.value('approverRole'),
      method: c.value('method') || 'phone',
      reason: c.value('reason'),
    }),
    cosigners: (c) => {
      // The signer rule's list, with its reason when nobody is left: a holder of the class's approver roles, neither
      // the responder signing nor the requester.
      const approvers = eligibleByRole(
        c.people,
        c.detail.evaluation?.breakGlass?.approverRoles ?? null,
        c.roleLabel,
        'approve break-glass work',
        new Map([
          [c.signerId, 'carries out the work'],
          [c.detail.state.requester.id, 'filed the change'],
        ]),
      );
      return {
        'break-glass-approver': {
          eligible: approvers,
          onChange: (id) => {
            c.set('approverEmployeeId', id);
            c.set('approverRole', '');
          },
          children: glassApproval(c),
        },
      };
    },
  },
  'start-execution': {
    widgets: (c) => {
      const state = c.detail.state;
      return (
        <>
          {text('start-execution', 'stagingRecord', c)}
          {'conditions' in state && state.conditions.length > 0 && (
            <label className="inline wide">
              <input type="checkbox" checked={c.flag('conditionsMet')} onChange={(e) => c.set('conditionsMet', e.target.checked)} />{' '}
              {fieldLabel('start-execution', 'conditionsMet')}: {state.conditions.join('; ')}
            </label>
          )}
        </>
      );
    },
    fields: (c) => ({
      ...optional('stagingRecord', c.value('stagingRecord')),
      ...(c.flag('conditionsMet') ? { conditionsMet: true } : {}),
    }),
  },
  rollback: reasoned('rollback'),
  close: { widgets: (c) => text('close', 'comment', c), fields: (c) => optional('comment', c.value('comment')) },
  'retrospective-review': {
    widgets: (c) => (
      <>
        <label>
          {fieldLabel('retrospective-review', 'verdict')}
          <select value={c.value('verdict') || 'accept'} onChange={(e) => c.set('verdict', e.target.value)}>
            <option value="accept">accept the emergency work</option>
            <option value="reject">reject it</option>
          </select>
        </label>
        {c.value('verdict') === 'reject' && (
          <label>
            {fieldLabel('retrospective-review', 'followUp')}
            <select value={c.value('followUp') || 'corrective-change'} onChange={(e) => c.set('followUp', e.target.value)}>
              <option value="corrective-change">a corrective change (filed now, linked)</option>
              <option value="rollback">a rollback</option>
            </select>
          </label>
        )}
        {text('retrospective-review', 'comment', c)}
      </>
    ),
    fields: (c) => ({
      comment: c.value('comment'),
      ...(c.value('verdict') === 'reject' ? { verdict: 'reject', followUp: c.value('followUp') || 'corrective-change' } : {}),
    }),
  },
} satisfies Record<Decision, DecisionForm>;
