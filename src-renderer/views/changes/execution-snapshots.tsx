/** A change's before- and after-snapshots: recording them during execution, what the after-snapshot shows against the proposal, and approving it as baseline. */
import { useState } from 'react';
import { useAppStore } from '../../state/app-store.ts';
import { Outcome, SignerFields, useSigner } from '../../components/signed-form.tsx';
import type { OperationResponse } from '../../../src-shared/common/api/contract.ts';
import type { SnapshotRecord } from '../../../src-shared/common/workflow/change-state.ts';
import { ActionForm, fieldLabel } from './action-form.tsx';
import { formatPlant, PlantTime } from '../../components/plant-time.tsx';

type Targets = OperationResponse<'changes.get'>['targets'];

/** One recorded snapshot, and for an after-snapshot what it shows against the before-snapshot and the proposal. */
function Recorded({ record }: { record: SnapshotRecord | undefined }) {
  const zone = useAppStore((st) => st.policy?.timeZone ?? 'UTC');
  if (!record) return <span className="muted">not recorded</span>;
  const v = record.verification;
  return (
    <div>
      <code title={record.snapshotSha256}>{record.snapshotSha256.slice(0, 12)}…</code> captured by {record.capturedBy},{' '}
      <PlantTime iso={record.capturedAt} zone={zone} />
      {v && (
        <div data-testid="verification">
          <span className={`badge ${v.matches ? 'badge-ok' : 'badge-bad'}`}>
            {v.matches
              ? v.proposal === 'diff'
                ? 'matches the proposed diff'
                : 'no configuration change'
              : `${v.counts.unexpected} unexpected, ${v.counts.missing} missing`}
          </span>{' '}
          {v.counts.approved} proposed change{v.counts.approved === 1 ? '' : 's'} made · {v.configDifferences} configuration difference
          {v.configDifferences === 1 ? '' : 's'}
          {v.findings.filter((f) => f.status !== 'approved').length > 0 && (
            <ul>
              {v.findings
                .filter((f) => f.status !== 'approved')
                .map((f) => (
                  <li key={f.tag}>
                    <strong>{f.status}</strong> {f.tag}: {f.reason}
                  </li>
                ))}
            </ul>
          )}
        </div>
      )}
    </div>
  );
}

/** Step 6 of the OT change framework: a baseline approver makes a completed change's after-snapshot the controller's new baseline. */
function BaselineForm({ changeId, pending, exclude }: { changeId: string; pending: Targets; exclude: ReadonlyMap<string, string> }) {
  const approve = useAppStore((st) => st.approveChangeBaseline);
  const signer = useSigner();
  const [controllerId, setControllerId] = useState(pending[0]?.controllerId ?? '');
  if (pending.length === 0) return null;
  const chosen = pending.some((p) => p.controllerId === controllerId) ? controllerId : pending[0]!.controllerId;
  async function sign(e: React.FormEvent) {
    e.preventDefault();
    const err = await approve({ changeId, controllerId: chosen, employeeId: signer.employeeId, password: signer.password });
    signer.settle(err, 'Approved as the new baseline.');
  }
  return (
    <form className="form" aria-label="Approve the new baseline" onSubmit={(e) => void sign(e)}>
      <p className="wide">
        The change is complete: approve each after-snapshot as its controller&apos;s new baseline, so drift checks compare with it from now
        on.
      </p>
      <label>
        Controller
        <select value={chosen} onChange={(e) => setControllerId(e.target.value)}>
          {pending.map((t) => (
            <option key={t.controllerId} value={t.controllerId}>
              {t.name}
            </option>
          ))}
        </select>
      </label>
      <SignerFields label="Approved by" {...signer} rule={{ roles: 'baseline', what: 'approve a new baseline', exclude }} />
      <div className="actions">
        <button type="submit" className="primary" disabled={!signer.employeeId || !signer.password}>
          Sign: approve as the new baseline
        </button>
      </div>
      <Outcome error={signer.error} done={signer.done} />
    </form>
  );
}

