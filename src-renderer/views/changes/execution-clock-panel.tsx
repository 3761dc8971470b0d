import { useEffect, useState } from 'react';
import { useAppStore } from '../../state/app-store.ts';
import { ActionForm, fieldLabel } from './action-form.tsx';
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
  const zone = useAppStore((st) => st.policy?.timeZone ?? 'UTC');
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
        <ActionForm
          type="window-decision"
          changeId={state.id}
          name="Decision at the end of the window"
          lead={
            <>
              <p className="bad-text wide" role="alert">
                <strong>The change window ended</strong> at <PlantTime iso={end.endsAt} zone={zone} /> with the work still going on. A shift
                supervisor decides: complete the work, or roll back.
              </p>
              <fieldset className="wide">
                <legend>{fieldLabel('window-decision', 'decision')}</legend>
                <label className="inline">
                  <input type="radio" name="window-decision" checked={decision === 'complete'} onChange={() => setDecision('complete')} />{' '}
                  Complete the work (the checkpoints continue)
                </label>
                <label className="inline">
                  <input type="radio" name="window-decision" checked={decision === 'rollback'} onChange={() => setDecision('rollback')} />{' '}
                  Roll back
                </label>
              </fieldset>
              <label className="wide">
                {fieldLabel('window-decision', 'comment')}{' '}
                <input
                  value={comment}
                  onChange={(e) => setComment(e.target.value)}
                  placeholder="What is left and how long it takes, or why it is rolled back"
                />
              </label>
            </>
          }
          signerLabel="Shift supervisor"
          rule={{ roles: checkpoints.signerRoles, what: 'decide at the end of the window', exclude }}
          fields={() => ({ decision, comment })}
          button="Sign the decision"
          done={() =>
            decision === 'complete' ? 'Recorded: the work is completed after the window.' : 'Recorded: the change is rolled back.'
          }
          onAccepted={() => setComment('')}
        />
      )}
    </section>
  );
}
