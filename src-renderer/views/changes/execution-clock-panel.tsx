import { useEffect, useState } from 'react';
import { useAppStore } from '../../state/app-store.ts';
import { Outcome, SignerFields, useSigner } from '../../components/signed-form.tsx';
import { PlantTime } from '../../components/plant-time.tsx';
import { executionClock } from '../../../src-shared/common/workflow/execution-clock.ts';
import type { ChangeState } from '../../../src-shared/common/workflow/change-state.ts';
import type { CheckpointView } from '../../../src-shared/common/api/contract.ts';

const DUE_WORDS = { upcoming: 'due', due: 'due now', done: 'signed', skipped: 'not reached' } as const;

/**
 * The execution against its slot: when the checkpoints with a due time fall due (the mid-change assessment at 50 % of
 * the window), and, once the window has ended with the work still going on, the signed decision it asks for:
 * complete the work or roll back. Refreshed every 15 s from the laptop's clock.
 */
export function ExecutionClockPanel({
  state,
  checkpoints,
  exclude,
}: {
  state: ChangeState;
  checkpoints: CheckpointView | null;
  exclude: ReadonlyMap<string, string>;
}) {
  const act = useAppStore((st) => st.actOnChange);
  const zone = useAppStore((st) => st.policy?.timeZone ?? 'UTC');
  const signer = useSigner();
  const [decision, setDecision] = useState<'complete' | 'rollback'>('complete');
  const [comment, setComment] = useState('');
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const t = setInterval(() => setNow(new Date()), 15_000);
    return () => clearInterval(t);
  }, []);
  if (!checkpoints) return null;
  const clock = executionClock(state, checkpoints, now);
  if (clock.windowEnd === null && clock.due.length === 0) return null;
  async function sign(e: React.FormEvent) {
    e.preventDefault();
    const err = await act({
      id: state.id,
      employeeId: signer.employeeId,
      password: signer.password,
      action: { type: 'window-decision', decision, comment },
    });
    if (
      signer.settle(
        err,
        decision === 'complete' ? 'Recorded: the work is completed after the window.' : 'Recorded: the change is rolled back.',
      )
    )
      setComment('');
  }
  const end = clock.windowEnd;
  return (
    <section className="panel" aria-label="Execution clock">
      <h3>Checkpoints due in the window</h3>
      <ul className="plain">
        {clock.due.map((d) => (
          <li key={d.checkpoint} data-testid="checkpoint-due" data-status={d.status}>
            <strong>{d.name}</strong>: {DUE_WORDS[d.status]} at <PlantTime iso={d.dueAt} zone={zone} /> (half of the window)
            {d.status === 'due' ? ': have the shift supervisor sign it now.' : '.'}
          </li>
        ))}
        {end?.status === 'decided' && end.decision && (
          <li data-testid="window-decision">
            At the end of the window (<PlantTime iso={end.endsAt} zone={zone} />) {end.decision.by.name} decided to{' '}
            <strong>{end.decision.decision === 'complete' ? 'complete the work' : 'roll back'}</strong>: {end.decision.comment}
          </li>
        )}
      </ul>
      {end?.status === 'decision-due' && (
        <form className="form" aria-label="Decision at the end of the window" onSubmit={(e) => void sign(e)}>
          <p className="bad-text wide" role="alert">
            <strong>The change window ended</strong> at <PlantTime iso={end.endsAt} zone={zone} /> with the work still going on. A shift
            supervisor decides: complete the work, or roll back.
          </p>
          <fieldset className="wide">
            <legend>Decision</legend>
            <label className="inline">
              <input type="radio" name="window-decision" checked={decision === 'complete'} onChange={() => setDecision('complete')} />{' '}
              Complete the work (the checkpoints continue)
            </label>
            <label className="inline">
              <input type="radio" name="window-decision" checked={decision === 'rollback'} onChange={() => setDecision('rollback')} /> Roll
              back
            </label>
          </fieldset>
          <label className="wide">
            Comment{' '}
            <input
              value={comment}
              onChange={(e) => setComment(e.target.value)}
              placeholder="What is left and how long it takes, or why it is rolled back"
            />
          </label>
          <SignerFields
            label="Shift supervisor"
            {...signer}
            rule={{ roles: checkpoints.signerRoles, what: 'decide at the end of the window', exclude }}
          />
          <div className="actions">
            <button type="submit" className="primary" disabled={!signer.employeeId || !signer.password || comment.trim() === ''}>
              Sign the decision
            </button>
          </div>
          <Outcome error={signer.error} done={signer.done} />
        </form>
      )}
    </section>
  );
}