/** Before- and after-snapshots of the change's controllers: what is recorded, and (during execution) recording one. */
export function ExecutionSnapshots({
  changeId,
  targets,
  records,
  executing,
  completed,
  exclude,
}: {
  changeId: string;
  targets: Targets;
  records: SnapshotRecord[];
  executing: boolean;
  completed: boolean;
  exclude: ReadonlyMap<string, string>;
}) {
  const zone = useAppStore((st) => st.policy?.timeZone ?? 'UTC');
  const [controllerId, setControllerId] = useState(targets[0]?.controllerId ?? '');
  // Until someone picks, the phase follows the change: before-snapshots first, then after-snapshots.
  const [phaseChoice, setPhase] = useState<'before' | 'after' | null>(null);
  const phase = phaseChoice ?? (records.some((r) => r.phase === 'before' && r.controllerId === controllerId) ? 'after' : 'before');
  const [snapshot, setSnapshot] = useState('');
  const latest = (id: string, p: 'before' | 'after') => records.filter((r) => r.controllerId === id && r.phase === p).at(-1);
  const choices = targets.find((t) => t.controllerId === controllerId)?.snapshots ?? [];
  return (
    <section className="panel" aria-label="Before and after">
      <h3>Before and after</h3>
      <table className="events" aria-label="Snapshots of the change">
        <thead>
          <tr>
            <th>Controller</th>
            <th>Before-snapshot</th>
            <th>After-snapshot</th>
            <th>Baseline</th>
          </tr>
        </thead>
        <tbody>
          {targets.map((t) => (
            <tr key={t.controllerId} data-controller={t.name}>
              <td>{t.name}</td>
              <td>
                <Recorded record={latest(t.controllerId, 'before')} />
              </td>
              <td>
                <Recorded record={latest(t.controllerId, 'after')} />
              </td>
              <td data-testid="baseline-state">
                {t.baseline ? (
                  <>
                    v{t.baseline.version}
                    {t.baseline.snapshotSha256 === latest(t.controllerId, 'after')?.snapshotSha256 ? (
                      <span className="badge badge-ok">the after-snapshot</span>
                    ) : null}
                  </>
                ) : (
                  <span className="muted">none</span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {completed && (
        <BaselineForm
          changeId={changeId}
          pending={targets.filter((t) => {
            const a = latest(t.controllerId, 'after');
            return a !== undefined && t.baseline?.snapshotSha256 !== a.snapshotSha256;
          })}
          exclude={exclude}
        />
      )}
      {executing && (
        <ActionForm
          type="record-snapshot"
          changeId={changeId}
          heading={null}
          lead={
            <>
              <label>
                {fieldLabel('record-snapshot', 'controllerId')}
                <select
                  value={controllerId}
                  onChange={(e) => {
                    setControllerId(e.target.value);
                    setSnapshot('');
                  }}
                >
                  {targets.map((t) => (
                    <option key={t.controllerId} value={t.controllerId}>
                      {t.name}
                    </option>
                  ))}
                </select>
              </label>
              <label>
                {fieldLabel('record-snapshot', 'phase')}
                <select aria-label="Record as" value={phase} onChange={(e) => setPhase(e.target.value as 'before' | 'after')}>
                  <option value="before">before-snapshot</option>
                  <option value="after">after-snapshot</option>
                </select>
              </label>
              <label>
                {fieldLabel('record-snapshot', 'snapshotSha256')}
                <select
                  aria-label={fieldLabel('record-snapshot', 'snapshotSha256')}
                  value={snapshot}
                  onChange={(e) => setSnapshot(e.target.value)}
                >
                  <option value="">{choices.length ? 'choose…' : 'none yet: capture and sign on the Controllers screen'}</option>
                  {choices.map((x) => (
                    <option key={x.sha256} value={x.sha256}>
                      {formatPlant(x.at, zone)} · {x.signer} · {x.sha256.slice(0, 12)}…
                    </option>
                  ))}
                </select>
              </label>
            </>
          }
          signerLabel="Recorded by"
          fields={() => ({ phase, controllerId, snapshotSha256: snapshot })}
          button="Sign and record"
          done={() => `Recorded the ${phase}-snapshot.`}
          onAccepted={() => {
            setSnapshot('');
            setPhase(null);
          }}
        />
      )}
    </section>
  );
}
