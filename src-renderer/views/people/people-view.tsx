import { useEffect, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useAppStore } from '../../state/app-store.ts';
import { ErrorPanel } from '../../components/error-panel.tsx';


function CreateCaForm() {
  const createCa = useAppStore((s) => s.createCa);
  const [name, setName] = useState('');
  const [pw, setPw] = useState('');
  return (
    <form className="panel form" aria-label="Create plant CA" onSubmit={(e) => { e.preventDefault(); void createCa({ name: name.trim(), caPassword: pw }).then((ok) => { if (ok) setPw(''); }); }}>
      <h3>Create the plant CA on this laptop</h3>
      <p className="muted">For a stand-alone plant. The CA signs people's certificates; its key stays on this laptop under the CA password.</p>
      <label>CA name <input required value={name} placeholder="e.g. Plant 7 CA" onChange={(e) => setName(e.target.value)} /></label>
      <label>CA password <input required type="password" autoComplete="new-password" value={pw} onChange={(e) => setPw(e.target.value)} /></label>
      <div className="actions"><button type="submit" className="primary">Create CA</button></div>
    </form>
  );
}

function EnrolForm() {
  const enrol = useAppStore((s) => s.enrol);
  const known = useAppStore((s) => s.roles);
  const [name, setName] = useState('');
  const [employeeId, setEmployeeId] = useState('');
  const [roles, setRoles] = useState<string[]>(['engineer']);
  const [pw, setPw] = useState('');
  const [pw2, setPw2] = useState('');
  const [caPw, setCaPw] = useState('');
  const [mismatch, setMismatch] = useState(false);
  async function submit(e: React.FormEvent) {
    e.preventDefault();
    if (pw !== pw2) {
      setMismatch(true);
      return;
    }
    setMismatch(false);
    if (await enrol({ name: name.trim(), employeeId: employeeId.trim(), roles, password: pw, caPassword: caPw })) {
      setName(''); setEmployeeId(''); setPw(''); setPw2(''); setCaPw('');
    }
  }
  return (
    <form className="panel form" aria-label="Enrol person" onSubmit={(e) => void submit(e)}>
      <h3>Enrol a person</h3>
      <label>Full name <input required value={name} onChange={(e) => setName(e.target.value)} /></label>
      <label>Employee id <input required value={employeeId} onChange={(e) => setEmployeeId(e.target.value)} /></label>
      <fieldset className="roles"><legend>Roles</legend>
        {known.map((r) => (
          <label key={r.id} className="inline" title={r.label}><input type="checkbox" checked={roles.includes(r.id)}
            onChange={(e) => setRoles(e.target.checked ? [...roles, r.id] : roles.filter((x) => x !== r.id))} /> {r.id}</label>
        ))}
      </fieldset>
      <label>Their password <input required type="password" autoComplete="new-password" value={pw} onChange={(e) => setPw(e.target.value)} /></label>
      <label>Repeat it <input required type="password" autoComplete="new-password" value={pw2} onChange={(e) => setPw2(e.target.value)} /></label>
      <label>CA password <input required type="password" value={caPw} onChange={(e) => setCaPw(e.target.value)} /></label>
      {mismatch && <p className="bad-text" role="alert">The two passwords differ.</p>}
      <div className="actions"><button type="submit" className="primary">Enrol</button></div>
    </form>
  );
}

/** People: who can sign on this laptop, the trusted plant CAs, and enrolment. */
export function PeopleView() {
  const s = useAppStore(useShallow((st) => ({ people: st.people, cas: st.cas, hasLocalCa: st.hasLocalCa, error: st.peopleError, load: st.loadPeople })));
  const { load } = s;
  useEffect(() => {
    void load();
  }, [load]);
  return (
    <section>
      <div className="view-head">
        <div>
          <h1>People</h1>
          <p className="muted">Everyone who signs on this laptop has a certificate from the plant CA and a keystore protected by their own password, asked for at every signature.</p>
        </div>
      </div>
      {s.error && <ErrorPanel error={s.error} title="That did not work" />}
      <p className="muted" data-testid="trusted-cas">Trusted plant CA: {s.cas.length ? s.cas.map((c) => `${c.name} (${c.fingerprint.slice(0, 12)}…)`).join(', ') : 'none yet'}</p>
      {!s.hasLocalCa && s.cas.length === 0 && <CreateCaForm />}
      {s.hasLocalCa && <EnrolForm />}
      <table className="events" aria-label="People">
        <thead><tr><th>Employee id</th><th>Name</th><th>Roles</th><th>Certificate</th><th>State</th></tr></thead>
        <tbody>
          {s.people.map((p) => (
            <tr key={p.fingerprint} data-employee={p.employeeId}>
              <td>{p.employeeId}</td><td>{p.name}</td><td>{p.roles.join(', ')}</td><td><code title={p.fingerprint}>{p.fingerprint.slice(0, 16)}…</code></td>
              <td>{p.revoked ? <span className="badge badge-bad">revoked</span>
                : p.lockedUntil && new Date(p.lockedUntil) > new Date() ? <span className="badge badge-warn">locked until {new Date(p.lockedUntil).toLocaleTimeString()}</span>
                  : <span className="badge badge-ok">valid</span>}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
