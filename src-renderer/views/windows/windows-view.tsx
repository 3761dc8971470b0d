/** The Windows screen: change windows, blackouts and booked slots per line in plant time, as a calendar and as lists. */
import { useEffect, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useAppStore } from '../../state/app-store.ts';
import { PlantPeriod } from '../../components/plant-time.tsx';
import { CalendarGrid } from './calendar-grid.tsx';
import { ErrorPanel } from '../../components/error-panel.tsx';

/** Windows and blackouts per line for the coming days, with the changes that asked for a slot on that line. */
export function WindowsView() {
  const s = useAppStore(
    useShallow((st) => ({
      calendar: st.calendar,
      load: st.loadCalendar,
      changes: st.changes,
      plant: st.plant,
      requested: st.requestedWindows,
      error: st.windowsError,
    })),
  );
  const [days, setDays] = useState(7);
  const [lineFilter, setLineFilter] = useState('');
  const [from] = useState(() => new Date());
  const { load } = s;
  useEffect(() => {
    void load(from, days);
  }, [load, days, from]);
  const lines = (s.calendar?.lines ?? []).filter((l) => lineFilter === '' || l.line.id === lineFilter);
  const zone = s.calendar?.timeZone ?? 'UTC';
  return (
    <section>
      <div className="view-head">
        <div>
          <h1>Windows</h1>
          <p className="muted">
            Change windows and blackouts per line, in plant time ({s.calendar?.timeZone ?? '…'}). Starting work outside a window or inside a
            blackout is refused unless the policy allows an override and an override approver signs.
          </p>
        </div>
        <div className="actions">
          <label>
            Line{' '}
            <select aria-label="Line" value={lineFilter} onChange={(e) => setLineFilter(e.target.value)}>
              <option value="">all</option>
              {(s.calendar?.lines ?? []).map((l) => (
                <option key={l.line.id} value={l.line.id}>
                  {l.line.id}
                </option>
              ))}
            </select>
          </label>
          <label>
            Days{' '}
            <select aria-label="Days" value={days} onChange={(e) => setDays(Number(e.target.value))}>
              <option value={7}>7 (week)</option>
              <option value={14}>14</option>
              <option value={31}>31 (month)</option>
            </select>
          </label>
        </div>
      </div>
      {s.error && <ErrorPanel error={s.error} title="The calendar could not be loaded" />}
      {s.calendar && <CalendarGrid calendar={s.calendar} requested={s.requested} from={from} days={days} lineFilter={lineFilter} />}
      <RequestedWindows lineFilter={lineFilter} zone={zone} />
      {lines.map((l) => (
        <div key={l.line.id} className="panel calendar-line" data-testid="calendar-line" data-line={l.line.id}>
          <h3>
            {l.line.id}
            {l.line.name ? ` ${l.line.name}` : ''} · tier {l.line.tier}
          </h3>
          <ul>
            {l.windows.slice(0, 20).map((w, i) => (
              <li key={`w${i}`} className="ok-text" data-testid="window">
                {w.name}: <PlantPeriod start={w.start} end={w.end} zone={zone} /> ({w.classes.join(', ')})
              </li>
            ))}
            {l.windows.length > 20 && (
              <li className="muted" data-testid="more-windows">
                … and {l.windows.length - 20} more windows in these days (see the calendar)
              </li>
            )}
            {l.blackouts.map((b, i) => (
              <li key={`b${i}`} className="bad-text">
                Blackout {b.name}: <PlantPeriod start={b.start} end={b.end} zone={zone} />
              </li>
            ))}
            {l.windows.length === 0 && l.blackouts.length === 0 && <li className="muted">No window in these days.</li>}
          </ul>
        </div>
      ))}
    </section>
  );
}

/** The windows that change requests asked for, by line. */
function RequestedWindows({ lineFilter, zone }: { lineFilter: string; zone: string }) {
  const s = useAppStore(useShallow((st) => ({ requested: st.requestedWindows, load: st.loadRequestedWindows })));
  const { load } = s;
  useEffect(() => {
    void load();
  }, [load]);
  const rows = s.requested.filter((r) => lineFilter === '' || r.lines.includes(lineFilter));
  if (rows.length === 0) return null;
  return (
    <div className="panel" aria-label="Requested windows">
      <h3>Changes: booked slots (scheduled) or requested windows</h3>
      <ul>
        {rows.map((r) => (
          <li key={r.id} data-testid="requested-window">
            {r.number} {r.title} ({r.status}): <PlantPeriod start={r.start} end={r.end} zone={zone} /> on {r.lines.join(', ')}
          </li>
        ))}
      </ul>
    </div>
  );
}
