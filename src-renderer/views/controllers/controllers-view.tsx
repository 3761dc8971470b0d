import { useEffect, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useAppStore } from '../../state/app-store.ts';
import { ErrorPanel } from '../../components/error-panel.tsx';
import { ProfileImportForm } from './profile-import-form.tsx';
import { ControllerForm } from './controller-form.tsx';
import { ControllerDetail } from './controller-detail.tsx';
import { DriftClocksPanel } from './drift-clocks-panel.tsx';

/** The Controllers view: registered controllers, profile import, and capture. */
export function ControllersView() {
  const s = useAppStore(useShallow((st) => ({
    controllers: st.controllers, selectedId: st.selectedControllerId, error: st.controllersError,
    load: st.loadControllers, select: st.selectController, clearError: st.clearControllersError, profiles: st.profiles,
  })));
  const [form, setForm] = useState<'none' | 'profile' | 'controller'>('none');
  const { load } = s;
  useEffect(() => {
    void load();
  }, [load]);
  const problems = (s.error?.details?.['errors'] as { line: number; column: string | null; message: string }[] | undefined) ?? [];

  return (
    <section className="controllers">
      <div className="view-head">
        <div>
          <h1>Controllers</h1>
          <p className="muted">Capture what each controller holds, read-only. Baseline never writes to a controller except through a previewed, confirmed restore.</p>
        </div>
        <div className="actions">
          <button type="button" onClick={() => { s.clearError(); setForm('profile'); }}>Import profile…</button>
          <button type="button" className="primary" onClick={() => { s.clearError(); setForm('controller'); }}>Add controller…</button>
        </div>
      </div>
      {s.error && <ErrorPanel error={s.error} title="That did not work" />}
      {problems.length > 0 && (
        <ul className="problems" aria-label="Problems in the profile file">
          {problems.map((p, i) => <li key={i}>line {p.line}{p.column ? `, ${p.column}` : ''}: {p.message}</li>)}
        </ul>
      )}
      {form === 'profile' && <ProfileImportForm onDone={() => setForm('none')} />}
      {form === 'controller' && <ControllerForm onDone={() => setForm('none')} />}
      <DriftClocksPanel reloadKey={s.controllers} />
      <div className="split">
        <ul className="list" aria-label="Registered controllers">
          {s.controllers.length === 0 && <li className="muted">No controllers yet. {s.profiles.length === 0 ? 'Import a capture profile, then add a controller.' : 'Add one.'}</li>}
          {s.controllers.map((c) => (
            <li key={c.id}>
              <button type="button" className={`list-item ${c.id === s.selectedId ? 'active' : ''}`} onClick={() => s.select(c.id)}>
                <strong>{c.name}</strong>
                <span className="muted">{c.description}</span>
                <span className={c.lastCapture ? (c.lastCapture.complete ? 'ok-text' : 'bad-text') : 'muted'}>
                  {c.lastCapture ? `${c.lastCapture.complete ? 'captured' : 'incomplete'} ${new Date(c.lastCapture.at).toLocaleString()}` : 'never captured'}
                </span>
              </button>
            </li>
          ))}
        </ul>
        <ControllerDetail />
      </div>
    </section>
  );
}
