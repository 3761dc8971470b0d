/** The Audit trail screen: the signed journal newest first, each event's verification, whole-journal verification, and evidence pack checks. */
import { useEffect } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { selectFailedCount, selectPlantZone, selectSelectedEvent, useAppStore } from '../../state/app-store.ts';
import { formatPlant } from '../../components/plant-time.tsx';
import { VerificationBadge } from '../../components/verification-badge.tsx';
import { ErrorPanel } from '../../components/error-panel.tsx';
import { EvidenceVerifyPanel } from './evidence-verify-panel.tsx';
import type { EventView } from '../../../src-shared/common/api/contract.ts';

/** One journal event as a row; its time in plant time (the exact UTC instant on hover). */
function EventRow({ event, selected, onSelect }: { event: EventView; selected: boolean; onSelect: () => void }) {
  const zone = useAppStore(selectPlantZone);
  return (
    <tr className={`${selected ? 'selected' : ''} ${event.verification.state === 'failed' ? 'row-bad' : ''}`} onClick={onSelect} data-testid="event-row" data-type={event.type} data-verification={event.verification.state}>
      <td className="num">{String(event.seq)}</td>
      <td className="time" title={event.at}>{formatPlant(event.at, zone)}</td>
      <td><code>{event.type}</code></td>
      <td>{event.actor ? event.actor.name : <em>unreadable</em>}</td>
      <td><code title={event.device}>{event.device.slice(-8)}</code></td>
      <td><VerificationBadge verification={event.verification} /></td>
    </tr>
  );
}

function EventDetail({ event }: { event: EventView }) {
  return (
    <aside className="detail" aria-label="Event detail">
      <h3><code>{event.type}</code> · seq {String(event.seq)}</h3>
      <dl>
        <dt>Event id</dt><dd><code>{event.id}</code></dd>
        <dt>Device</dt><dd><code>{event.device}</code></dd>
        <dt>Actor</dt><dd>{event.actor ? `${event.actor.name} (${event.actor.kind})` : 'unreadable'}</dd>
        <dt>Recorded</dt><dd>{event.at}</dd>
        <dt>Hash</dt><dd><code className="wrap">{event.hash}</code></dd>
        <dt>Previous</dt><dd><code className="wrap">{event.prev}</code></dd>
        <dt>Verification</dt><dd><VerificationBadge verification={event.verification} /></dd>
      </dl>
      {event.verification.state === 'failed' && (
        <ul className="problems">{event.verification.problems.map((p, i) => <li key={i}><strong>{p.kind}</strong>: {p.message}</li>)}</ul>
      )}
      <h4>Payload</h4>
      <pre>{JSON.stringify(event.payload, null, 2)}</pre>
    </aside>
  );
}

/** The Audit view: the signed journal, newest first, each event's verification state, and whole-journal verification. */
export function AuditView() {
  const s = useAppStore(useShallow((st) => ({
    events: st.events, total: st.total, loading: st.loading, auditError: st.auditError, verifying: st.verifying,
    lastVerify: st.lastVerify, selectedId: st.selectedId, nextBeforeRowid: st.nextBeforeRowid,
    loadJournal: st.loadJournal, loadOlder: st.loadOlder, verifyJournal: st.verifyJournal, select: st.select,
  })));
  const failed = useAppStore(selectFailedCount);
  const selected = useAppStore(selectSelectedEvent);
  const { loadJournal } = s;
  useEffect(() => {
    void loadJournal();
  }, [loadJournal]);

  return (
    <section className="audit">
      <div className="view-head">
        <div>
          <h1>Audit trail</h1>
          <p className="muted">Every change on this laptop is an event, chained by hash and signed by this device. Nothing is edited or deleted; corrections are new events.</p>
        </div>
        <button type="button" className="primary" onClick={() => void s.verifyJournal()} disabled={s.verifying}>
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
      <p className="counts" data-testid="journal-counts">
        {s.events.length} of {s.total} events shown{failed > 0 ? ` · ${failed} failed verification` : ''}
      </p>
      <div className="audit-body">
        <table className="events">
          <thead>
            <tr><th>Seq</th><th>Time</th><th>Event</th><th>Actor</th><th>Device</th><th>Verification</th></tr>
          </thead>
          <tbody>
            {s.events.map((e) => (
              <EventRow key={e.id} event={e} selected={e.id === s.selectedId} onSelect={() => s.select(e.id === s.selectedId ? null : e.id)} />
            ))}
          </tbody>
        </table>
        {selected && <EventDetail event={selected} />}
      </div>
      {s.nextBeforeRowid !== null && (
        <button type="button" onClick={() => void s.loadOlder()} disabled={s.loading}>Load older events</button>
      )}
    </section>
  );
}
