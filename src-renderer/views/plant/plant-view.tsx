import { useEffect, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useAppStore } from '../../state/app-store.ts';
import type { ErrorData } from '../../../src-shared/common/errors.ts';

/** The policy in force, and adopting a new revision (signed by a plant engineering manager). */
function PolicyPanel() {
  const s = useAppStore(useShallow((st) => ({ policy: st.policy, people: st.people, adopt: st.adoptPolicy })));
  const [file, setFile] = useState<{ name: string; text: string } | null>(null);
  const [employeeId, setEmployeeId] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<ErrorData | null>(null);
  const [done, setDone] = useState('');
  async function adopt(e: React.FormEvent) {
    e.preventDefault();
    if (!file) return;
    const err = await s.adopt({ yaml: file.text, source: file.name, employeeId, password });
    setPassword('');
    setError(err);
    setDone(err ? '' : `Adopted ${file.name}.`);
    if (!err) setFile(null);
  }
  const p = s.policy;
  return (
    <section className="panel" aria-label="Change policy">
      <h3>Change policy</h3>
      {p && <p data-testid="policy-in-force"><strong>{p.name}</strong>, revision {p.revision} · time zone {p.timeZone} · {p.adoptedBy ? `adopted by ${p.adoptedBy}, ${new Date(p.adoptedAt!).toLocaleString()}` : 'the default shipped with Baseline'} · <span className="muted mono">{p.sha256.slice(0, 16)}…</span></p>}
      <form className="form" aria-label="Adopt a policy" onSubmit={(e) => void adopt(e)}>
        <label>Policy YAML <input type="file" accept=".yaml,.yml" onChange={(e) => { const f = e.target.files?.[0]; if (f) void f.text().then((text) => setFile({ name: f.name, text })); }} /></label>
        <label>Adopted by
          <select value={employeeId} onChange={(e) => setEmployeeId(e.target.value)}>
            <option value="">choose…</option>
            {s.people.filter((x) => !x.revoked).map((x) => <option key={x.fingerprint} value={x.employeeId}>{x.name} ({x.employeeId})</option>)}
          </select>
        </label>
        <label>Password <input type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} /></label>
        <div className="actions"><button type="submit" className="primary" disabled={!file || !employeeId || !password}>Sign and adopt</button></div>
        {error && <div className="bad-text wide" role="alert"><p>{error.message}</p><p>What to do: {error.hint}</p></div>}
        {done && <p className="ok-text wide" role="status">{done}</p>}
      </form>
      <p className="muted">Requests already submitted keep the evaluation they were reviewed under; new requests are evaluated under the policy in force.</p>
    </section>
  );
}

/** The plant model: lines with their tiers (imported from YAML), and which line each controller is on. */
export function PlantView() {
  const s = useAppStore(useShallow((st) => ({ plant: st.plant, controllers: st.controllers, load: st.loadChanges, importPlant: st.importPlant, assign: st.assignLine, setSafety: st.setSafety })));
  const [error, setError] = useState<ErrorData | null>(null);
  const { load } = s;
  useEffect(() => {
    void load();
  }, [load]);
  const lines = s.plant?.lines ?? [];
  return (
    <section>
      <div className="view-head">
        <div>
          <h1>Plant</h1>
          <p className="muted">Lines and their tiers (set by plant engineering) decide notice, approval depth and staging for every change to their controllers.</p>
        </div>
        <label className="button-like">Import plant YAML…
          <input type="file" aria-label="Import plant YAML" accept=".yaml,.yml" style={{ display: 'none' }}
            onChange={(e) => { const f = e.target.files?.[0]; if (f) void f.text().then((t) => s.importPlant(t, f.name)).then(setError); }} />
        </label>
      </div>
      {error && <div className="error-panel" role="alert"><strong>The plant file was not imported</strong><p>{error.message}</p><p className="hint">What to do: {error.hint}</p></div>}
      <PolicyPanel />
      <h3>Controllers</h3>
      <table className="events" aria-label="Controllers on lines">
        <thead><tr><th>Controller</th><th>Address</th><th>Line</th><th>Safety system</th></tr></thead>
        <tbody>
          {s.controllers.map((c) => (
            <tr key={c.id}>
              <td>{c.name}</td><td>{c.description}</td>
              <td><select aria-label={`Line of ${c.name}`} value={s.plant?.controllerLines[c.id] ?? ''} onChange={(e) => { if (e.target.value) void s.assign(c.id, e.target.value).then(setError); }}>
                <option value="">(no line)</option>
                {lines.map((l) => <option key={l.id} value={l.id}>{l.id} {l.name} (tier {l.tier})</option>)}
              </select></td>
              <td><label className="inline"><input type="checkbox" aria-label={`${c.name} is a safety system`} checked={s.plant?.safetyControllers.includes(c.id) ?? false}
                onChange={(e) => void s.setSafety(c.id, e.target.checked).then(setError)} /> every change escalates like a safety tag</label></td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3>Lines ({lines.length})</h3>
      {lines.length === 0 ? <p className="muted">No plant model yet: import a plant YAML file (resources/plant/demo-plant.yaml is the 24-line example of seed 004).</p> : (
        <table className="events" aria-label="Lines">
          <thead><tr><th>Line</th><th>Name</th><th>Tier</th></tr></thead>
          <tbody>{lines.map((l) => <tr key={l.id} data-line={l.id}><td>{l.id}</td><td>{l.name}</td><td>{l.tier}</td></tr>)}</tbody>
        </table>
      )}
    </section>
  );
}
