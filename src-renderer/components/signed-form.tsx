/**
 * The parts every signed form shares: the signer and their password (cleared after each attempt), and the outcome
 * (the refusal with what to do, or what was done).
 */
import { useState } from 'react';
import { useAppStore } from '../state/app-store.ts';
import type { ErrorData } from '../../src-shared/common/errors.ts';

/** Who signs: one of the people enrolled on this laptop, with their password (asked for at every signature). */
export function SignerFields(props: { employeeId: string; setEmployeeId(v: string): void; password: string; setPassword(v: string): void; label: string }) {
  const people = useAppStore((st) => st.people);
  return (
    <>
      <label>{props.label}
        <select value={props.employeeId} onChange={(e) => props.setEmployeeId(e.target.value)}>
          <option value="">choose…</option>
          {people.filter((x) => !x.revoked).map((x) => <option key={x.fingerprint} value={x.employeeId}>{x.name} ({x.employeeId})</option>)}
        </select>
      </label>
      <label>Password <input type="password" autoComplete="current-password" value={props.password} onChange={(e) => props.setPassword(e.target.value)} /></label>
    </>
  );
}

/** A signed form's outcome: the refusal with what to do, or what was done. */
export function Outcome({ error, done }: { error: ErrorData | null; done: string }) {
  return (
    <>
      {error && <div className="bad-text wide" role="alert"><p>{error.message}</p><p>What to do: {error.hint}</p></div>}
      {done && <p className="ok-text wide" role="status">{done}</p>}
    </>
  );
}

/** A signer and password kept by a form, cleared after each attempt. */
export function useSigner() {
  const [employeeId, setEmployeeId] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<ErrorData | null>(null);
  const [done, setDone] = useState('');
  return {
    employeeId, setEmployeeId, password, setPassword, error, done,
    /** Records the outcome of a signed call; true when it was accepted. */
    settle(err: ErrorData | null, message: string): boolean {
      setPassword('');
      setError(err);
      setDone(err ? '' : message);
      return err === null;
    },
  };
}
