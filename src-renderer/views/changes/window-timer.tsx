/** The window timer of a change in execution: time left in its slot, with the 30- and 15-minute warnings. */
import { useEffect, useState } from 'react';
import type { ChangeState } from '../../../src-shared/common/workflow/change-state.ts';
import { windowTimer } from '../../../src-shared/common/workflow/change-deadlines.ts';
import { formatMinutes } from '../../../src-shared/common/workflow/duration.ts';
import { selectPlantZone, useAppStore } from '../../state/app-store.ts';
import { formatPlant } from '../../components/plant-time.tsx';

/** The time left in the slot of a change in execution, refreshed every 15 s, with the warnings at 30 and 15 minutes. */
export function WindowTimerBanner({ state }: { state: ChangeState }) {
  const [now, setNow] = useState(() => new Date());
  const zone = useAppStore(selectPlantZone);
  useEffect(() => {
    const t = setInterval(() => setNow(new Date()), 15_000);
    return () => clearInterval(t);
  }, []);
  const timer = windowTimer(state, now);
  if (timer.status === 'no-slot') return null;
  const end = formatPlant(timer.endsAt, zone);
  if (timer.status === 'over') {
    return (
      <p className="bad-text" role="alert" data-testid="window-timer">
        <strong>The change window ended at {end}</strong>, {formatMinutes(timer.overMinutes)} ago: finish the checkpoints or roll back, and
        record why the work overran.
      </p>
    );
  }
  const text = `${formatMinutes(timer.minutesLeft)} left in the change window (ends ${end})`;
  if (timer.status === 'running')
    return (
      <p className="muted" data-testid="window-timer">
        {text}.
      </p>
    );
  return (
    <p className="bad-text" role="status" data-testid="window-timer">
      <strong>{timer.status === 'warn-15' ? '15-minute warning' : '30-minute warning'}:</strong> {text}. Leave time for the post-change
      checks or a rollback.
    </p>
  );
}
