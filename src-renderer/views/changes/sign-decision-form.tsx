/**
 * The change screen's "Sign a decision" form: the decision (only those the change allows now), the signer the
 * decision allows, what the decision needs (role, reason or conditions, slot, witness, override), and the password.
 * Kept per change by its key, so nothing typed for one change carries to another.
 */
import { roleName } from '../../../src-shared/common/workflow/role-names.ts';
import { useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useAppStore } from '../../state/app-store.ts';
import type { OperationResponse } from '../../../src-shared/common/api/contract.ts';
import { changeSigners } from '../../../src-shared/common/workflow/signer-eligibility.ts';
import { plantInputToIso, plantZoneLabel } from '../../components/plant-time.tsx';
import { Outcome, SignerFields, SigningFields, useSigner } from '../../components/signed-form.tsx';
import { SignIcon } from '../../components/icons.tsx';

type Detail = OperationResponse<'changes.get'>;

/** The decisions signed on this form. */
export type ActionType =
  | 'submit'
  | 'withdraw'
  | 'approve'
  | 'approve-with-conditions'
  | 'reject'
  | 'defer'
  | 'schedule'
  | 'break-glass'
  | 'start-execution'
  | 'rollback'
  | 'close'
  | 'retrospective-review';
const SIGNED: ActionType[] = [
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
];
const LABEL: Record<ActionType, string> = {
  submit: 'Submit for approval',
  withdraw: 'Withdraw',
  approve: 'Approve',
  'approve-with-conditions': 'Approve with conditions',
  reject: 'Reject',
  defer: 'Defer',
  schedule: 'Schedule in a slot',
  'break-glass': 'Start under break-glass (emergency)',
  'start-execution': 'Start execution (go)',
  rollback: 'Roll back',
  close: 'Close',
  'retrospective-review': 'Retrospective review',
};
/** Actions signed in a role of the policy (the others are signed as the person). */
const WITH_ROLE = new Set<ActionType>(['approve', 'approve-with-conditions', 'reject', 'defer', 'retrospective-review']);
/** Actions whose text is optional. */
const TEXT_OPTIONAL = new Set<ActionType>(['approve', 'close', 'start-execution']);

