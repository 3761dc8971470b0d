/**
 * The manual rollback of what cannot be written over the wire (logic, firmware) on a rolled-back change, ending in the
 * same re-capture proof as a restore: the guided procedure's steps signed by the engineer, then the controller
 * captured again from here, that capture signed and compared with the before-snapshot, and the proof shown; a
 * difference is explained by the engineer and countersigned by a shift supervisor, or the work is done again.
 */
import { useEffect, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useAppStore } from '../../state/app-store.ts';
import { Outcome, SignerFields, useSigner } from '../../components/signed-form.tsx';
import { PlantTime } from '../../components/plant-time.tsx';
import type { ChangeState, ManualRollbackRecord } from '../../../src-shared/common/workflow/change-state.ts';
import { notEvidenceReason, type ChangeCaptureView } from '../../../src-shared/common/workflow/change-capture.ts';
import { SIGNED_ACTIONS } from '../../../src-shared/common/workflow/signed-actions.ts';
import { signatureCovers } from '../../../src-shared/common/workflow/signed-action-words.ts';
import { ActionForm, fieldLabel, useCountersigners } from './action-form.tsx';
import { MANUAL_ROLLBACK_STEPS } from '../../../src-shared/common/workflow/rollback-guidance.ts';
import { latestManualRollbacks, rollbackProofStatus } from '../../../src-shared/common/workflow/rollback-proof.ts';

type Executed = Extract<ChangeState, { status: 'rolled-back' | 'closed' }>;
type Target = { controllerId: string; name: string };
const NO_CAPTURES: ChangeCaptureView[] = [];
const KINDS = [
  ['logic', 'Logic (program)'],
  ['firmware', 'Firmware'],
  ['other', 'Other (configuration by hand)'],
] as const;

/** The signed guided procedure: what was written back, from which file, every step confirmed. */
function ProcedureForm({ changeId, targets, again }: { changeId: string; targets: Target[]; again: boolean }) {
  const [controllerId, setControllerId] = useState(targets[0]?.controllerId ?? '');
  const [kind, setKind] = useState<'logic' | 'firmware' | 'other'>('logic');
  const [reference, setReference] = useState('');
  const [confirmed, setConfirmed] = useState<string[]>([]);
  const label = (name: string) => fieldLabel('manual-rollback', name);
  return (
    <ActionForm
      type="manual-rollback"
      changeId={changeId}
      name="Manual rollback procedure"
      heading={
        <h4 className="wide">
          {again ? 'Another manual rollback: the guided procedure' : '1. The guided procedure (done with the vendor tool)'}
        </h4>
      }
      lead={
        <>
          <label>
            {label('controllerId')}
            <select value={controllerId} onChange={(e) => setControllerId(e.target.value)}>
              {targets.map((t) => (
                <option key={t.controllerId} value={t.controllerId}>
                  {t.name}
                </option>
              ))}
            </select>
          </label>
          <label>
            {label('kind')}
            <select value={kind} onChange={(e) => setKind(e.target.value as typeof kind)}>
              {KINDS.map(([k, words]) => (
                <option key={k} value={k}>
                  {words}
                </option>
              ))}
            </select>
          </label>
          <label className="wide">
            {label('reference')}{' '}
            <input
              value={reference}
              onChange={(e) => setReference(e.target.value)}
              placeholder="e.g. filler-before.L5X from the backup share"
            />
          </label>
          <p className="wide">{label('confirmed')}:</p>
          {MANUAL_ROLLBACK_STEPS.map((step) => (
            <label key={step} className="inline wide">
              <input
                type="checkbox"
                checked={confirmed.includes(step)}
                onChange={(e) => setConfirmed(e.target.checked ? [...confirmed, step] : confirmed.filter((x) => x !== step))}
              />{' '}
              {step}
            </label>
          ))}
        </>
      }
      signerLabel="Rolled back by (engineer)"
      fields={() => ({ controllerId, kind, reference, confirmed })}
      ready={reference.trim() !== '' && confirmed.length === MANUAL_ROLLBACK_STEPS.length}
      button="Sign the manual rollback"
      done="Manual rollback signed. Its proof is the re-capture of the controller below."
      onAccepted={() => {
        setConfirmed([]);
        setReference('');
      }}
    />
  );
}

