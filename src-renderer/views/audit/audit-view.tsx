/** The Audit trail screen: the signed journal newest first, each event's verification, whole-journal verification, and evidence pack checks. */
import { useEffect } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { selectFailedCount, selectPlantZone, selectSelectedEvent, useAppStore } from '../../state/app-store.ts';
import { formatPlant } from '../../components/plant-time.tsx';
import { VerificationBadge } from '../../components/verification-badge.tsx';
import { ErrorPanel } from '../../components/error-panel.tsx';
import { EvidenceVerifyPanel } from './evidence-verify-panel.tsx';
import type { EventView } from '../../../src-shared/common/api/contract.ts';
import type { AuditEventView } from '../../../src-shared/common/api/audit-contract.ts';
import { NO_AUDIT_FILTER, type AuditFilter } from '../../state/plant-lists-slice.ts';
import { plantInputToIso, plantZoneLabel } from '../../components/plant-time.tsx';
import { useState } from 'react';

/** Who signed an event (its personal signatures), else who recorded it, marked so. */
function signedBy(event: EventView | AuditEventView): string {
  if ('signers' in event && event.signers.length > 0)
    return event.signers
      .map((x) => `${x.name}${x.employeeId ? ` (${x.employeeId})` : ''}${x.as === 'co-signer' ? ', co-signer' : ''}`)
      .join('; ');
  return '';
}

