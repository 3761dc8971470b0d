import { useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useAppStore } from '../../state/app-store.ts';
import type { ErrorData } from '../../../src-shared/common/errors.ts';

type ActionType = 'submit' | 'withdraw' | 'approve' | 'approve-with-conditions' | 'reject' | 'defer';
const SIGNED: ActionType[] = ['submit', 'withdraw', 'approve', 'approve-with-conditions', 'reject', 'defer'];
const LABEL: Record<ActionType, string> = {
  submit: 'Submit for approval', withdraw: 'Withdraw', approve: 'Approve', 'approve-with-conditions': 'Approve with conditions', reject: 'Reject', defer: 'Defer',
};

/** One change: its fields, the approvals the policy required at submit and who signed, the signing panel, the timeline. */
export function ChangeDetail() {
  const s = useAppStore(useShallow((st) => ({ detail: st.changeDetail, people: st.people, act: st.actOnChange })));
  const [employeeId, setEmployeeId] = useState('');
  const [action, setAction] = useState<ActionType | ''>('');
  const [role, setRole] = useState('');
  const [text, setText] = useState('');
  const [password, setPassword] = useState('');
  const [diffReviewed, setDiffReviewed] = useState(false);
  const [error, setError] = useState<ErrorData | null>(null);
  if (!s.detail) return <p className="muted">Select a change, or file a new one.</p>;
  const { state, progress, timeline } = s.detail;
  const allowed = SIGNED.filter((a) => s.detail!.allowed.includes(a));
  const signer = s.people.find((p) => p.employeeId === employeeId);
  const needsRole = action !== '' && action !== 'submit' && action !== 'withdraw';

  async function sign(e: React.FormEvent) {
    e.preventDefault();
    if (action === '') return;
    const a = action === 'submit' ? { type: 'submit' as const }
      : action === 'withdraw' ? { type: 'withdraw' as const, reason: text }
        : action === 'approve' ? { type: 'approve' as const, role, ...(text ? { comment: text } : {}), diffReviewed }
          : action === 'approve-with-conditions' ? { type: 'approve-with-conditions' as const, role, conditions: text.split('\n').filter(Boolean), diffReviewed }
            : { type: action, role, reason: text };
    const err = await s.act({ id: state.id, employeeId, password, action: a });
    setPassword('');
    setError(err);
    if (!err) {
      setAction('');
      setText('');
    }
  }

  return (
    <section className="detail-pane" aria-label={`Change ${state.fields.title}`}>
      <h2>{state.fields.title || '(untitled)'}</h2>
      <p className="muted"><span data-testid="change-status" className="badge">{s.detail.statusLabel}</span> · {state.fields.class ?? 'no class'} · requested by {state.requester.name}, {new Date(state.createdAt).toLocaleString()}</p>
      <p>{state.fields.description}</p>
      {s.detail.approvalTimeout.status === 'waiting' && (
        <p className="muted" data-testid="approval-timeout">Approvals due by {new Date(s.detail.approvalTimeout.dueAt).toLocaleString()}; then they escalate to {s.detail.approvalTimeout.escalateTo.join(', ')}.</p>
      )}
      {s.detail.approvalTimeout.status === 'escalated' && (
        <p className="bad-text" data-testid="approval-timeout">Approvals overdue by {s.detail.approvalTimeout.overdueMinutes} min: escalated to {s.detail.approvalTimeout.escalateTo.join(', ')}.</p>
      )}
      {s.detail.retrospective.status === 'due' && <p className="bad-text" data-testid="retrospective">Started under break-glass: retrospective CAB review due by {new Date(s.detail.retrospective.dueAt).toLocaleString()}.</p>}
      {s.detail.retrospective.status === 'overdue' && <p className="bad-text" data-testid="retrospective"><strong>Retrospective CAB review OVERDUE</strong> since {new Date(s.detail.retrospective.dueAt).toLocaleString()}.</p>}
      {s.detail.retrospective.status === 'done' && <p className="ok-text" data-testid="retrospective">Retrospective review done {new Date(s.detail.retrospective.completedAt).toLocaleString()}{s.detail.retrospective.late ? ' (late)' : ''}.</p>}
      {progress && (
        <section className="panel" aria-label="Approvals">
          <h3>Approvals</h3>
          <ul>
            {progress.requirements.map((r) => (
              <li key={r.requirement.group} data-testid="approval-requirement">{r.requirement.name}: {r.counted.length} of {r.requirement.quorum}
                {r.counted.length > 0 ? ` (${r.counted.map((c) => `${c.by.name} as ${c.role}`).join(', ')})` : ''}{r.satisfied ? ' ✓' : ` — ${r.missing}`}</li>
            ))}
          </ul>
          {s.detail.outstanding.length > 0 && <p className="muted">Outstanding: {s.detail.outstanding.join('; ')}</p>}
        </section>
      )}
      {allowed.length > 0 && (
        <form className="panel form" aria-label="Sign a decision" onSubmit={(e) => void sign(e)}>
          <h3>Sign</h3>
          <label>Signer
            <select value={employeeId} onChange={(e) => { setEmployeeId(e.target.value); setRole(''); }}>
              <option value="">choose…</option>
              {s.people.filter((p) => !p.revoked).map((p) => <option key={p.fingerprint} value={p.employeeId}>{p.name} ({p.employeeId})</option>)}
            </select>
          </label>
          <label>Decision
            <select value={action} onChange={(e) => setAction(e.target.value as ActionType)}>
              <option value="">choose…</option>
              {allowed.map((a) => <option key={a} value={a}>{LABEL[a]}</option>)}
            </select>
          </label>
          {needsRole && (
            <label>As role
              <select value={role} onChange={(e) => setRole(e.target.value)}>
                <option value="">choose…</option>
                {(signer?.roles ?? []).map((r) => <option key={r} value={r}>{r}</option>)}
              </select>
            </label>
          )}
          {(action === 'approve' || action === 'approve-with-conditions') && (
            <label className="inline"><input type="checkbox" checked={diffReviewed} onChange={(e) => setDiffReviewed(e.target.checked)} /> I reviewed the proposed diff</label>
          )}
          {action !== '' && action !== 'submit' && (
            <label className="wide">{action === 'approve' ? 'Comment' : action === 'approve-with-conditions' ? 'Conditions (one per line)' : 'Reason'}
              <textarea rows={2} value={text} onChange={(e) => setText(e.target.value)} /></label>
          )}
          <label>Password <input type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} /></label>
          {error && <p className="bad-text wide" role="alert">{error.message} {error.hint}</p>}
          <div className="actions"><button type="submit" className="primary" disabled={!employeeId || action === '' || !password || (needsRole && !role)}>Sign</button></div>
        </form>
      )}
      <section className="panel" aria-label="Timeline">
        <h3>Timeline</h3>
        <ol className="timeline">
          {timeline.map((t) => <li key={t.seq}>{new Date(t.at).toLocaleString()}: <strong>{t.by}</strong> {t.summary}{t.signed ? ' (e-signed)' : ''}</li>)}
        </ol>
      </section>
    </section>
  );
}
