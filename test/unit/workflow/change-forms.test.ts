/**
 * The change screen's signing forms come from the signed-actions table: every action has a form (CHANGE_FORMS, also
 * checked by the compiler), the decision panel has a small form per decision, and a form shows the table's title,
 * who signs, what the signature covers, its field labels and its co-signers' labels, and checks a request against
 * the action's schema, naming a problem by the field's label.
 */
import { createElement } from 'react';
import { renderToString } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import {
  SIGNED_ACTIONS,
  SIGNED_ACTION_TYPES,
  actionFieldLabels,
  type SignedActionType,
} from '../../../src-shared/common/workflow/signed-actions.ts';
import { actionProblem, signatureCovers } from '../../../src-shared/common/workflow/signed-action-words.ts';
import { CHANGE_FORMS } from '../../../src-renderer/views/changes/change-forms.ts';
import { DECISIONS, DECISION_FORMS } from '../../../src-renderer/views/changes/decision-forms.tsx';
import { ActionForm } from '../../../src-renderer/views/changes/action-form.tsx';
import { SignDecisionForm } from '../../../src-renderer/views/changes/sign-decision-form.tsx';

/** React escapes text for HTML; compare in the same form. */
const html = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#x27;');

describe("The change screen's signing forms, from the signed-actions table", () => {
  it('every signed action has a form on the change screen, and every decision of the decision panel a small form of its own', () => {
    expect(Object.keys(CHANGE_FORMS).sort()).toEqual([...SIGNED_ACTION_TYPES].sort());
    expect(Object.keys(DECISION_FORMS).sort()).toEqual([...DECISIONS].sort());
    for (const d of DECISIONS) expect(CHANGE_FORMS[d].panel).toBe(SignDecisionForm);
    const elsewhere = SIGNED_ACTION_TYPES.filter((t) => !(DECISIONS as readonly string[]).includes(t));
    for (const t of elsewhere) expect(CHANGE_FORMS[t].panel, t).not.toBe(SignDecisionForm);
  });

  it('at most two people co-sign one action (the form keeps two co-signer blocks)', () => {
    for (const t of SIGNED_ACTION_TYPES) expect(SIGNED_ACTIONS[t].cosigners.length, t).toBeLessThanOrEqual(2);
  });

  it.each(SIGNED_ACTION_TYPES.map((t) => [t] as const))(
    "%s: the form shows the table's title, who signs, what the signature covers and the co-signers",
    (type: SignedActionType) => {
      const out = renderToString(createElement(ActionForm, { type, changeId: 'c1', fields: () => ({}), done: '' }));
      const spec = SIGNED_ACTIONS[type];
      expect(out).toContain(html(spec.title));
      expect(out).toContain(html(`Who signs: ${spec.signerText}.`));
      expect(out).toContain(html(signatureCovers(type)));
      for (const c of spec.cosigners) expect(out).toContain(html(c.within === 'override' ? actionFieldLabels(type)[c.within]! : c.label));
    },
  );

  it("a decision's small form labels its fields with the table's labels", () => {
    const labels = actionFieldLabels('retrospective-review');
    const detail = { state: { review: null, fields: {} } } as never;
    const c = {
      value: () => '',
      flag: () => false,
      set: () => undefined,
      detail,
      zone: 'UTC',
      people: [],
      roleLabel: (r: string) => r,
      signerId: '',
      gateOpen: true,
    };
    const out = renderToString(createElement('div', null, DECISION_FORMS['retrospective-review'].widgets(c)));
    expect(out).toContain(html(labels.verdict!));
    expect(out).toContain(html(labels.comment!));
    expect(renderToString(createElement('div', null, DECISION_FORMS.withdraw.widgets!(c)))).toContain(
      html(actionFieldLabels('withdraw').reason!),
    );
  });

  it("a request is checked against the action's schema, the problem named by the field's label", () => {
    expect(actionProblem({ type: 'withdraw', reason: '' })).toEqual({ field: 'Reason', message: 'Reason: required' });
    expect(actionProblem({ type: 'reject', role: 'ot-security' })?.message).toBe(`${actionFieldLabels('reject').reason}: required`);
    expect(
      actionProblem({
        type: 'explain',
        explanations: [{ controllerId: 'c', tag: 'T', text: 'x' }],
        supervisorEmployeeId: '',
        supervisorPassword: 'x'.repeat(12),
      })?.message,
    ).toBe(`${actionFieldLabels('explain').supervisorEmployeeId}: required`);
    expect(
      actionProblem({
        type: 'schedule',
        start: '2026-01-01T10:00:00Z',
        end: '2026-01-01T11:00:00Z',
        override: { employeeId: 'P500', password: 'x'.repeat(12), role: '', rule: 'outside-window', reason: 'stop' },
      })?.message,
    ).toBe('Override role: required');
    expect(actionProblem({ type: 'withdraw', reason: 'no longer needed' })).toBeNull();
  });
});
