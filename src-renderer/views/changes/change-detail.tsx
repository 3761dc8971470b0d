import { useCallback, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useAppStore } from '../../state/app-store.ts';
import type { ErrorData } from '../../../src-shared/common/errors.ts';
import type { OperationResponse } from '../../../src-shared/common/api/contract.ts';
import { changeSigners } from '../../../src-shared/common/workflow/signer-eligibility.ts';
import { PlantTime, plantInputToIso, plantZoneLabel } from '../../components/plant-time.tsx';
import { ChangeDocument } from './change-document.tsx';
import { changeNumber } from '../../../src-shared/common/workflow/change-state.ts';

type Detail = OperationResponse<'changes.get'>;
import { CheckpointPanel } from './checkpoint-panel.tsx';
import { ExecutionSnapshots } from './execution-snapshots.tsx';
import { ExplainRows } from './explain-rows.tsx';
import { RestorePanel } from './restore-panel.tsx';
import { WindowTimerBanner } from './window-timer.tsx';
import { ChangeCaptures } from './change-captures.tsx';
import { ExecutionClockPanel } from './execution-clock-panel.tsx';
import { DemoDownload } from './demo-download.tsx';
import { DemoPassword } from '../../components/signed-form.tsx';
import { ExportPackButton } from './export-pack-button.tsx';
import { SyncConflicts } from './sync-conflicts.tsx';

type ActionType = 'submit' | 'withdraw' | 'approve' | 'approve-with-conditions' | 'reject' | 'defer' | 'schedule' | 'break-glass' | 'start-execution' | 'rollback' | 'close' | 'retrospective-review';
const SIGNED: ActionType[] = ['submit', 'withdraw', 'approve', 'approve-with-conditions', 'reject', 'defer', 'schedule', 'break-glass', 'start-execution', 'rollback', 'close', 'retrospective-review'];
const LABEL: Record<ActionType, string> = {
  submit: 'Submit for approval', withdraw: 'Withdraw', approve: 'Approve', 'approve-with-conditions': 'Approve with conditions', reject: 'Reject', defer: 'Defer',
  schedule: 'Schedule in a slot', 'break-glass': 'Start under break-glass (emergency)', 'start-execution': 'Start execution (go)', rollback: 'Roll back', close: 'Close',
  'retrospective-review': 'Retrospective review',
};
/** Actions signed in a role of the policy (the others are signed as the person). */
const WITH_ROLE = new Set<ActionType>(['approve', 'approve-with-conditions', 'reject', 'defer', 'retrospective-review']);
/** Actions whose text is optional. */
const TEXT_OPTIONAL = new Set<ActionType>(['approve', 'close', 'start-execution']);


/** The people who filed or carry out a change, who may not sign its checkpoints, restore or new baseline (segregation of duties). */
function onTheChange(state: Detail['state']): ReadonlyMap<string, string> {
  const m = new Map<string, string>([[state.requester.id, 'filed this change']]);
  if ('execution' in state) m.set(state.execution.executor.id, 'carries out this change');
  return m;
}

