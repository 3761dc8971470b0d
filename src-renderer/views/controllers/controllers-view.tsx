/** The Controllers screen: the registered controllers grouped by line (search, site and line filters), profile import, adding a controller, and the selected one. */
import { useEffect, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useAppStore } from '../../state/app-store.ts';
import { ErrorPanel } from '../../components/error-panel.tsx';
import { ProfileImportForm } from './profile-import-form.tsx';
import { ControllerForm } from './controller-form.tsx';
import { ControllerDetail } from './controller-detail.tsx';
import { DriftClocksPanel } from './drift-clocks-panel.tsx';
import { PlantTime } from '../../components/plant-time.tsx';
import type { ControllerView } from '../../../src-shared/common/api/contract.ts';
import type { LineCaptureState } from '../../state/plant-lists-slice.ts';

/** One line's capture, controller by controller (nothing before the first). */
function LineCaptureOutcome({ state, lineId }: { state: LineCaptureState | undefined; lineId: string }) {
  if (!state || state.running) {
    return state?.running ? (
      <p className="muted line-capture-results" role="status">
        {state.cancelling
          ? `Cancelling the capture of line ${lineId}…`
          : `Capturing every controller of line ${lineId}, one after the other…`}
      </p>
    ) : null;
  }
  if (state.error)
    return (
      <div className="bad-text line-capture-results" role="alert">
        <p>{state.error.message}</p>
        <p>What to do: {state.error.hint}</p>
      </div>
    );
  const r = state.result;
  if (!r) return null;
  const ok = r.results.filter((x) => x.status === 'captured').length;
  return (
    <div className="line-capture-results" role="status" aria-label={`Line ${lineId} capture`} data-testid={`line-capture-${lineId}`}>
      <p>
        {ok} of {r.results.length} controller{r.results.length === 1 ? '' : 's'} of line {lineId} captured completely.
      </p>
      <ul className="plain">
        {r.results.map((x) => (
          <li key={x.controllerId} data-controller={x.name} data-status={x.status}>
            <strong>{x.name}</strong>: <span className={x.status === 'captured' ? 'ok-text' : 'bad-text'}>{LINE_STATUS[x.status]}</span>{' '}
            <span className="muted">{x.message}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}

const LINE_STATUS = {
  captured: 'captured',
  incomplete: 'incomplete (not evidence)',
  failed: 'not captured',
  'no-profile': 'no profile',
  cancelled: 'cancelled (not evidence)',
} as const;

/** The Controllers view: registered controllers, profile import, and capture. */
export function ControllersView() {
  const s = useAppStore(
    useShallow((st) => ({
      controllers: st.controllers,
      selectedId: st.selectedControllerId,
      error: st.controllersError,
      load: st.loadControllers,
      select: st.selectController,
      clearError: st.clearControllersError,
      profiles: st.profiles,
      plant: st.plant,
      loadPlant: st.loadChanges,
      zone: st.policy?.timeZone ?? 'UTC',
      lineCaptures: st.lineCaptures,
      captureLine: st.captureLine,
      cancelLineCapture: st.cancelLineCapture,
    })),
  );
  const [form, setForm] = useState<'none' | 'profile' | 'controller'>('none');
  const [site, setSite] = useState('');
  const [line, setLine] = useState('');
  const [search, setSearch] = useState('');
  const { load, loadPlant } = s;
  useEffect(() => {
    void load();
    void loadPlant();
  }, [load, loadPlant]);
  const lines = s.plant?.lines ?? [];
  const lineOf = (id: string) => lines.find((l) => l.id === s.plant?.controllerLines[id]);
  const words = search.trim().toLowerCase();
  const shown = s.controllers.filter((c) => {
    const l = lineOf(c.id);
    return (
      (site === '' || l?.site === site) &&
      (line === '' || l?.id === line) &&
      (words === '' || `${c.name} ${c.description} ${l?.id ?? ''} ${l?.name ?? ''}`.toLowerCase().includes(words))
    );
  });
  // Grouped by line in the plant's order, controllers on no line last.
  const groups: { key: string; title: string; items: ControllerView[]; lineId?: string }[] = [
    ...lines.map((l) => ({
      key: l.id,
      title: `${l.id} ${l.name} · tier ${l.tier}${(s.plant?.sites.length ?? 0) > 1 ? ` · ${s.plant?.sites.find((x) => x.id === l.site)?.name ?? l.site}` : ''}`,
      items: shown.filter((c) => lineOf(c.id)?.id === l.id),
      lineId: l.id,
    })),
    { key: '(none)', title: 'Not on a line', items: shown.filter((c) => lineOf(c.id) === undefined) },
  ].filter((g) => g.items.length > 0);

  return (
    <section className="controllers">
      <div className="view-head">
        <div>
          <h1>Controllers</h1>
          <p className="muted">
            Capture what each controller holds, read-only. Baseline never writes to a controller except through a previewed, confirmed
            restore.
          </p>
        </div>
        <div className="actions">
          <button
            type="button"
            data-write
            onClick={() => {
              s.clearError();
              setForm('profile');
            }}
          >
            Import profile…
          </button>
          <button
            type="button"
            data-write
            className="primary"
            onClick={() => {
              s.clearError();
              setForm('controller');
            }}
          >
            Add controller…
          </button>
        </div>
      </div>
      {s.error && <ErrorPanel error={s.error} title="That did not work" />}
      {form === 'profile' && <ProfileImportForm onDone={() => setForm('none')} />}
      {form === 'controller' && <ControllerForm onDone={() => setForm('none')} />}
      <DriftClocksPanel reloadKey={s.controllers} />
      {s.controllers.length > 0 && (
        <div className="filters" aria-label="Find controllers">
          <label>
            Search{' '}
            <input
              type="search"
              aria-label="Search controllers"
              value={search}
              placeholder="name, address, line"
              onChange={(e) => setSearch(e.target.value)}
            />
          </label>
          {(s.plant?.sites.length ?? 0) > 1 && (
            <label>
              Site{' '}
              <select
                aria-label="Filter controllers by site"
                value={site}
                onChange={(e) => {
                  setSite(e.target.value);
                  setLine('');
                }}
              >
                <option value="">all</option>
                {s.plant?.sites.map((x) => (
                  <option key={x.id} value={x.id}>
                    {x.name}
                  </option>
                ))}
              </select>
            </label>
          )}
          <label>
            Line{' '}
            <select aria-label="Filter controllers by line" value={line} onChange={(e) => setLine(e.target.value)}>
              <option value="">all</option>
              {lines
                .filter((l) => site === '' || l.site === site)
                .map((l) => (
                  <option key={l.id} value={l.id}>
                    {l.id} {l.name}
                  </option>
                ))}
            </select>
          </label>
          <span className="muted">
            {shown.length} of {s.controllers.length}
          </span>
        </div>
      )}
      <div className="split">
        <div className="list" role="list" aria-label="Registered controllers">
          {s.controllers.length === 0 && (
            <p className="muted">
              No controllers yet. {s.profiles.length === 0 ? 'Import a capture profile, then add a controller.' : 'Add one.'}
            </p>
          )}
          {s.controllers.length > 0 && shown.length === 0 && <p className="muted">No controller matches.</p>}
          {groups.map((g) => (
            <section key={g.key} className="list-group" aria-label={g.title}>
              <div className="list-group-head">
                <h4 className="list-group-title">{g.title}</h4>
                {g.lineId &&
                  (() => {
                    const lc = s.lineCaptures[g.lineId];
                    if (lc?.running) {
                      return (
                        <button
                          type="button"
                          disabled={lc.cancelling === true}
                          aria-label={`Cancel the capture of line ${g.lineId}`}
                          onClick={() => void s.cancelLineCapture(g.lineId!)}
                        >
                          {lc.cancelling ? 'Cancelling…' : 'Cancel capture'}
                        </button>
                      );
                    }
                    return (
                      <button
                        type="button"
                        aria-label={`Capture all controllers of line ${g.lineId}`}
                        onClick={() => void s.captureLine(g.lineId!)}
                      >
                        Capture all
                      </button>
                    );
                  })()}
              </div>
              {g.lineId && <LineCaptureOutcome state={s.lineCaptures[g.lineId]} lineId={g.lineId} />}
              <ul className="plain">
                {g.items.map((c) => (
                  <li key={c.id} role="listitem">
                    <button type="button" className={`list-item ${c.id === s.selectedId ? 'active' : ''}`} onClick={() => s.select(c.id)}>
                      <strong>{c.name}</strong>
                      <span className="muted">{c.description}</span>
                      <span className={c.lastCapture ? (c.lastCapture.complete ? 'ok-text' : 'bad-text') : 'muted'}>
                        {c.lastCapture ? (
                          <>
                            {c.lastCapture.complete ? 'captured' : 'incomplete'} <PlantTime iso={c.lastCapture.at} zone={s.zone} />
                          </>
                        ) : (
                          'never captured'
                        )}
                      </span>
                    </button>
                  </li>
                ))}
              </ul>
            </section>
          ))}
        </div>
        <ControllerDetail />
      </div>
    </section>
  );
}
