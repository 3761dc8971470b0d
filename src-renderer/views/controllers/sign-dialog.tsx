/** The dialog that signs a complete capture as a snapshot ("captured by"), on the Controllers screen. */
import { useState } from 'react';
import { useAppStore } from '../../state/app-store.ts';
import type { ErrorData } from '../../../src-shared/common/errors.ts';
import { DemoPassword } from '../../components/signed-form.tsx';

/**
 * Signs a complete capture as evidence, "captured by" the chosen person. The password is asked for this one
 * signature and forgotten (21 CFR 11.200); the statement shown is exactly what the signature means.
 */
export function SignDialog({ controllerId, captureSha256, onDone }: { controllerId: string; captureSha256: string; onDone: () => void }) {
  const all = useAppStore((s) => s.people);
  const people = all.filter((p) => !p.revoked);
  const sign = useAppStore((s) => s.signSnapshot);
  const [employeeId, setEmployeeId] = useState(people[0]?.employeeId ?? '');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<ErrorData | null>(null);
  const [busy, setBusy] = useState(false);
  const person = people.find((p) => p.employeeId === employeeId);

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    setBusy(true);
    const err = await sign({ controllerId, captureSha256, employeeId, password });
    setBusy(false);
    setPassword('');
    if (err) setError(err);
    else onDone();
  }

  return (
    <form className="panel form" aria-label="Sign capture" onSubmit={(e) => void submit(e)}>
      <h3>Sign this capture as evidence</h3>
      {people.length === 0 ? <p className="muted">Nobody is enrolled on this laptop yet (see People).</p> : (
        <>
          <label>Signer
            <select value={employeeId} onChange={(e) => setEmployeeId(e.target.value)}>
              {people.map((p) => <option key={p.fingerprint} value={p.employeeId}>{p.name} ({p.employeeId})</option>)}
            </select>
          </label>
          <label>Password <input required type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} /></label>
          <DemoPassword employeeId={employeeId} />
          <p className="statement">By signing, {person?.name ?? '…'} states that this snapshot was <strong>captured by</strong> them, now, from this controller.</p>
          {error && <p className="bad-text" role="alert">{error.message} {error.hint}</p>}
          <div className="actions">
            <button type="submit" className="primary" disabled={busy || !password}>{busy ? 'Signing…' : 'Sign'}</button>
            <button type="button" onClick={onDone}>Cancel</button>
          </div>
        </>
      )}
    </form>
  );
}
