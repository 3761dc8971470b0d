import { useEffect, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useAppStore } from '../../state/app-store.ts';
import { Outcome, SignerFields, useSigner } from '../../components/signed-form.tsx';
import { PlantTime } from '../../components/plant-time.tsx';
import { notEvidenceReason, type ChangeCaptureView } from '../../../src-shared/common/workflow/change-capture.ts';
import type { CheckpointView } from '../../../src-shared/common/api/contract.ts';
import type { SnapshotRecord } from '../../../src-shared/common/workflow/execution-records.ts';

/** One empty list for every render (a fresh [] would make the store selector differ each time and loop). */
const NO_CAPTURES: ChangeCaptureView[] = [];

const STATUS_WORDS: Record<ChangeCaptureView['status'], string> = {
  complete: 'complete',
  incomplete: 'cut off',
  cancelled: 'cancelled',
  failed: 'failed',
};

/** One target controller's capture of the phase due: its progress while it runs, then what it is worth, with retry. */
function ControllerRow({
  changeId,
  controllerId,
  name,
  phase,
  latest,
  recorded,
}: {
  changeId: string;
  controllerId: string;
  name: string;
  phase: 'before' | 'after';
  latest: ChangeCaptureView | undefined;
  /** The snapshot of this phase already recorded on the change (also when it came from a signed snapshot, not a capture here). */
  recorded: SnapshotRecord | undefined;
}) {
  const { running, start, cancel } = useAppStore(
    useShallow((st) => ({ running: st.runningCaptures[controllerId], start: st.startChangeCapture, cancel: st.cancelChangeCapture })),
  );
  const zone = useAppStore((st) => st.policy?.timeZone ?? 'UTC');
  const pct = running && running.total > 0 ? Math.round((100 * running.done) / running.total) : 0;
  const retry = latest !== undefined && latest.status !== 'complete';
  return (
    <tr data-controller={name} data-testid="change-capture-row">
      <td>{name}</td>
      <td>
        {running ? (
          <div
            className="progress"
            role="progressbar"
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={pct}
            aria-label={`Capture progress of ${name}`}
          >
            <div className="bar" style={{ width: `${pct}%` }} />
            <span>
              {running.done} of {running.total || '…'} tags · {running.cancelling ? 'cancelling' : running.detail}
            </span>
          </div>
        ) : latest ? (
          <span data-testid="capture-status" data-status={latest.status}>
            <span className={`badge ${latest.status === 'complete' ? 'badge-ok' : 'badge-bad'}`}>{STATUS_WORDS[latest.status]}</span>{' '}
            <PlantTime iso={latest.capturedAt} zone={zone} />
            {latest.status === 'complete' ? (
              latest.recordedAs ? (
                ` · recorded as the ${phase}-snapshot`
              ) : (
                ` · ${latest.good} of ${latest.tags} tags: sign it below to record it`
              )
            ) : (
              <strong className="bad-text"> · {notEvidenceReason(latest)}: not evidence</strong>
            )}
          </span>
        ) : recorded ? (
          <span data-testid="capture-status" data-status="recorded">
            <span className="badge badge-ok">recorded</span> <PlantTime iso={recorded.at} zone={zone} /> · the {phase}-snapshot, recorded by{' '}
            {recorded.by.name} from a signed snapshot
          </span>
        ) : (
          <span className="muted">not captured yet</span>
        )}
      </td>
      <td>
        {running ? (
          <button type="button" onClick={() => void cancel(controllerId)} disabled={running.cancelling}>
            Cancel capture of {name}
          </button>
        ) : (
          <button type="button" className={retry || !latest ? 'primary' : ''} onClick={() => void start(changeId, controllerId, phase, 0)}>
            {retry ? `Retry the ${phase}-capture of ${name}` : `Capture ${name} (${phase})`}
          </button>
        )}
      </td>
    </tr>
  );
}

/**
 * The before- and after-captures of every target controller, started here: a progress bar per controller with cancel;
 * a capture cut off, cancelled or failed is marked so and never evidence (a retry is offered); a complete one is signed
 * "captured by" and recorded on the change as its before- or after-snapshot in one signature step.
 */