/** One change: the request as the document being signed, the approvals, the execution, the signing panel, the timeline. */
export function ChangeDetail({ onEdit }: { onEdit: () => void }) {
  const detail = useAppStore((st) => st.changeDetail);
  const zone = useAppStore((st) => st.policy?.timeZone ?? 'UTC');
  const demo = useAppStore((st) => st.info?.demo === true);
  const roles = useAppStore((st) => st.roles);
  const roleWords = (r: string) => roles.find((x) => x.id === r)?.label ?? r;
  const [shownFor, setShownFor] = useState<string | null>(null);
  const id = detail?.state.id ?? null;
  const onProposalShown = useCallback(() => setShownFor(id), [id]);
  if (!detail) return <p className="muted">Select a change, or file a new one.</p>;
  const { state, progress, timeline } = detail;
  return (
    <section className="detail-pane" aria-label={`Change ${state.fields.title}`}>
      <h2><span className="change-number" data-testid="detail-number">{changeNumber(state)}</span> {state.fields.title || '(untitled)'}</h2>
      <p className="muted"><span data-testid="change-status" className="badge">{detail.statusLabel}</span>{detail.outcome && <> <span data-testid="change-outcome" className={`badge ${detail.outcome === 'completed' || detail.outcome === 'rolled back and restored' ? 'badge-ok' : detail.outcome === 'failed' ? 'badge-bad' : 'badge-warn'}`}>{detail.outcome}</span></>} · {state.fields.class ?? 'no class'} · requested by {state.requester.name}, <PlantTime iso={state.createdAt} zone={zone} /></p>
      <ExportPackButton changeId={state.id} />
      <SyncConflicts changeId={state.id} version={`${detail.statusLabel}:${timeline.length}`} zone={zone} />
      {detail.allowed.includes('edit') && <p><button type="button" onClick={onEdit}>Edit request…</button> <span className="muted">(the requester edits a draft or a deferred request before submitting it)</span></p>}
      {detail.approvalTimeout.status === 'waiting' && (
        <p className="muted" data-testid="approval-timeout">Approvals due by <PlantTime iso={detail.approvalTimeout.dueAt} zone={zone} />; then they escalate to {detail.approvalTimeout.escalateTo.map(roleWords).join(', ')}.</p>
      )}
      {detail.approvalTimeout.status === 'escalated' && (
        <p className="bad-text" data-testid="approval-timeout">Approvals overdue by {detail.approvalTimeout.overdueMinutes} min: escalated to {detail.approvalTimeout.escalateTo.map(roleWords).join(', ')}, who may now approve in place of a missing approver.</p>
      )}
      {detail.retrospective.status === 'due' && <p className="bad-text" data-testid="retrospective">Started under break-glass: retrospective CAB review due by <PlantTime iso={detail.retrospective.dueAt} zone={zone} />.</p>}
      {detail.retrospective.status === 'overdue' && <p className="bad-text" data-testid="retrospective"><strong>Retrospective CAB review OVERDUE</strong> since <PlantTime iso={detail.retrospective.dueAt} zone={zone} />.</p>}
      {detail.retrospective.status === 'done' && <p className="ok-text" data-testid="retrospective">Retrospective review done <PlantTime iso={detail.retrospective.completedAt} zone={zone} />{detail.retrospective.late ? ' (late)' : ''}.</p>}
      <ChangeDocument key={`doc-${state.id}`} detail={detail} onProposalShown={onProposalShown} />
      {progress && (
        <section className="panel" aria-label="Approvals">
          <h3>Approvals</h3>
          <ul>
            {progress.requirements.map((r) => (
              <li key={r.requirement.group} data-testid="approval-requirement">{r.requirement.name}: {r.counted.length} of {r.requirement.quorum}
                {r.counted.length > 0 ? ` (${r.counted.map((c) => `${c.by.name} as ${c.role}${c.inPlaceOf ? ', escalated' : ''}`).join(', ')})` : ''}{r.satisfied ? ' ✓' : ` — ${r.missing}`}</li>
            ))}
          </ul>
          {detail.outstanding.length > 0 && <p className="muted">Outstanding: {detail.outstanding.join('; ')}</p>}
        </section>
      )}
      <WindowTimerBanner state={state} />
      {(state.status === 'in-execution' || state.status === 'rolled-back' || state.status === 'closed') && (
        <ExecutionClockPanel key={`clock-${state.id}`} state={state} checkpoints={detail.checkpoints} exclude={onTheChange(state)} />
      )}
      {state.status === 'in-execution' && (
        <ChangeCaptures key={`captures-${state.id}`} changeId={state.id} targets={detail.targets} checkpoints={detail.checkpoints} />
      )}
      {(state.status === 'in-execution' || state.status === 'rolled-back' || state.status === 'closed') && (
        <ExecutionSnapshots key={`snapshots-${state.id}`} changeId={state.id} targets={detail.targets} records={state.execution.snapshots ?? []} exclude={onTheChange(state)}
          executing={state.status === 'in-execution'} completed={state.status === 'closed' && state.closure.outcome === 'completed'} />
      )}
      {(state.status === 'in-execution' || state.status === 'rolled-back' || state.status === 'closed') && (
        <ExplainRows key={`explain-${state.id}`} changeId={state.id} execution={state.execution} targets={state.fields.targetControllers}
          names={new Map(detail.targets.map((t) => [t.controllerId, t.name]))} executing={state.status === 'in-execution'} exclude={onTheChange(state)} />
      )}
      {demo && state.status === 'in-execution' && state.fields.proposedChange?.kind === 'diff' && (
        <DemoDownload changeId={state.id} proposed={state.fields.proposedChange.changes} />
      )}
      {state.status === 'rolled-back' && <RestorePanel key={`restore-${state.id}`} changeId={state.id} targets={detail.targets} exclude={onTheChange(state)} />}
      {detail.restores.length > 0 && (
        <section className="panel" aria-label="Restore record">
          <h3>Restore record</h3>
          <ul className="plain">
            {detail.restores.map((r) => (
              <li key={r.decisionId} data-testid="restore-record">
                <strong>{detail.targets.find((t) => t.controllerId === r.controllerId)?.name ?? r.controllerId}</strong>: {r.writes} value(s) authorized by {r.authorizedBy}, <PlantTime iso={r.authorizedAt} zone={zone} /> ({r.reason}).
                {r.written ? ` ${r.written.verified} written and read back${r.written.failed ? `, ${r.written.failed} not` : ''}.`
                  : r.interrupted ? <span className="bad-text" data-testid="restore-interrupted"> Cut short: Baseline stopped while writing. Written and read back: {r.steps.filter((x) => x.status === 'written-verified').map((x) => x.tag).join(', ') || 'none'}{r.inFlight ? `; ${r.inFlight} was being written (outcome unknown)` : ''}. Preview the restore again to read the controller and continue with a new decision.</span>
                    : ' Not written yet.'}
                {r.verified ? (r.verified.matchesBefore ? ' The controller matches the before-snapshot.' : ` ${r.verified.remaining} value(s) still differ from the before-snapshot.`) : ''}
              </li>
            ))}
          </ul>
        </section>
      )}
      {detail.checkpointsError && <p className="bad-text" role="alert">The checkpoints cannot be shown: {detail.checkpointsError}</p>}
      {detail.checkpoints && <CheckpointPanel changeId={state.id} view={detail.checkpoints} executing={state.status === 'in-execution'} exclude={onTheChange(state)} />}
      <SignForm key={`sign-${state.id}`} detail={detail} proposalShown={shownFor === state.id} />
      <section className="panel" aria-label="Timeline">
        <h3>Timeline</h3>
        <ol className="timeline">
          {timeline.map((t) => <li key={t.seq}><PlantTime iso={t.at} zone={zone} />: <strong>{t.by}</strong> {t.summary}{t.signed ? ' (e-signed)' : ''}</li>)}
        </ol>
      </section>
    </section>
  );
}

