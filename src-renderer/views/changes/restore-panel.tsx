/** The restore of a rolled-back change: preview, the shift supervisor's signed decision, and the confirmed write with read-back. */
import { useState } from 'react';
import { useAppStore } from '../../state/app-store.ts';
import { Outcome, SignerFields, useSigner } from '../../components/signed-form.tsx';
import type { RestoreOutcomeView, RestorePreviewView } from '../../../src-shared/common/api/contract.ts';
import type { ErrorData } from '../../../src-shared/common/errors.ts';

/** A write's result in words. */
const WRITE_RESULT: Record<string, string> = {
  'written-verified': 'written and verified',
  'write-failed': 'write failed',
  'readback-mismatch': 'read back a different value',
  'not-attempted': 'not attempted',
};

/**
 * Restoring a rolled-back change's before-snapshot to one controller, in the three explicit steps the app allows
 * writes in: preview (nothing written), the shift supervisor's signed decision for exactly those values, and the
 * engineer typing the controller's name; then the outcome of each write and the comparison with the before-snapshot.
 */
export function RestorePanel({
  changeId,
  targets,
  exclude,
}: {
  changeId: string;
  targets: { controllerId: string; name: string }[];
  exclude: ReadonlyMap<string, string>;
}) {
  const step = useAppStore((st) => st.restoreStep);
  const signer = useSigner();
  const [controllerId, setControllerId] = useState(targets[0]?.controllerId ?? '');
  const [preview, setPreview] = useState<RestorePreviewView | null>(null);
  const [decisionId, setDecisionId] = useState<string | null>(null);
  const [reason, setReason] = useState('');
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorData | null>(null);
  const [outcome, setOutcome] = useState<RestoreOutcomeView | null>(null);
  const writes = preview?.writes.map(({ tag, value }) => ({ tag, value })) ?? [];

  async function runStep<T>(fn: () => Promise<{ value: T } | { error: ErrorData }>): Promise<T | null> {
    setBusy(true);
    const r = await fn();
    setBusy(false);
    setError('error' in r ? r.error : null);
    return 'error' in r ? null : r.value;
  }
  async function doPreview() {
    setDecisionId(null);
    setOutcome(null);
    setTyped('');
    setPreview(await runStep(() => step('restore.preview', { changeId, controllerId })));
  }
  async function authorize(e: React.FormEvent) {
    e.preventDefault();
    const r = await step('restore.authorize', {
      changeId,
      controllerId,
      writes,
      reason,
      employeeId: signer.employeeId,
      password: signer.password,
    });
    if (signer.settle('error' in r ? r.error : null, 'Restore decision signed.') && 'value' in r) setDecisionId(r.value.decisionId);
  }
  async function write(e: React.FormEvent) {
    e.preventDefault();
    if (!decisionId || !preview) return;
    const previewCaptureSha256 = preview.captureSha256;
    const r = await runStep(() =>
      step('restore.run', { changeId, controllerId, writes, decisionId, confirmation: typed, previewCaptureSha256 }),
    );
    if (r) {
      setOutcome(r);
      setPreview(null);
      setDecisionId(null);
      setTyped('');
    }
  }

  return (
    <section className="panel" aria-label="Restore the before-snapshot">
      <h3>Restore the before-snapshot</h3>
      <p className="muted">
        The change was rolled back. Baseline reads the controller, lists the values that differ from the signed before-snapshot, and writes
        them back only after a shift supervisor signs exactly those values and you type the controller&apos;s name.
      </p>
      <div className="form">
        <label>
          Controller
          <select
            value={controllerId}
            onChange={(e) => {
              setControllerId(e.target.value);
              setPreview(null);
              setDecisionId(null);
              setOutcome(null);
            }}
          >
            {targets.map((t) => (
              <option key={t.controllerId} value={t.controllerId}>
                {t.name}
              </option>
            ))}
          </select>
        </label>
        <div className="actions">
          <button type="button" data-write onClick={() => void doPreview()} disabled={busy || !controllerId}>
            {busy ? 'Reading the controller…' : 'Preview the restore'}
          </button>
        </div>
      </div>
      {error && (
        <div className="bad-text" role="alert">
          <p>{error.message}</p>
          <p>What to do: {error.hint}</p>
        </div>
      )}
      {preview && (
        <>
          <table className="events" aria-label="Values to write">
            <thead>
              <tr>
                <th>Tag</th>
                <th>Now</th>
                <th>Will be written</th>
              </tr>
            </thead>
            <tbody>
              {preview.writes.map((w) => (
                <tr key={w.tag}>
                  <td>
                    {w.tag}
                    {w.safety ? ' (safety)' : ''}
                  </td>
                  <td>{w.now}</td>
                  <td>
                    <strong>{w.restoreTo}</strong>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {preview.writes.length === 0 && (
            <p className="ok-text" role="status">
              No writable value differs from the before-snapshot.
            </p>
          )}
          {preview.manual.length > 0 && (
            <div data-testid="manual-restore">
              <p>
                <strong>Restore by hand</strong> (follow the rollback plan):
              </p>
              <ul>
                {preview.manual.map((m) => (
                  <li key={m.tag}>
                    {m.tag}: now {m.now}, before {m.before} ({m.why})
                  </li>
                ))}
              </ul>
            </div>
          )}
          {preview.writes.length > 0 && !decisionId && (
            <form className="form" aria-label="Sign the restore decision" onSubmit={(e) => void authorize(e)}>
              <label className="wide">
                Reason{' '}
                <input
                  value={reason}
                  onChange={(e) => setReason(e.target.value)}
                  placeholder="e.g. ROLLBACK at mid-change: filler faults on restart"
                />
              </label>
              <SignerFields
                label="Shift supervisor"
                {...signer}
                rule={{ roles: 'restore', what: 'authorize writing to the controller', exclude }}
              />
              <div className="actions">
                <button type="submit" className="primary" disabled={!signer.employeeId || !signer.password || reason.trim().length < 5}>
                  Sign the decision to write {preview.writes.length} value{preview.writes.length === 1 ? '' : 's'}
                </button>
              </div>
              <Outcome error={signer.error} done="" />
            </form>
          )}
          {decisionId && (
            <form className="form" aria-label="Confirm the restore" onSubmit={(e) => void write(e)}>
              <label className="wide">
                Type {preview.controller} to confirm writing {preview.writes.length} value{preview.writes.length === 1 ? '' : 's'} to it
                <input value={typed} onChange={(e) => setTyped(e.target.value)} autoComplete="off" spellCheck={false} />
              </label>
              <div className="actions">
                <button type="submit" className="danger" disabled={busy || typed !== preview.controller}>
                  Write {preview.writes.length} value{preview.writes.length === 1 ? '' : 's'} to {preview.controller}
                </button>
              </div>
            </form>
          )}
        </>
      )}
      {outcome && (
        <div role="status" data-testid="restore-outcome">
          <table className="events" aria-label="Restore outcome">
            <thead>
              <tr>
                <th>Tag</th>
                <th>Result</th>
              </tr>
            </thead>
            <tbody>
              {outcome.result.outcomes.map((o) => (
                <tr key={o.tag}>
                  <td>{o.tag}</td>
                  <td>
                    {WRITE_RESULT[o.status] ?? o.status}
                    {o.error ? `: ${o.error}` : ''}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {outcome.matchesBefore ? (
            <p className="ok-text">Read again: the controller matches the before-snapshot.</p>
          ) : (
            <p className="bad-text">
              Read again: {outcome.remaining.length} value{outcome.remaining.length === 1 ? '' : 's'} still differ from the before-snapshot:{' '}
              {outcome.remaining.map((r) => `${r.tag} (now ${r.now}, before ${r.before})`).join('; ')}.
            </p>
          )}
        </div>
      )}
    </section>
  );
}
