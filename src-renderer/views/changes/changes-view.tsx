/** The Changes screen: the change register with its filters and CSV export, the request editor, and the change on screen. */
import { useEffect, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useAppStore } from '../../state/app-store.ts';
import { ErrorPanel } from '../../components/error-panel.tsx';
import { ChangeEditor } from './change-editor.tsx';
import { ChangeDetail } from './change-detail.tsx';
import { registerCsv } from '../../../src-shared/common/kpi/kpi-csv.ts';
import { downloadCsv } from '../../components/file-transfer.ts';

/** The change register: filter by state, class and requester; file a new request; open one. */
export function ChangesView() {
  const s = useAppStore(
    useShallow((st) => ({
      detail: st.changeDetail,
      people: st.people,
      plant: st.plant,
      changes: st.changes,
      error: st.changesError,
      load: st.loadChanges,
      select: st.selectChange,
      selected: st.selectedChangeId,
      figure: st.registerFilter,
      clearFigure: st.clearRegisterFilter,
    })),
  );
  const [editing, setEditing] = useState<'new' | 'draft' | null>(null);
  const [status, setStatus] = useState('');
  const [cls, setCls] = useState('');
  const [who, setWho] = useState('');
  const [line, setLine] = useState('');
  const [mine, setMine] = useState('');
  const { load } = s;
  useEffect(() => {
    void load();
  }, [load]);
  const rows = s.changes.filter(
    (c) =>
      (status === '' || c.status === status) &&
      (cls === '' || c.class === cls) &&
      (who === '' || c.requester.toLowerCase().includes(who.toLowerCase())) &&
      (line === '' || c.lines.includes(line)) &&
      (mine === '' || c.people.includes(mine)) &&
      (s.figure === null || s.figure.ids.includes(c.id)),
  );
  return (
    <section>
      <div className="view-head">
        <div>
          <h1>Changes</h1>
          <p className="muted">
            Every change is requested, risk-tiered by the plant policy, approved with e-signatures, and only then scheduled into a window.
          </p>
        </div>
        <div className="actions">
          <button type="button" onClick={() => downloadCsv('baseline-change-register.csv', registerCsv(rows))}>
            Export CSV
          </button>
          <button type="button" data-write className="primary" onClick={() => setEditing('new')}>
            New change…
          </button>
        </div>
      </div>
      {s.error && <ErrorPanel error={s.error} title="That did not work" />}
      {editing === 'new' && <ChangeEditor onDone={() => setEditing(null)} />}
      {editing === 'draft' && s.detail && (
        <ChangeEditor key={s.detail.state.id} existing={s.detail.state} onDone={() => setEditing(null)} />
      )}
      {s.figure && (
        <p className="figure-filter" role="status">
          Showing the {s.figure.ids.length} change{s.figure.ids.length === 1 ? '' : 's'} behind <strong>{s.figure.label}</strong>
          <button type="button" onClick={s.clearFigure}>
            Show all
          </button>
        </p>
      )}
      <div className="filters">
        <label>
          State{' '}
          <select aria-label="Filter by state" value={status} onChange={(e) => setStatus(e.target.value)}>
            <option value="">all</option>
            {[
              'draft',
              'submitted',
              'approved',
              'rejected',
              'deferred',
              'withdrawn',
              'scheduled',
              'in-execution',
              'rolled-back',
              'closed',
            ].map((x) => (
              <option key={x}>{x}</option>
            ))}
          </select>
        </label>
        <label>
          Class{' '}
          <select aria-label="Filter by class" value={cls} onChange={(e) => setCls(e.target.value)}>
            <option value="">all</option>
            {['standard', 'normal', 'emergency', 'safety-critical'].map((x) => (
              <option key={x}>{x}</option>
            ))}
          </select>
        </label>
        <label>
          Requester <input aria-label="Filter by requester" value={who} onChange={(e) => setWho(e.target.value)} />
        </label>
        <label>
          Line{' '}
          <select aria-label="Filter by line" value={line} onChange={(e) => setLine(e.target.value)}>
            <option value="">all</option>
            {(s.plant?.lines ?? []).map((l) => (
              <option key={l.id} value={l.id}>
                {l.id} (tier {l.tier})
              </option>
            ))}
          </select>
        </label>
        <label>
          Mine{' '}
          <select aria-label="Mine: requested or decided by" value={mine} onChange={(e) => setMine(e.target.value)}>
            <option value="">everyone's</option>
            {s.people.map((p) => (
              <option key={p.fingerprint} value={p.employeeId}>
                {p.name}
              </option>
            ))}
          </select>
        </label>
      </div>
      <div className="split">
        <ul className="list" aria-label="Change register">
          {rows.length === 0 && <li className="muted">No change requests{s.changes.length ? ' match the filters' : ' yet'}.</li>}
          {rows.map((c) => (
            <li key={c.id}>
              <button type="button" className={`list-item ${c.id === s.selected ? 'active' : ''}`} onClick={() => void s.select(c.id)}>
                <strong>
                  <span className="change-number" data-testid="change-number">
                    {c.number}
                  </span>{' '}
                  {c.title || '(untitled)'}
                </strong>
                <span className="muted">
                  {c.class ?? 'no class'} · {c.requester}
                </span>
                <span className="muted" data-testid="register-state">
                  {c.outcome ? (
                    <span
                      className={`badge ${c.outcome === 'completed' || c.outcome === 'rolled back and restored' ? 'badge-ok' : c.outcome === 'failed' ? 'badge-bad' : 'badge-warn'}`}
                    >
                      {c.outcome}
                    </span>
                  ) : (
                    c.statusLabel
                  )}
                </span>
              </button>
            </li>
          ))}
        </ul>
        <ChangeDetail onEdit={() => setEditing('draft')} />
      </div>
    </section>
  );
}