export function ChangeCaptures({
  changeId,
  targets,
  checkpoints,
  recorded,
}: {
  changeId: string;
  targets: { controllerId: string; name: string }[];
  checkpoints: CheckpointView | null;
  /** The snapshots recorded on the change so far. */
  recorded: readonly SnapshotRecord[];
}) {
  const { captures, load, record, error } = useAppStore(
    useShallow((st) => ({
      captures: st.changeCaptures?.changeId === changeId ? st.changeCaptures.list : NO_CAPTURES,
      load: st.loadChangeCaptures,
      record: st.recordChangeCapture,
      error: st.changeCaptureError,
    })),
  );
  const signer = useSigner();
  const [chosen, setChosen] = useState('');
  useEffect(() => {
    void load(changeId);
  }, [changeId, load]);
  if (!checkpoints || checkpoints.closable) return null;
  const first = checkpoints.checkpoints[0];
  const phase: 'before' | 'after' = checkpoints.records.some((r) => r.checkpoint === first?.id && r.effect === 'proceed')
    ? 'after'
    : 'before';
  const latest = (id: string) => captures.filter((c) => c.controllerId === id && c.phase === phase).at(-1);
  const recordable = targets
    .map((t) => latest(t.controllerId))
    .filter((c): c is ChangeCaptureView => c !== undefined && c.status === 'complete' && c.recordedAs === null);
  const pick = recordable.find((c) => c.captureSha256 === chosen) ?? recordable[0];
  const nameOf = (id: string) => targets.find((t) => t.controllerId === id)?.name ?? id;
  async function sign(e: React.FormEvent) {
    e.preventDefault();
    if (!pick) return;
    const err = await record(changeId, pick.captureSha256, signer.employeeId, signer.password);
    if (signer.settle(err, `Signed and recorded the ${phase}-snapshot of ${nameOf(pick.controllerId)}.`)) setChosen('');
  }
  return (
    <section className="panel" aria-label="Captures of the change">
      <h3>{phase === 'before' ? 'Before-captures' : 'After-captures'} of the target controllers</h3>
      <p className="muted">
        Read each controller from here. Only a complete capture becomes evidence: one cut off, cancelled or failed is marked so and must be
        taken again.
      </p>
      {error && (
        <p className="bad-text" role="alert">
          {error.message} {error.hint}
        </p>
      )}
      <table className="events" aria-label={`${phase === 'before' ? 'Before' : 'After'}-captures`}>
        <thead>
          <tr>
            <th>Controller</th>
            <th>Capture</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {targets.map((t) => (
            <ControllerRow
              key={t.controllerId}
              changeId={changeId}
              controllerId={t.controllerId}
              name={t.name}
              phase={phase}
              latest={latest(t.controllerId)}
              recorded={recorded.filter((r) => r.controllerId === t.controllerId && r.phase === phase).at(-1)}
            />
          ))}
        </tbody>
      </table>
      {recordable.length > 0 && pick && (
        <form className="form" aria-label="Sign and record a capture" onSubmit={(e) => void sign(e)}>
          <label>
            Capture
            <select aria-label="Capture to record" value={pick.captureSha256} onChange={(e) => setChosen(e.target.value)}>
              {recordable.map((c) => (
                <option key={c.captureSha256} value={c.captureSha256}>
                  {nameOf(c.controllerId)} · {c.phase} · {c.captureSha256.slice(0, 12)}…
                </option>
              ))}
            </select>
          </label>
          <SignerFields label="Captured and recorded by" {...signer} />
          <div className="actions">
            <button type="submit" className="primary" disabled={!signer.employeeId || !signer.password}>
              Sign and record as the {phase}-snapshot
            </button>
          </div>
          <Outcome error={signer.error} done={signer.done} />
        </form>
      )}
      {recordable.length === 0 && <Outcome error={signer.error} done={signer.done} />}
    </section>
  );
}