/** The signing form for the decisions the change allows now. */
export function SignDecisionForm({ detail, proposalShown }: { detail: Detail; proposalShown: boolean }) {
  const s = useAppStore(useShallow((st) => ({ people: st.people, act: st.actOnChange, roles: st.roles })));
  const zone = useAppStore((st) => st.policy?.timeZone ?? 'UTC');
  const signer = useSigner();
  const witness = useSigner();
  const override = useSigner();
  const [action, setAction] = useState<ActionType | ''>('');
  const [role, setRole] = useState('');
  const [text, setText] = useState('');
  const [diffReviewed, setDiffReviewed] = useState(false);
  const [slotStart, setSlotStart] = useState('');
  const [slotEnd, setSlotEnd] = useState('');
  const [conditionsMet, setConditionsMet] = useState(false);
  const [glassApprover, setGlassApprover] = useState('');
  const [glassRole, setGlassRole] = useState('');
  const [glassPassword, setGlassPassword] = useState('');
  const [verdict, setVerdict] = useState<'accept' | 'reject'>('accept');
  const [followUp, setFollowUp] = useState<'rollback' | 'corrective-change'>('corrective-change');
  const [glassMethod, setGlassMethod] = useState<'in-person' | 'phone' | 'radio'>('phone');
  const [ovRole, setOvRole] = useState('');
  const [ovRule, setOvRule] = useState<'outside-window' | 'blackout'>('outside-window');
  const [ovBlackout, setOvBlackout] = useState('');
  const [ovReason, setOvReason] = useState('');
  const { state } = detail;
  const allowed = SIGNED.filter((a) => detail.allowed.includes(a));
  const roleLabel = (r: string) => roleName(s.roles, r);
  const eligibility = action === '' ? null : changeSigners(state, action, s.people, roleLabel, new Date());
  const chosen = eligibility?.people.find((p) => p.employeeId === signer.employeeId);
  const approving = action === 'approve' || action === 'approve-with-conditions';
  const hasProposal = state.fields.proposedChange !== null;
  const gateOpen = !approving || !hasProposal || proposalShown;
  const needsRole = action !== '' && WITH_ROLE.has(action);
  const needsText = action !== '' && action !== 'submit' && action !== 'schedule' && !TEXT_OPTIONAL.has(action);
  const ready =
    gateOpen &&
    chosen !== undefined &&
    action !== '' &&
    signer.password !== '' &&
    (!needsRole || role !== '') &&
    (!needsText || text.trim() !== '') &&
    (action !== 'schedule' || (slotStart !== '' && slotEnd !== '')) &&
    (action !== 'break-glass' || (glassApprover !== '' && glassRole !== '')) &&
    (override.employeeId === '' || (ovRole !== '' && ovReason.trim() !== '' && override.password !== '')) &&
    (action !== 'start-execution' || witness.employeeId === '' || witness.password !== '');
  const ovSigner = s.people.find((p) => p.employeeId === override.employeeId);
  // The approvers the policy lists; before submission the rules check the approver's roles when the break-glass is signed.
  const glassRoles = state.review?.evaluation.breakGlass?.approverRoles ?? null;
  // A second signer (witness, override approver) is anyone enrolled but the first signer; the service checks their role.
  const others = { people: s.people.filter((p) => !p.revoked && p.employeeId !== signer.employeeId), none: null };

  async function sign(e: React.FormEvent) {
    e.preventDefault();
    if (action === '' || !ready) return;
    const ov = override.employeeId
      ? {
          override: {
            employeeId: override.employeeId,
            password: override.password,
            role: ovRole,
            rule: ovRule,
            ...(ovRule === 'blackout' && ovBlackout ? { blackout: ovBlackout } : {}),
            reason: ovReason,
          },
        }
      : {};
    const a =
      action === 'submit'
        ? { type: 'submit' as const }
        : action === 'withdraw'
          ? { type: 'withdraw' as const, reason: text }
          : action === 'approve'
            ? { type: 'approve' as const, role, ...(text ? { comment: text } : {}), diffReviewed }
            : action === 'approve-with-conditions'
              ? { type: 'approve-with-conditions' as const, role, conditions: text.split('\n').filter(Boolean), diffReviewed }
              : action === 'schedule'
                ? { type: 'schedule' as const, start: plantInputToIso(slotStart, zone), end: plantInputToIso(slotEnd, zone), ...ov }
                : action === 'break-glass'
                  ? {
                      type: 'break-glass' as const,
                      approverEmployeeId: glassApprover,
                      ...(glassPassword ? { approverPassword: glassPassword } : {}),
                      approverRole: glassRole,
                      method: glassMethod,
                      reason: text,
                    }
                  : action === 'start-execution'
                    ? {
                        type: 'start-execution' as const,
                        ...(text ? { stagingRecord: text } : {}),
                        ...(conditionsMet ? { conditionsMet } : {}),
                        ...(witness.employeeId ? { witnessEmployeeId: witness.employeeId, witnessPassword: witness.password } : {}),
                        ...ov,
                      }
                    : action === 'rollback'
                      ? { type: 'rollback' as const, reason: text }
                      : action === 'close'
                        ? { type: 'close' as const, ...(text ? { comment: text } : {}) }
                        : action === 'retrospective-review'
                          ? {
                              type: 'retrospective-review' as const,
                              role,
                              comment: text,
                              ...(verdict === 'reject' ? { verdict, followUp } : {}),
                            }
                          : { type: action, role, reason: text };
    // The form stays locked until the signature and the reload of the change are done: emptying it afterwards then
    // cannot take away a decision chosen meanwhile on the already refreshed change (the race the journal refresh made).
    witness.setPassword('');
    override.setPassword('');
    setGlassPassword('');
    await signer.run(
      () => s.act({ id: state.id, employeeId: signer.employeeId, password: signer.password, action: a }),
      `${LABEL[action]}: signed.`,
      () => {
        setAction('');
        setText('');
        signer.setEmployeeId('');
        override.setEmployeeId('');
        setOvRole('');
        setOvReason('');
        setOvBlackout('');
      },
    );
  }

  if (allowed.length === 0) return null;
  return (
    <form className="panel form" aria-label="Sign a decision" onSubmit={(e) => void sign(e)}>
      <h3>Sign</h3>
      <p className="muted">
        Your signature covers the request exactly as shown above and the decision you choose; your password is asked for this one signature.
      </p>
      <SigningFields busy={signer.busy}>
        <label>
          Decision
          <select
            value={action}
            onChange={(e) => {
              setAction(e.target.value as ActionType);
              signer.setEmployeeId('');
              setRole('');
              signer.settle(null, '');
            }}
          >
            <option value="">choose…</option>
            {allowed.map((a) => (
              <option key={a} value={a}>
                {LABEL[a]}
              </option>
            ))}
          </select>
        </label>
        <SignerFields
          label="Signer"
          employeeId={signer.employeeId}
          password={signer.password}
          setPassword={signer.setPassword}
          disabled={action === ''}
          eligible={eligibility ?? { people: [], none: null }}
          setEmployeeId={(id) => {
            signer.setEmployeeId(id);
            const roles = eligibility?.people.find((p) => p.employeeId === id)?.roles ?? [];
            setRole(roles.length === 1 ? roles[0]! : '');
          }}
        >
          {needsRole && (
            <label>
              As role
              <select value={role} onChange={(e) => setRole(e.target.value)}>
                <option value="">choose…</option>
                {(chosen?.roles ?? []).map((r) => (
                  <option key={r} value={r}>
                    {roleLabel(r)}
                  </option>
                ))}
              </select>
            </label>
          )}
          {approving && hasProposal && !proposalShown && (
            <p className="sign-gate wide" role="note" data-testid="sign-gate">
              Scroll through the proposed change above before you approve: nobody signs what they have not been shown.
            </p>
          )}
          {approving && (
            <label className="inline wide">
              <input type="checkbox" disabled={!gateOpen} checked={diffReviewed} onChange={(e) => setDiffReviewed(e.target.checked)} /> I
              reviewed the proposed diff shown above
            </label>
          )}
          {action === 'schedule' && (
            <>
              <label>
                Slot start ({plantZoneLabel(zone)}){' '}
                <input type="datetime-local" aria-label="Slot start" value={slotStart} onChange={(e) => setSlotStart(e.target.value)} />
              </label>
              <label>
                Slot end ({plantZoneLabel(zone)}){' '}
                <input type="datetime-local" aria-label="Slot end" value={slotEnd} onChange={(e) => setSlotEnd(e.target.value)} />
              </label>
            </>
          )}
          {action === 'break-glass' && (
            <>
              <label>
                Authorised by
                <select
                  aria-label="Authorised by"
                  value={glassApprover}
                  onChange={(e) => {
                    setGlassApprover(e.target.value);
                    setGlassRole('');
                  }}
                >
                  <option value="">choose…</option>
                  {s.people
                    .filter(
                      (p) =>
                        !p.revoked &&
                        p.employeeId !== signer.employeeId &&
                        (glassRoles === null || p.roles.some((r) => glassRoles.includes(r))),
                    )
                    .map((p) => (
                      <option key={p.fingerprint} value={p.employeeId}>
                        {p.name} ({p.employeeId})
                      </option>
                    ))}
                </select>
              </label>
              <label>
                Their role
                <select aria-label="Their role" value={glassRole} onChange={(e) => setGlassRole(e.target.value)}>
                  <option value="">choose…</option>
                  {(s.people.find((p) => p.employeeId === glassApprover)?.roles ?? [])
                    .filter((r) => glassRoles === null || glassRoles.includes(r))
                    .map((r) => (
                      <option key={r} value={r}>
                        {roleLabel(r)}
                      </option>
                    ))}
                </select>
              </label>
              <label>
                Approver's password (if they are here; else they sign later)
                <input
                  type="password"
                  aria-label="Approver's password"
                  autoComplete="off"
                  value={glassPassword}
                  onChange={(e) => setGlassPassword(e.target.value)}
                />
              </label>
              <label>
                How
                <select value={glassMethod} onChange={(e) => setGlassMethod(e.target.value as 'in-person' | 'phone' | 'radio')}>
                  <option value="in-person">in person</option>
                  <option value="phone">phone</option>
                  <option value="radio">radio</option>
                </select>
              </label>
            </>
          )}
          {action === 'start-execution' && (
            <>
              <SignerFields
                label="Witness (dual control)"
                optional="none"
                passwordLabel="Witness's password"
                eligible={others}
                {...pick(witness)}
              />
              {'conditions' in state && state.conditions.length > 0 && (
                <label className="inline wide">
                  <input type="checkbox" checked={conditionsMet} onChange={(e) => setConditionsMet(e.target.checked)} /> The approval
                  conditions are met: {state.conditions.join('; ')}
                </label>
              )}
            </>
          )}
          {(action === 'schedule' || action === 'start-execution') && (
            <fieldset className="wide override" aria-label="Override">
              <legend>Override (only for a slot outside every window or inside a blackout; signed by the approver the policy names)</legend>
              <SignerFields
                label="Override by"
                optional="no override"
                passwordLabel="Override approver's password"
                eligible={others}
                {...pick(override)}
                setEmployeeId={(id) => {
                  override.setEmployeeId(id);
                  setOvRole('');
                }}
              >
                {override.employeeId && (
                  <>
                    <label>
                      Override role
                      <select value={ovRole} onChange={(e) => setOvRole(e.target.value)}>
                        <option value="">choose…</option>
                        {(ovSigner?.roles ?? []).map((r) => (
                          <option key={r} value={r}>
                            {roleLabel(r)}
                          </option>
                        ))}
                      </select>
                    </label>
                    <label>
                      Rule overridden
                      <select value={ovRule} onChange={(e) => setOvRule(e.target.value as 'outside-window' | 'blackout')}>
                        <option value="outside-window">outside every change window</option>
                        <option value="blackout">inside a blackout</option>
                      </select>
                    </label>
                    {ovRule === 'blackout' && (
                      <label>
                        Blackout name <input value={ovBlackout} onChange={(e) => setOvBlackout(e.target.value)} />
                      </label>
                    )}
                    <label className="wide">
                      Override reason <textarea rows={2} value={ovReason} onChange={(e) => setOvReason(e.target.value)} />
                    </label>
                  </>
                )}
              </SignerFields>
            </fieldset>
          )}
          {action === 'retrospective-review' && (
            <>
              <label>
                Verdict
                <select aria-label="Verdict" value={verdict} onChange={(e) => setVerdict(e.target.value as 'accept' | 'reject')}>
                  <option value="accept">accept the emergency work</option>
                  <option value="reject">reject it</option>
                </select>
              </label>
              {verdict === 'reject' && (
                <label>
                  Follow-up
                  <select
                    aria-label="Follow-up"
                    value={followUp}
                    onChange={(e) => setFollowUp(e.target.value as 'rollback' | 'corrective-change')}
                  >
                    <option value="corrective-change">a corrective change (filed now, linked)</option>
                    <option value="rollback">a rollback</option>
                  </select>
                </label>
              )}
            </>
          )}
          {action !== '' && action !== 'submit' && action !== 'schedule' && (
            <label className="wide">
              {action === 'approve' || action === 'close' || action === 'retrospective-review'
                ? 'Comment'
                : action === 'approve-with-conditions'
                  ? 'Conditions (one per line)'
                  : action === 'start-execution'
                    ? 'Staging validation record'
                    : 'Reason'}
              <textarea rows={2} value={text} onChange={(e) => setText(e.target.value)} />
            </label>
          )}
        </SignerFields>
        <Outcome error={signer.error} done="" />
        <div className="actions">
          <button type="submit" className="primary" disabled={!ready}>
            <SignIcon />
            {signer.busy ? 'Signing…' : 'Sign'}
          </button>
        </div>
      </SigningFields>
    </form>
  );
}

/** The signer fields' props from a `useSigner` state. */
function pick(s: ReturnType<typeof useSigner>) {
  return { employeeId: s.employeeId, setEmployeeId: s.setEmployeeId, password: s.password, setPassword: s.setPassword };
}