/** Narrows the Audit trail by event type, the person who signed, the change (CR number) and plant dates. */
function AuditFilters() {
  const s = useAppStore(
    useShallow((st) => ({
      filter: st.auditFilter,
      apply: st.filterAudit,
      types: st.filteredEvents?.types,
      people: st.people,
      roster: st.roster,
      zone: st.policy?.timeZone ?? 'UTC',
      loadPeople: st.loadPeople,
    })),
  );
  const [draft, setDraft] = useState<AuditFilter & { fromDate: string; toDate: string }>({ ...s.filter, fromDate: '', toDate: '' });
  const { apply, filter, loadPeople } = s;
  useEffect(() => {
    void apply(filter);
    void loadPeople();
    // Once on opening: the event types for the choices, and the filter kept from the last visit; later filters apply on submit.
  }, [apply, loadPeople]);
  const people = [
    ...new Map([
      ...s.roster.map((r) => [r.employeeId, r.name] as const),
      ...s.people.map((p) => [p.employeeId, p.name] as const),
    ]).entries(),
  ].sort((a, b) => a[1].localeCompare(b[1]));
  const day = (d: string) => (d ? plantInputToIso(`${d}T00:00`, s.zone) : '');
  const nextDay = (d: string) =>
    d ? new Date(new Date(plantInputToIso(`${d}T12:00`, s.zone)).getTime() + 86_400_000).toISOString().slice(0, 10) : '';
  return (
    <form
      className="filters audit-filters"
      aria-label="Filter the audit trail"
      onSubmit={(e) => {
        e.preventDefault();
        void apply({
          type: draft.type,
          signer: draft.signer,
          change: draft.change,
          from: day(draft.fromDate),
          to: draft.toDate ? day(nextDay(draft.toDate)) : '',
        });
      }}
    >
      <label>
        Event{' '}
        <select aria-label="Event type" value={draft.type} onChange={(e) => setDraft({ ...draft, type: e.target.value })}>
          <option value="">all</option>
          {(s.types ?? []).map((t) => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </select>
      </label>
      <label>
        Signed by{' '}
        <select aria-label="Signed by" value={draft.signer} onChange={(e) => setDraft({ ...draft, signer: e.target.value })}>
          <option value="">anyone</option>
          {people.map(([id, name]) => (
            <option key={id} value={id}>
              {name} ({id})
            </option>
          ))}
        </select>
      </label>
      <label>
        Change{' '}
        <input
          aria-label="Change number"
          placeholder="CR-0001"
          size={9}
          value={draft.change}
          onChange={(e) => setDraft({ ...draft, change: e.target.value })}
        />
      </label>
      <label>
        From{' '}
        <input
          type="date"
          aria-label="From date"
          value={draft.fromDate}
          onChange={(e) => setDraft({ ...draft, fromDate: e.target.value })}
        />
      </label>
      <label>
        To <input type="date" aria-label="To date" value={draft.toDate} onChange={(e) => setDraft({ ...draft, toDate: e.target.value })} />
      </label>
      <span className="muted">dates in {plantZoneLabel(s.zone)}</span>
      <button type="submit">Filter</button>
      <button
        type="button"
        onClick={() => {
          setDraft({ ...NO_AUDIT_FILTER, fromDate: '', toDate: '' });
          void apply(NO_AUDIT_FILTER);
        }}
      >
        Show all
      </button>
    </form>
  );
}

/** One journal event as a row; its time in plant time (the exact UTC instant on hover). */
function EventRow({ event, selected, onSelect }: { event: EventView | AuditEventView; selected: boolean; onSelect: () => void }) {
  const zone = useAppStore(selectPlantZone);
  return (
    <tr
      className={`${selected ? 'selected' : ''} ${event.verification.state === 'failed' ? 'row-bad' : ''}`}
      onClick={onSelect}
      data-testid="event-row"
      data-type={event.type}
      data-device={event.device}
      data-verification={event.verification.state}
    >
      <td className="num">{String(event.seq)}</td>
      <td className="time" title={event.at}>
        {formatPlant(event.at, zone)}
      </td>
      <td>
        <code>{event.type}</code>
      </td>
      <td data-testid="event-signers">{signedBy(event) || <span className="muted">no person's signature</span>}</td>
      <td>{event.actor ? event.actor.name : <em>unreadable</em>}</td>
      <td>
        <code title={event.device}>{event.device.slice(-8)}</code>
      </td>
      <td>
        <VerificationBadge verification={event.verification} />
      </td>
    </tr>
  );
}

function EventDetail({ event }: { event: EventView | AuditEventView }) {
  return (
    <aside className="detail" aria-label="Event detail">
      <h3>
        <code>{event.type}</code> · seq {String(event.seq)}
      </h3>
      <dl>
        <dt>Event id</dt>
        <dd>
          <code>{event.id}</code>
        </dd>
        <dt>Device</dt>
        <dd>
          <code>{event.device}</code>
        </dd>
        <dt>Signed by</dt>
        <dd>{signedBy(event) || 'not signed by a person'}</dd>
        <dt>Recorded by</dt>
        <dd>{event.actor ? `${event.actor.name} (${event.actor.kind})` : 'unreadable'}</dd>
        <dt>Recorded</dt>
        <dd>{event.at}</dd>
        <dt>Hash</dt>
        <dd>
          <code className="wrap">{event.hash}</code>
        </dd>
        <dt>Previous</dt>
        <dd>
          <code className="wrap">{event.prev}</code>
        </dd>
        <dt>Verification</dt>
        <dd>
          <VerificationBadge verification={event.verification} />
        </dd>
      </dl>
      {event.verification.state === 'failed' && (
        <ul className="problems">
          {event.verification.problems.map((p, i) => (
            <li key={i}>
              <strong>{p.kind}</strong>: {p.message}
            </li>
          ))}
        </ul>
      )}
      <h4>Payload</h4>
      <pre>{JSON.stringify(event.payload, null, 2)}</pre>
    </aside>
  );
}

/** The whole journal's page with each event's signers, where the unfiltered search already read them. */
function mergeSigners(events: EventView[], withSigners: AuditEventView[]): (EventView | AuditEventView)[] {
  const byId = new Map(withSigners.map((e) => [e.id, e]));
  return events.map((e) => byId.get(e.id) ?? e);
}

/** The Audit view: the signed journal, newest first, each event's verification state, and whole-journal verification. */
export function AuditView() {
  const s = useAppStore(
    useShallow((st) => ({
      events: st.events,
      total: st.total,
      loading: st.loading,
      auditError: st.auditError,
      verifying: st.verifying,
      lastVerify: st.lastVerify,
      selectedId: st.selectedId,
      nextBeforeRowid: st.nextBeforeRowid,
      loadJournal: st.loadJournal,
      loadOlder: st.loadOlder,
      verifyJournal: st.verifyJournal,
      select: st.select,
      filter: st.auditFilter,
      filtered: st.filteredEvents,
      filteredError: st.filteredError,
      loadOlderFiltered: st.loadOlderFiltered,
    })),
  );
  const failed = useAppStore(selectFailedCount);
  const selectedAll = useAppStore(selectSelectedEvent);
  const narrowed = Object.values(s.filter).some((v) => v !== '') && s.filtered !== null;
  const events: (EventView | AuditEventView)[] = narrowed
    ? s.filtered!.events
    : s.filtered && !narrowed
      ? mergeSigners(s.events, s.filtered.events)
      : s.events;
  const selected = narrowed ? (s.filtered!.events.find((e) => e.id === s.selectedId) ?? null) : selectedAll;
  const central = useAppStore((st) => st.info?.centralView ?? false);
  const { loadJournal } = s;
  useEffect(() => {
    void loadJournal();
  }, [loadJournal]);

  return (
    <section className="audit">
      <div className="view-head">
        <div>
          <h1>Audit trail</h1>
          <p className="muted">
            {central
              ? 'Every change the laptops recorded is an event, chained by hash and signed by the laptop that recorded it, then synced here. Nothing is edited or deleted; corrections are new events.'
              : 'Every change on this laptop is an event, chained by hash and signed by this device. Nothing is edited or deleted; corrections are new events.'}
          </p>
        </div>
        <button type="button" data-write className="primary" onClick={() => void s.verifyJournal()} disabled={s.verifying}>
          {s.verifying ? 'Verifying…' : 'Verify whole journal'}
        </button>
      </div>
      {s.lastVerify && (
        <div className={`verify-result ${s.lastVerify.ok ? 'ok' : 'bad'}`} role="status" data-testid="verify-result">
          {s.lastVerify.summary}
        </div>
      )}
      {s.auditError && <ErrorPanel error={s.auditError} />}
      <EvidenceVerifyPanel />
      <AuditFilters />
      {s.filteredError && <ErrorPanel error={s.filteredError} title="The filter did not work" />}
      <p className="counts" data-testid="journal-counts">
        {narrowed
          ? `${s.filtered!.events.length} of ${s.filtered!.total} matching events shown`
          : `${s.events.length} of ${s.total} events shown`}
        {failed > 0 ? ` · ${failed} failed verification` : ''}
      </p>
      <div className="audit-body">
        <table className="events">
          <thead>
            <tr>
              <th>Seq</th>
              <th>Time</th>
              <th>Event</th>
              <th>Signed by</th>
              <th>Recorded by</th>
              <th>Device</th>
              <th>Verification</th>
            </tr>
          </thead>
          <tbody>
            {events.map((e) => (
              <EventRow
                key={e.id}
                event={e}
                selected={e.id === s.selectedId}
                onSelect={() => s.select(e.id === s.selectedId ? null : e.id)}
              />
            ))}
          </tbody>
        </table>
        {selected && <EventDetail event={selected} />}
      </div>
      {narrowed
        ? s.filtered!.nextBeforeRowid !== null && (
            <button type="button" onClick={() => void s.loadOlderFiltered()}>
              Load older events
            </button>
          )
        : s.nextBeforeRowid !== null && (
            <button type="button" onClick={() => void s.loadOlder()} disabled={s.loading}>
              Load older events
            </button>
          )}
    </section>
  );
}