/** The signing form for the decisions the change allows now; kept per change, so nothing typed for one change carries to another. */
function SignForm({ detail, proposalShown }: { detail: Detail; proposalShown: boolean }) {
  const s = useAppStore(useShallow((st) => ({ people: st.people, act: st.actOnChange, roles: st.roles })));
  const zone = useAppStore((st) => st.policy?.timeZone ?? 'UTC');
  const [employeeId, setEmployeeId] = useState('');
  const [action, setAction] = useState<ActionType | ''>('');
  const [role, setRole] = useState('');
  const [text, setText] = useState('');
  const [password, setPassword] = useState('');
  const [diffReviewed, setDiffReviewed] = useState(false);
  const [slotStart, setSlotStart] = useState('');
  const [slotEnd, setSlotEnd] = useState('');
  const [witness, setWitness] = useState('');
  const [witnessPassword, setWitnessPassword] = useState('');
  const [conditionsMet, setConditionsMet] = useState(false);
  const [glassApprover, setGlassApprover] = useState('');
  const [glassRole, setGlassRole] = useState('');
  const [glassMethod, setGlassMethod] = useState<'in-person' | 'phone' | 'radio'>('phone');
  const [ovBy, setOvBy] = useState('');
  const [ovRole, setOvRole] = useState('');
  const [ovRule, setOvRule] = useState<'outside-window' | 'blackout'>('outside-window');
  const [ovBlackout, setOvBlackout] = useState('');
  const [ovReason, setOvReason] = useState('');
  const [ovPassword, setOvPassword] = useState('');
  const [error, setError] = useState<ErrorData | null>(null);
  const { state } = detail;
  const allowed = SIGNED.filter((a) => detail.allowed.includes(a));
  const roleLabel = (r: string) => s.roles.find((x) => x.id === r)?.label ?? r;
  const eligibility = action === '' ? null : changeSigners(state, action, s.people, roleLabel, new Date());
  const signer = eligibility?.people.find((p) => p.employeeId === employeeId);
  const approving = action === 'approve' || action === 'approve-with-conditions';
  const hasProposal = state.fields.proposedChange !== null;
  const gateOpen = !approving || !hasProposal || proposalShown;
  const needsRole = action !== '' && WITH_ROLE.has(action);
  const needsText = action !== '' && action !== 'submit' && action !== 'schedule' && !TEXT_OPTIONAL.has(action);
  const ready = gateOpen && signer !== undefined && action !== '' && password !== '' && (!needsRole || role !== '') && (!needsText || text.trim() !== '')
    && (action !== 'schedule' || (slotStart !== '' && slotEnd !== ''))
    && (action !== 'break-glass' || (glassApprover.trim() !== '' && glassRole.trim() !== ''))
    && (ovBy === '' || (ovRole !== '' && ovReason.trim() !== '' && ovPassword !== ''))
    && (action !== 'start-execution' || witness === '' || witnessPassword !== '');
  const ovSigner = s.people.find((p) => p.employeeId === ovBy);

  async function sign(e: React.FormEvent) {
    e.preventDefault();
    if (action === '') return;
    const override = ovBy ? { override: { employeeId: ovBy, password: ovPassword, role: ovRole, rule: ovRule, ...(ovRule === 'blackout' && ovBlackout ? { blackout: ovBlackout } : {}), reason: ovReason } } : {};
    const a = action === 'submit' ? { type: 'submit' as const }
      : action === 'withdraw' ? { type: 'withdraw' as const, reason: text }
        : action === 'approve' ? { type: 'approve' as const, role, ...(text ? { comment: text } : {}), diffReviewed }
          : action === 'approve-with-conditions' ? { type: 'approve-with-conditions' as const, role, conditions: text.split('\n').filter(Boolean), diffReviewed }
            : action === 'schedule' ? { type: 'schedule' as const, start: plantInputToIso(slotStart, zone), end: plantInputToIso(slotEnd, zone), ...override }
              : action === 'break-glass' ? { type: 'break-glass' as const, approverName: glassApprover, approverRole: glassRole, method: glassMethod, reason: text }
                : action === 'start-execution' ? { type: 'start-execution' as const, ...(text ? { stagingRecord: text } : {}), ...(conditionsMet ? { conditionsMet } : {}), ...(witness ? { witnessEmployeeId: witness, witnessPassword } : {}), ...override }
                  : action === 'rollback' ? { type: 'rollback' as const, reason: text }
                    : action === 'close' ? { type: 'close' as const, ...(text ? { comment: text } : {}) }
                      : action === 'retrospective-review' ? { type: 'retrospective-review' as const, role, comment: text }
                        : { type: action, role, reason: text };
    const err = await s.act({ id: state.id, employeeId, password, action: a });
    setPassword('');
    setOvPassword('');
    setWitnessPassword('');
    setError(err);
    if (!err) {
      setAction('');
      setText('');
      setOvBy('');
      setOvRole('');
      setOvReason('');
      setOvBlackout('');
    }
  }

  if (allowed.length === 0) return null;
  return (
    <form className="panel form" aria-label="Sign a decision" onSubmit={(e) => void sign(e)}>
          <h3>Sign</h3>
          <p className="muted">Your signature covers the request exactly as shown above and the decision you choose; your password is asked for this one signature.</p>
          <label>Decision
            <select value={action} onChange={(e) => { setAction(e.target.value as ActionType); setEmployeeId(''); setRole(''); setError(null); }}>
              <option value="">choose…</option>
              {allowed.map((a) => <option key={a} value={a}>{LABEL[a]}</option>)}
            </select>
          </label>
          <label>Signer
            <select value={employeeId} disabled={action === ''} onChange={(e) => { setEmployeeId(e.target.value); setRole(eligibility?.people.find((p) => p.employeeId === e.target.value)?.roles.length === 1 ? eligibility.people.find((p) => p.employeeId === e.target.value)!.roles[0]! : ''); }}>
              <option value="">choose…</option>
              {(eligibility?.people ?? []).map((p) => <option key={p.employeeId} value={p.employeeId}>{p.name} ({p.employeeId})</option>)}
            </select>
          </label>
          {eligibility?.none && <p className="bad-text wide" data-testid="no-signer">{eligibility.none}</p>}
          {needsRole && (
            <label>As role
              <select value={role} onChange={(e) => setRole(e.target.value)}>
                <option value="">choose…</option>
                {(signer?.roles ?? []).map((r) => <option key={r} value={r}>{roleLabel(r)}</option>)}
              </select>
            </label>
          )}
          {approving && hasProposal && !proposalShown && (
            <p className="sign-gate wide" role="note" data-testid="sign-gate">Scroll through the proposed change above before you approve: nobody signs what they have not been shown.</p>
          )}
          {(action === 'approve' || action === 'approve-with-conditions') && (
            <label className="inline wide"><input type="checkbox" disabled={!gateOpen} checked={diffReviewed} onChange={(e) => setDiffReviewed(e.target.checked)} /> I reviewed the proposed diff shown above</label>
          )}
          {action === 'schedule' && (<>
            <label>Slot start ({plantZoneLabel(zone)}) <input type="datetime-local" aria-label="Slot start" value={slotStart} onChange={(e) => setSlotStart(e.target.value)} /></label>
            <label>Slot end ({plantZoneLabel(zone)}) <input type="datetime-local" aria-label="Slot end" value={slotEnd} onChange={(e) => setSlotEnd(e.target.value)} /></label>
          </>)}
          {action === 'break-glass' && (<>
            <label>Authorised by (name) <input value={glassApprover} onChange={(e) => setGlassApprover(e.target.value)} /></label>
            <label>Their role <input value={glassRole} onChange={(e) => setGlassRole(e.target.value)} placeholder="e.g. shift-supervisor" /></label>
            <label>How
              <select value={glassMethod} onChange={(e) => setGlassMethod(e.target.value as 'in-person' | 'phone' | 'radio')}>
                <option value="in-person">in person</option><option value="phone">phone</option><option value="radio">radio</option>
              </select>
            </label>
          </>)}
          {action === 'start-execution' && (<>
            <label>Witness (dual control)
              <select value={witness} onChange={(e) => setWitness(e.target.value)}>
                <option value="">none</option>
                {s.people.filter((p) => !p.revoked && p.employeeId !== employeeId).map((p) => <option key={p.fingerprint} value={p.employeeId}>{p.name} ({p.employeeId})</option>)}
              </select>
            </label>
            {witness && <label>Witness's password <input type="password" autoComplete="off" value={witnessPassword} onChange={(e) => setWitnessPassword(e.target.value)} /></label>}
            {witness && <DemoPassword employeeId={witness} />}
            {'conditions' in state && state.conditions.length > 0 && (
              <label className="inline wide"><input type="checkbox" checked={conditionsMet} onChange={(e) => setConditionsMet(e.target.checked)} /> The approval conditions are met: {state.conditions.join('; ')}</label>
            )}
          </>)}
          {(action === 'schedule' || action === 'start-execution') && (
            <fieldset className="wide override" aria-label="Override">
              <legend>Override (only for a slot outside every window or inside a blackout; signed by the approver the policy names)</legend>
              <label>Override by
                <select value={ovBy} onChange={(e) => { setOvBy(e.target.value); setOvRole(''); }}>
                  <option value="">no override</option>
                  {s.people.filter((p) => !p.revoked && p.employeeId !== employeeId).map((p) => <option key={p.fingerprint} value={p.employeeId}>{p.name} ({p.employeeId})</option>)}
                </select>
              </label>
              {ovBy && (<>
                <label>Override role
                  <select value={ovRole} onChange={(e) => setOvRole(e.target.value)}>
                    <option value="">choose…</option>{(ovSigner?.roles ?? []).map((r) => <option key={r} value={r}>{r}</option>)}
                  </select>
                </label>
                <label>Rule overridden
                  <select value={ovRule} onChange={(e) => setOvRule(e.target.value as 'outside-window' | 'blackout')}>
                    <option value="outside-window">outside every change window</option><option value="blackout">inside a blackout</option>
                  </select>
                </label>
                {ovRule === 'blackout' && <label>Blackout name <input value={ovBlackout} onChange={(e) => setOvBlackout(e.target.value)} /></label>}
                <label className="wide">Override reason <textarea rows={2} value={ovReason} onChange={(e) => setOvReason(e.target.value)} /></label>
                <label>Override approver's password <input type="password" autoComplete="off" value={ovPassword} onChange={(e) => setOvPassword(e.target.value)} /></label>
                <DemoPassword employeeId={ovBy} />
              </>)}
            </fieldset>
          )}
          {action !== '' && action !== 'submit' && action !== 'schedule' && (
            <label className="wide">{action === 'approve' || action === 'close' || action === 'retrospective-review' ? 'Comment'
              : action === 'approve-with-conditions' ? 'Conditions (one per line)' : action === 'start-execution' ? 'Staging validation record' : 'Reason'}
              <textarea rows={2} value={text} onChange={(e) => setText(e.target.value)} /></label>
          )}
          <label>Password <input type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} /></label>
          <DemoPassword employeeId={employeeId} />
          {error && <p className="bad-text wide" role="alert">{error.message} {error.hint}</p>}
          <div className="actions"><button type="submit" className="primary" disabled={!ready}>Sign</button></div>
        </form>
  );
}
