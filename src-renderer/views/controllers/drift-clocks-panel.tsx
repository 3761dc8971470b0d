/** The drift-check clocks on the Controllers screen: drift checks due or overdue, and baselines owed after completed changes. */
import { useCallback, useEffect, useState } from 'react';
import { errorOf, selectPlantZone, useAppStore } from '../../state/app-store.ts';
import { formatPlant } from '../../components/plant-time.tsx';
import type { OperationResponse } from '../../../src-shared/common/api/contract.ts';
import { formatMinutes } from '../../../src-shared/common/workflow/duration.ts';
import type { ErrorData } from '../../../src-shared/common/errors.ts';
import { ErrorPanel } from '../../components/error-panel.tsx';

type Clocks = OperationResponse<'drift.clocks'>;

/** The NERC CIP-010 clocks: drift checks that are due or overdue, and baselines owed after completed changes. */
export function DriftClocksPanel({ reloadKey }: { reloadKey: unknown }) {
  const api = useAppStore((s) => s.api);
  const zone = useAppStore(selectPlantZone);
  const day = (iso: string): string => formatPlant(iso, zone);
  const [clocks, setClocks] = useState<Clocks | null>(null);
  const [error, setError] = useState<ErrorData | null>(null);
  const load = useCallback(async () => {
    if (!api) return;
    try {
      setClocks(await api.invoke('drift.clocks', {}));
      setError(null);
    } catch (err) {
      setError(errorOf(err));
    }
  }, [api]);
  useEffect(() => {
    void load();
  }, [load, reloadKey]);
  if (error) return <ErrorPanel error={error} title="The drift-check clocks could not be read" />;
  if (!clocks) return null;
  const due = clocks.controllers.filter((c) => c.status === 'due');
  const withBaseline = clocks.controllers.filter((c) => c.status !== 'no-baseline').length;
  const without = clocks.controllers.length - withBaseline;
  const owed = clocks.followUps;
  const bg = clocks.background;
  return (
    <section className="panel drift-clocks" aria-label="CIP-010 clocks">
      <h2>Drift checks and baselines (CIP-010)</h2>
      <p className="muted">
        Every {formatMinutes(clocks.checkEveryMinutes)} per controller; a new baseline within{' '}
        {formatMinutes(clocks.baselineAfterChangeMinutes)} of a completed change.{' '}
        {bg.running
          ? `Checked in the background while Baseline is open${bg.lastRunAt ? ` (last look ${formatPlant(bg.lastRunAt, zone)}, ${bg.lastRunChecked} checked)` : ''}.`
          : 'Background checks are off in this program; run `baseline drift --due` on a schedule.'}{' '}
        <button type="button" className="link" onClick={() => void load()}>
          Refresh
        </button>
      </p>
      {due.length === 0 && owed.length === 0 && (
        <p className="ok-text">
          {withBaseline === 0
            ? 'No controller has an approved baseline yet.'
            : `All ${withBaseline} controller${withBaseline === 1 ? '' : 's'} with a baseline checked in time; no baseline owed.`}
        </p>
      )}
      {due.length > 0 && (
        <ul aria-label="Drift checks due">
          {due.map((c) => (
            <li key={c.controllerId} className="bad-text">
              <strong>{c.controller}</strong>: drift check{' '}
              {c.daysOverdue > 0 ? `overdue by ${c.daysOverdue} day${c.daysOverdue === 1 ? '' : 's'}` : 'due now'} (
              {c.lastCheckAt ? `last checked ${day(c.lastCheckAt)}` : 'never checked'}, due {c.dueAt ? day(c.dueAt) : '—'})
            </li>
          ))}
        </ul>
      )}
      {owed.length > 0 && (
        <ul aria-label="Baselines owed after completed changes">
          {owed.map((f) => (
            <li key={`${f.changeId}-${f.controllerId}`} className={f.status === 'overdue' ? 'bad-text' : 'muted'}>
              <strong>{f.controller}</strong>: new baseline {f.status === 'overdue' ? 'overdue' : 'due'} {day(f.dueAt)} after change “
              {f.title}” closed {day(f.closedAt)}
              {f.afterSnapshotSha256 ? '' : ' (no after-snapshot recorded)'}
            </li>
          ))}
        </ul>
      )}
      {without > 0 && withBaseline > 0 && (
        <p className="muted">
          {without} controller{without === 1 ? ' has' : 's have'} no approved baseline yet, so no drift clock.
        </p>
      )}
      {bg.lastRunProblems.length > 0 && (
        <ul aria-label="Background check problems">
          {bg.lastRunProblems.map((p, i) => (
            <li key={i} className="bad-text">
              Background check: {p.controller && !p.message.startsWith(p.controller) ? `${p.controller}: ` : ''}
              {p.message}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
