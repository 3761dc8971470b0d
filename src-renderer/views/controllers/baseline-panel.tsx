/** A controller's baseline panel: the approved baseline, approving the latest signed snapshot, drift checks and the unauthorized changes they open. */
import { useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { selectPlantZone, useAppStore } from '../../state/app-store.ts';
import type { ErrorData } from '../../../src-shared/common/errors.ts';
import { SignerFields, SigningFields, useSigner } from '../../components/signed-form.tsx';
import { PlantTime } from '../../components/plant-time.tsx';
import { SignIcon } from '../../components/icons.tsx';

/** Baseline, drift check and unauthorized-change records of one controller (NERC CIP-010 R1/R2). */
export function BaselinePanel({ controllerId }: { controllerId: string }) {
  const s = useAppStore(
    useShallow((st) => ({
      baselines: st.baselines,
      snapshots: st.snapshots,
      people: st.people,
      driftResult: st.driftResult,
      driftRunning: st.driftRunning,
      approve: st.approveBaseline,
      check: st.checkDrift,
      close: st.closeUnauthorized,
    })),
  );
  const [form, setForm] = useState<'none' | 'approve' | string>('none');
  const signer = useSigner();
  const zone = useAppStore(selectPlantZone);
  const [explanation, setExplanation] = useState('');
  const [error, setError] = useState<ErrorData | null>(null);
  const current = s.baselines?.history[0] ?? null;
  const latestSnapshot = s.snapshots[0] ?? null;
  const open = s.baselines?.unauthorizedChanges.filter((u) => !u.closedAt) ?? [];

  /** One signature of this panel: the form locked while it is recorded, then its outcome. */
  const signWith = async (call: () => Promise<ErrorData | null>) => {
    let err: ErrorData | null = null;
    await signer.run(async () => (err = await call()), '');
    setError(err);
    if (!err) {
      setForm('none');
      setExplanation('');
    }
  };

  return (
    <section className="panel baseline" aria-label="Baseline and drift">
      <div className="view-head">
        <p data-testid="baseline-state">
          {current ? (
            <>
              Baseline <strong>v{current.version}</strong>, approved by {current.approvedBy},{' '}
              <PlantTime iso={current.approvedAt} zone={zone} />
            </>
          ) : (
            'No approved baseline yet.'
          )}
        </p>
        <div className="actions">
          {latestSnapshot && latestSnapshot.sha256 !== current?.snapshotSha256 && (
            <button
              type="button"
              data-write
              onClick={() => {
                setError(null);
                setForm('approve');
              }}
            >
              Approve latest signed snapshot as baseline…
            </button>
          )}
          {current && (
            <button type="button" data-write disabled={s.driftRunning} onClick={() => void s.check(controllerId).then(setError)}>
              {s.driftRunning ? 'Checking…' : 'Check drift now'}
            </button>
          )}
        </div>
      </div>
      {s.driftResult && (
        <p className={s.driftResult.drifted ? 'bad-text' : 'ok-text'} role="status" data-testid="drift-result">
          {s.driftResult.drifted
            ? `Drift: ${s.driftResult.configDifferences} configuration difference(s) from baseline v${s.driftResult.baselineVersion}; an unauthorized-change record was opened.`
            : `No drift from baseline v${s.driftResult.baselineVersion}.`}
        </p>
      )}
      {error && (
        <p className="bad-text" role="alert">
          {error.message} {error.hint}
        </p>
      )}
      {form === 'approve' && latestSnapshot && (
        <form
          className="form"
          aria-label="Approve baseline"
          onSubmit={(e) => {
            e.preventDefault();
            void signWith(() =>
              s.approve({ controllerId, snapshotSha256: latestSnapshot.sha256, employeeId: signer.employeeId, password: signer.password }),
            );
          }}
        >
          <SigningFields busy={signer.busy}>
            <p className="statement">
              By signing, the approver states that the snapshot captured by {latestSnapshot.signer} (
              <PlantTime iso={latestSnapshot.at} zone={zone} />) is <strong>approved</strong> as this controller's baseline.
            </p>
            <SignerFields
              label="Signer"
              {...signer}
              rule={{
                roles: 'baseline',
                what: 'approve a baseline',
                exclude: new Map(
                  s.people.filter((p) => p.name === latestSnapshot.signer).map((p) => [p.employeeId, 'captured this snapshot']),
                ),
              }}
            />
            <div className="actions">
              <button type="submit" className="primary" disabled={!signer.employeeId || !signer.password}>
                <SignIcon />
                Sign and approve
              </button>
              <button type="button" onClick={() => setForm('none')}>
                Cancel
              </button>
            </div>
          </SigningFields>
        </form>
      )}
      {open.length > 0 && (
        <div aria-label="Open unauthorized changes">
          <h3 className="bad-text">Unauthorized changes to investigate ({open.length})</h3>
          {open.map((u) => (
            <div key={u.id} className="unauthorized" data-testid="unauthorized-change">
              <p>
                Opened <PlantTime iso={u.openedAt} zone={zone} />:{' '}
                {u.differences.map((d) => `${d.tag} ${d.before} → ${d.after}${d.safety ? ' (safety)' : ''}`).join('; ')}
                {u.moreDifferences ? ` and ${u.moreDifferences} more` : ''}
              </p>
              {form === u.id ? (
                <form
                  className="form"
                  aria-label="Close unauthorized change"
                  onSubmit={(e) => {
                    e.preventDefault();
                    void signWith(() =>
                      s.close({ id: u.id, explanation, employeeId: signer.employeeId, password: signer.password }, controllerId),
                    );
                  }}
                >
                  <SigningFields busy={signer.busy}>
                    <label className="wide">
                      Explanation (what changed, why, who; references)
                      <textarea required rows={3} value={explanation} onChange={(e) => setExplanation(e.target.value)} />
                    </label>
                    <SignerFields label="Signer" {...signer} />
                    <div className="actions">
                      <button type="submit" className="primary" disabled={!signer.employeeId || !signer.password}>
                        <SignIcon />
                        Sign and close
                      </button>
                      <button type="button" onClick={() => setForm('none')}>
                        Cancel
                      </button>
                    </div>
                  </SigningFields>
                </form>
              ) : (
                <button
                  type="button"
                  data-write
                  onClick={() => {
                    setError(null);
                    setForm(u.id);
                  }}
                >
                  Close with a signed explanation…
                </button>
              )}
            </div>
          ))}
        </div>
      )}
    </section>
  );
}