/** Step 2: the re-capture of one controller, started here, with its progress; a complete one is signed and recorded as the proof. */
function Recapture({ changeId, target, latest }: { changeId: string; target: Target; latest: ChangeCaptureView | undefined }) {
  const { running, start, cancel, record } = useAppStore(
    useShallow((st) => ({
      running: st.runningCaptures[target.controllerId],
      start: st.startChangeCapture,
      cancel: st.cancelChangeCapture,
      record: st.recordChangeCapture,
    })),
  );
  const signer = useSigner();
  const pct = running && running.total > 0 ? Math.round((100 * running.done) / running.total) : 0;
  const recordable = latest?.status === 'complete' && latest.recordedAs === null ? latest : null;
  async function sign(e: React.FormEvent) {
    e.preventDefault();
    if (!recordable) return;
    const err = await record(changeId, recordable.captureSha256, signer.employeeId, signer.password);
    signer.settle(err, `Re-capture of ${target.name} signed and compared with the before-snapshot.`);
  }
  return (
    <div className="wide" data-testid="recapture">
      <p>
        <strong>2. Re-capture {target.name}</strong>{' '}
        {running ? (
          <span
            className="progress"
            role="progressbar"
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={pct}
            aria-label={`Re-capture progress of ${target.name}`}
          >
            <span>
              {running.done} of {running.total || '…'} tags
            </span>
          </span>
        ) : latest && latest.status !== 'complete' ? (
          <strong className="bad-text">the last re-capture was {notEvidenceReason(latest)}: not evidence. </strong>
        ) : null}
        {running ? (
          <button type="button" onClick={() => void cancel(target.controllerId)}>
            Cancel
          </button>
        ) : (
          <button
            type="button"
            className={recordable ? '' : 'primary'}
            onClick={() => void start(changeId, target.controllerId, 'rollback', 0)}
          >
            Capture {target.name} again (proof)
          </button>
        )}
      </p>
      {recordable && (
        <form className="form" aria-label="Sign the re-capture" onSubmit={(e) => void sign(e)}>
          <p className="wide">
            Complete re-capture ({recordable.good} of {recordable.tags} tags): sign it &quot;captured by&quot; to compare it with the
            before-snapshot.
          </p>
          <p className="muted wide who-signs" data-testid="who-signs">
            {`Who signs: ${SIGNED_ACTIONS['rollback-proof'].signerText}.`}
          </p>
          <SignerFields label="Captured and recorded by" {...signer} covers={signatureCovers('rollback-proof')} />
          <div className="actions">
            <button type="submit" className="primary" disabled={!signer.employeeId || !signer.password}>
              Sign and compare with the before-snapshot
            </button>
          </div>
          <Outcome error={signer.error} done={signer.done} />
        </form>
      )}
      {!recordable && <Outcome error={signer.error} done={signer.done} />}
    </div>
  );
}

