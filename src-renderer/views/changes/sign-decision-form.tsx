/**
 * The change screen's "Sign a decision" panel: the decision (only those the change allows now, by the signed-actions
 * table's titles), then that decision's small form (decision-forms.tsx) in an `ActionForm`: the signer the decision
 * allows, the role, what the decision needs, the co-signers, and the password. Kept per change by its key, so nothing
 * typed for one change carries to another.
 */
import { useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useAppStore } from '../../state/app-store.ts';
import type { OperationResponse } from '../../../src-shared/common/api/contract.ts';
import { roleName } from '../../../src-shared/common/workflow/role-names.ts';
import { SIGNED_ACTIONS } from '../../../src-shared/common/workflow/signed-actions.ts';
import { changeSigners } from '../../../src-shared/common/workflow/signer-eligibility.ts';
import { useSigner } from '../../components/signed-form.tsx';
import { ActionForm } from './action-form.tsx';
import { DECISIONS, DECISION_FORMS, type Decision, type DecisionContext, type DecisionForm } from './decision-forms.tsx';

type Detail = OperationResponse<'changes.get'>;

/** The signing form for the decisions the change allows now. */
export function SignDecisionForm({ detail, proposalShown }: { detail: Detail; proposalShown: boolean }) {
  const s = useAppStore(useShallow((st) => ({ people: st.people, roles: st.roles })));
  const zone = useAppStore((st) => st.policy?.timeZone ?? 'UTC');
  const signer = useSigner();
  const [action, setAction] = useState<Decision | ''>('');
  const [values, setValues] = useState<Record<string, string | boolean>>({});
  const { state } = detail;
  const allowed = DECISIONS.filter((a) => detail.allowed.includes(a));
  const roleLabel = (r: string) => roleName(s.roles, r);
  const approving = action === 'approve' || action === 'approve-with-conditions';
  const hasProposal = state.fields.proposedChange !== null;
  const gateOpen = !approving || !hasProposal || proposalShown;
  const c: DecisionContext = {
    value: (name) => {
      const v = values[name];
      return typeof v === 'string' ? v : '';
    },
    flag: (name) => values[name] === true,
    set: (name, v) => setValues((old) => ({ ...old, [name]: v })),
    detail,
    zone,
    people: s.people,
    roleLabel,
    signerId: signer.employeeId,
    gateOpen,
  };
  const form: DecisionForm | null = action === '' ? null : DECISION_FORMS[action];
  if (allowed.length === 0) return null;
  return (
    <ActionForm
      type={action === '' ? null : action}
      changeId={state.id}
      name="Sign a decision"
      className="panel form"
      heading={
        <>
          <h3>Sign</h3>
          <p className="muted">Choose the decision; your password is asked for this one signature.</p>
        </>
      }
      lead={
        <label>
          Decision
          <select
            value={action}
            onChange={(e) => {
              setAction(e.target.value as Decision);
              setValues({});
              signer.setEmployeeId('');
              signer.settle(null, '');
            }}
          >
            <option value="">choose…</option>
            {allowed.map((a) => (
              <option key={a} value={a}>
                {SIGNED_ACTIONS[a].title}
              </option>
            ))}
          </select>
        </label>
      }
      signer={signer}
      signerLabel="Signer"
      roleChoice="always"
      eligible={
        action === '' ? { people: [], none: null } : changeSigners(state, action, s.people, roleLabel, new Date(), detail.evaluation)
      }
      fields={() => form?.fields(c) ?? {}}
      {...(form?.cosigners ? { cosigners: form.cosigners(c) } : {})}
      ready={gateOpen}
      note={
        approving &&
        hasProposal &&
        !proposalShown && (
          <p className="sign-gate wide" role="note" data-testid="sign-gate">
            Scroll through the proposed change above before you approve: nobody signs what they have not been shown.
          </p>
        )
      }
      done={() => (action === '' ? '' : `${SIGNED_ACTIONS[action].title}: signed.`)}
      // The form stays locked until the signature and the reload of the change are done: emptying it afterwards then
      // cannot take away a decision chosen meanwhile on the already refreshed change (the race the journal refresh made).
      onAccepted={() => {
        setAction('');
        setValues({});
      }}
    >
      {form?.widgets?.(c)}
    </ActionForm>
  );
}
