/**
 * The Windows calendar: one row per line, one column per plant day (a week or a month), each cell holding the
 * change windows, blackouts and the changes' booked slots (or requested windows) that touch that day, clipped to
 * it, in plant time. Luxon does the zone rules, so a night window across midnight shows on both days.
 */
import { DateTime } from 'luxon';
import type { OperationResponse } from '../../../src-shared/common/api/contract.ts';
import { zoneAbbreviation } from '../../../src-shared/common/workflow/time-zone.ts';

type Calendar = OperationResponse<'windows.calendar'>;
type Requested = OperationResponse<'changes.windows'>['windows'][number];

interface Item {
  kind: 'window' | 'blackout' | 'slot';
  name: string;
  start: string;
  end: string;
}

/** "22:00–24:00" for the part of [start, end) inside the plant day that begins at `day`, and the zone's abbreviation then ("CST"). */
function clipped(item: Item, day: DateTime): { when: string; abbrev: string } | null {
  const next = day.plus({ days: 1 });
  const zone = day.zoneName ?? 'UTC';
  const a = DateTime.max(DateTime.fromISO(item.start, { zone }), day);
  const b = DateTime.min(DateTime.fromISO(item.end, { zone }), next);
  if (!a.isValid || !b.isValid || b <= a) return null;
  return { when: `${a.toFormat('HH:mm')}–${b.equals(next) ? '24:00' : b.toFormat('HH:mm')}`, abbrev: zoneAbbreviation(a.toMillis(), zone) };
}

/** "Tue 8 Dec 2026 22:00 – Wed 9 Dec 06:00 CST": the whole item in plant time, whichever days it spans. */
function wholePeriod(item: Item, zone: string): string {
  const a = DateTime.fromISO(item.start, { zone }).setLocale('en-GB');
  const b = DateTime.fromISO(item.end, { zone }).setLocale('en-GB');
  if (!a.isValid || !b.isValid) return `${item.start} – ${item.end}`;
  return `${a.toFormat('ccc d LLL yyyy HH:mm')} – ${b.toFormat(a.hasSame(b, 'day') ? 'HH:mm' : 'ccc d LLL HH:mm')} ${zoneAbbreviation(b.toMillis(), zone)}`;
}

/** Lines by days: windows, blackouts and booked slots, in plant time. */
export function CalendarGrid({
  calendar,
  requested,
  from,
  days,
  lineFilter,
}: {
  calendar: Calendar;
  requested: readonly Requested[];
  from: Date;
  days: number;
  lineFilter: string;
}) {
  const zone = calendar.timeZone;
  const first = DateTime.fromJSDate(from, { zone }).startOf('day');
  const dayList = Array.from({ length: days }, (_, i) => first.plus({ days: i }));
  const compact = days > 14;
  const lines = calendar.lines.filter((l) => lineFilter === '' || l.line.id === lineFilter);
  return (
    <div
      className={`calendar-grid${compact ? ' compact' : ''}`}
      role="table"
      aria-label={`Calendar: ${days} days from ${first.setLocale('en-GB').toFormat('d LLL yyyy')} in plant time (${zone})`}
      style={{ gridTemplateColumns: `minmax(90px, 120px) repeat(${days}, minmax(0, 1fr))` }}
    >
      <div role="row" className="calendar-row">
        <div role="columnheader" className="calendar-corner">
          Line
        </div>
        {dayList.map((d, i) => (
          <div
            key={d.toISODate()}
            role="columnheader"
            className={`calendar-day-head${d.weekday >= 6 ? ' weekend' : ''}`}
            title={d.setLocale('en-GB').toFormat('cccc d LLLL yyyy')}
          >
            {/* The month: its name over the first day shown and over each 1st; the other days, the weekday's initial. */}
            {compact ? (
              <>
                <span className="calendar-day-over">{d.setLocale('en-GB').toFormat(i === 0 || d.day === 1 ? 'LLL' : 'ccccc')}</span>
                {d.toFormat('d')}
              </>
            ) : (
              d.setLocale('en-GB').toFormat('ccc d LLL')
            )}
          </div>
        ))}
      </div>
      {lines.map((l) => {
        const items: Item[] = [
          ...l.windows.map((w) => ({ kind: 'window' as const, name: w.name, start: w.start, end: w.end })),
          ...l.blackouts.map((b) => ({ kind: 'blackout' as const, name: `Blackout ${b.name}`, start: b.start, end: b.end })),
          ...requested
            .filter((r) => r.lines.includes(l.line.id))
            .map((r) => ({ kind: 'slot' as const, name: `${r.number} ${r.title} (${r.status})`, start: r.start, end: r.end })),
        ].sort((a, b) => Date.parse(a.start) - Date.parse(b.start)); // a day reads in time order
        return (
          <div key={l.line.id} role="row" className="calendar-row" data-testid="calendar-row" data-line={l.line.id}>
            <div role="rowheader" className="calendar-line-head" title={l.line.name}>
              {l.line.id} · tier {l.line.tier}
            </div>
            {dayList.map((d) => (
              <div key={d.toISODate()} role="cell" className={`calendar-cell${d.weekday >= 6 ? ' weekend' : ''}`} data-day={d.toISODate()}>
                {items.flatMap((it, i) => {
                  const part = clipped(it, d);
                  if (!part) return [];
                  const when = part.when;
                  // The whole name and the whole period in plant time, on hover and for screen readers; the week shows the name wrapped.
                  const title = `${it.name}: ${when} ${part.abbrev}; ${wholePeriod(it, zone)}`;
                  return [
                    <span
                      key={i}
                      className={`calendar-item calendar-${it.kind}`}
                      data-testid={`calendar-${it.kind}`}
                      title={title}
                      aria-label={title}
                    >
                      {!compact && (
                        <>
                          <span className="calendar-when">{when}</span> <span className="calendar-name">{it.name}</span>
                        </>
                      )}
                    </span>,
                  ];
                })}
              </div>
            ))}
          </div>
        );
      })}
    </div>
  );
}