/** Step 3: the proof of one controller's manual rollback, with the explanation form for differences. */
function Proof({
  changeId,
  record,
  target,
  exclude,
  open,
}: {
  changeId: string;
  record: ManualRollbackRecord;
  target: Target;
  exclude: ReadonlyMap<string, string>;
  open: boolean;
}) {
  const zone = useAppStore((st) => st.policy?.timeZone ?? 'UTC');
  const countersigners = useCountersigners(exclude);
  const [texts, setTexts] = useState<Record<string, string>>({});
  const status = rollbackProofStatus(record);
  if (status.status === 'proof-due')
    return (
      <p className="bad-text" data-testid="rollback-proof">
        Not proven yet: {target.name} has not been captured again since the procedure was signed.
      </p>
    );
  const p = status.proof;
  const written = Object.entries(texts).filter(([, t]) => t.trim() !== '');
  return (
    <div className="wide" data-testid="rollback-proof" data-status={status.status}>
      <p>
        <strong>3. Proof:</strong> re-capture <code title={p.snapshotSha256}>{p.snapshotSha256.slice(0, 12)}…</code> captured by{' '}
        {p.capturedBy}, <PlantTime iso={p.capturedAt} zone={zone} />,{' '}
        {status.status === 'proven' ? (
          <span className="ok-text">
            {status.how === 'matches'
              ? 'matches the before-snapshot: the rollback is done.'
              : 'its differences are explained and countersigned: the rollback is done.'}
          </span>
        ) : (
          <span className="bad-text">
            still differs from the before-snapshot in {p.differences.length + p.unlisted} value(s): explain each (countersigned by a shift
            supervisor) or roll back again and re-capture.
          </span>
        )}
      </p>
      {p.differences.length > 0 && (
        <ul aria-label={`Differences of the re-capture of ${target.name}`}>
          {p.differences.map((d) => {
            const x = p.explanations.find((e) => e.tag === d.tag);
            return (
              <li key={d.tag}>
                <strong>{d.tag}</strong>: {d.reason}
                {x ? (
                  <span className="muted">
                    {' '}
                    Explained: {x.text} (by {x.by.name}, countersigned by {x.countersignedBy.name})
                  </span>
                ) : null}
              </li>
            );
          })}
        </ul>
      )}
      {open && status.status === 'differences' && status.open.length > 0 && (
        <ActionForm
          type="explain"
          changeId={changeId}
          name={`Explain the re-capture of ${target.name}`}
          heading={null}
          lead={status.open.map((d) => (
            <label key={d.tag} className="wide">
              Explanation of {d.tag}
              <textarea
                rows={2}
                aria-label={`Explanation of ${d.tag}`}
                value={texts[d.tag] ?? ''}
                onChange={(e) => setTexts({ ...texts, [d.tag]: e.target.value })}
              />
            </label>
          ))}
          signerLabel="Explained by (engineer)"
          cosigners={{ countersign: { eligible: countersigners } }}
          fields={() => ({ explanations: written.map(([tag, text]) => ({ controllerId: record.controllerId, tag, text })) })}
          button="Sign the explanations"
          done="Explained and countersigned."
          onAccepted={() => setTexts({})}
        />
      )}
    </div>
  );
}

/** The manual rollback panel of a rolled-back (or closed) change. */
export function ManualRollbackPanel({
  state,
  targets,
  exclude,
}: {
  state: Executed;
  targets: Target[];
  exclude: ReadonlyMap<string, string>;
}) {
  const { captures, load } = useAppStore(
    useShallow((st) => ({
      captures: st.changeCaptures?.changeId === state.id ? st.changeCaptures.list : NO_CAPTURES,
      load: st.loadChangeCaptures,
    })),
  );
  const zone = useAppStore((st) => st.policy?.timeZone ?? 'UTC');
  useEffect(() => {
    void load(state.id);
  }, [state.id, load, state.execution.manualRollbacks?.length]);
  const open = state.status === 'rolled-back';
  const records = latestManualRollbacks(state.execution);
  if (!open && records.length === 0) return null;
  const nameOf = (id: string) => targets.find((t) => t.controllerId === id) ?? { controllerId: id, name: id };
  return (
    <section className="panel" aria-label="Manual rollback">
      <h3>Manual rollback (logic, firmware)</h3>
      <p className="muted">
        What cannot be written back over the wire is written back with the vendor tool, step by step, and signed. The rollback counts as
        done only when the controller, captured again from here, matches the signed before-snapshot, or each difference is explained and
        countersigned.
      </p>
      {records.map((r) => {
        const target = nameOf(r.controllerId);
        const status = rollbackProofStatus(r).status;
        return (
          <div key={r.controllerId} className="form" data-testid="manual-rollback" data-controller={target.name}>
            <p className="wide">
              <strong>{target.name}</strong>: {r.kind} written back from {r.reference} by {r.by.name}, <PlantTime iso={r.at} zone={zone} />{' '}
              ({r.steps.length} steps confirmed).
            </p>
            {open && status !== 'proven' && (
              <Recapture
                changeId={state.id}
                target={target}
                latest={captures.filter((c) => c.controllerId === r.controllerId && c.phase === 'rollback').at(-1)}
              />
            )}
            <Proof changeId={state.id} record={r} target={target} exclude={exclude} open={open} />
          </div>
        );
      })}
      {open && <ProcedureForm changeId={state.id} targets={targets} again={records.length > 0} />}
    </section>
  );
}
