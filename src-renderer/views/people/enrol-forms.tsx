/** The People screen's forms for certificates: creating the plant CA, enrolling a person, revoking a certificate. */
import { useState } from 'react';
import { useAppStore } from '../../state/app-store.ts';
import { ErrorPanel } from '../../components/error-panel.tsx';
import { Outcome } from '../../components/signed-form.tsx';
import type { PersonView } from '../../../src-shared/common/api/contract.ts';
import type { ErrorData } from '../../../src-shared/common/errors.ts';
import type { RosterEntry } from '../../../src-shared/common/workflow/people-roster.ts';
import { MIN_PASSWORD_LENGTH } from '../../../src-shared/common/workflow/workflow-terms.ts';

export function CreateCaForm() {
  const createCa = useAppStore((s) => s.createCa);
  const [name, setName] = useState('');
  const [pw, setPw] = useState('');
  const [error, setError] = useState<ErrorData | null>(null);
  return (
    <form
      className="panel form"
      aria-label="Create plant CA"
      onSubmit={(e) => {
        e.preventDefault();
        void createCa({ name: name.trim(), caPassword: pw }).then((err) => {
          setError(err);
          if (!err) setPw('');
        });
      }}
    >
      <h3>Create the plant CA on this laptop</h3>
      <p className="muted">
        For a stand-alone plant. The CA signs people's certificates; its key stays on this laptop under the CA password.
      </p>
      <label>
        CA name <input required value={name} placeholder="e.g. Plant 7 CA" onChange={(e) => setName(e.target.value)} />
      </label>
      <p className="muted wide">The CA password: at least {MIN_PASSWORD_LENGTH} characters; whoever holds it can enrol people.</p>
      <label>
        CA password{' '}
        <input
          required
          type="password"
          autoComplete="new-password"
          minLength={MIN_PASSWORD_LENGTH}
          value={pw}
          onChange={(e) => setPw(e.target.value)}
        />
      </label>
      {error && (
        <div className="wide">
          <ErrorPanel error={error} title="The CA was not created" />
        </div>
      )}
      <div className="actions">
        <button type="submit" className="primary">
          Create CA
        </button>
      </div>
    </form>
  );
}

/** Enrols a person: their certificate from the plant CA, their keystore under their own password (pre-filled from the roster). */
export function EnrolForm({ prefill, onEnrolled, onClose }: { prefill: RosterEntry | null; onEnrolled(): void; onClose?: () => void }) {
  const enrol = useAppStore((s) => s.enrol);
  const known = useAppStore((s) => s.roles);
  const [name, setName] = useState(prefill?.name ?? '');
  const [employeeId, setEmployeeId] = useState(prefill?.employeeId ?? '');
  const [roles, setRoles] = useState<string[]>(prefill?.roles ?? []);
  const [pw, setPw] = useState('');
  const [pw2, setPw2] = useState('');
  const [caPw, setCaPw] = useState('');
  const [mismatch, setMismatch] = useState(false);
  const [error, setError] = useState<ErrorData | null>(null);
  async function submit(e: React.FormEvent) {
    e.preventDefault();
    if (pw !== pw2) {
      setMismatch(true);
      return;
    }
    setMismatch(false);
    const err = await enrol({ name: name.trim(), employeeId: employeeId.trim(), roles, password: pw, caPassword: caPw });
    setError(err);
    if (!err) {
      setName('');
      setEmployeeId('');
      setPw('');
      setPw2('');
      setCaPw('');
      onEnrolled();
    }
  }
  return (
    <form className="panel form" aria-label="Enrol person" onSubmit={(e) => void submit(e)}>
      <h3>Enrol a person</h3>
      {prefill && (
        <p className="muted wide">
          From the roster: {prefill.name} ({prefill.employeeId}). They type their own password; the CA holder types the CA password.
        </p>
      )}
      <label>
        Full name <input required value={name} onChange={(e) => setName(e.target.value)} />
      </label>
      <label>
        Employee id <input required value={employeeId} onChange={(e) => setEmployeeId(e.target.value)} />
      </label>
      <fieldset className="roles wide">
        <legend>Roles</legend>
        {known.map((r) => (
          <label key={r.id} className="inline" title={r.id}>
            <input
              type="checkbox"
              checked={roles.includes(r.id)}
              onChange={(e) => setRoles(e.target.checked ? [...roles, r.id] : roles.filter((x) => x !== r.id))}
            />{' '}
            {r.label}
          </label>
        ))}
      </fieldset>
      <p className="muted wide" data-testid="password-rule">
        Their password: at least {MIN_PASSWORD_LENGTH} characters (a short sentence works well); they type it at every signature.
      </p>
      <label>
        Their password{' '}
        <input
          required
          type="password"
          autoComplete="new-password"
          minLength={MIN_PASSWORD_LENGTH}
          value={pw}
          onChange={(e) => setPw(e.target.value)}
        />
      </label>
      <label>
        Repeat it <input required type="password" autoComplete="new-password" value={pw2} onChange={(e) => setPw2(e.target.value)} />
      </label>
      <label>
        CA password <input required type="password" value={caPw} onChange={(e) => setCaPw(e.target.value)} />
      </label>
      {mismatch && (
        <p className="bad-text" role="alert">
          The two passwords differ.
        </p>
      )}
      {error && (
        <div className="wide">
          <ErrorPanel error={error} title="Not enrolled" />
        </div>
      )}
      <div className="actions">
        <button type="submit" className="primary">
          Enrol
        </button>
        {onClose && (
          <button type="button" onClick={onClose}>
            Close
          </button>
        )}
      </div>
    </form>
  );
}

/** Revokes a person's certificate with the plant CA password and a reason. */
export function RevokeForm({ person, onDone }: { person: PersonView; onDone(): void }) {
  const editPeople = useAppStore((s) => s.editPeople);
  const [reason, setReason] = useState('');
  const [caPassword, setCaPassword] = useState('');
  const [error, setError] = useState<ErrorData | null>(null);
  async function submit(e: React.FormEvent) {
    e.preventDefault();
    const err = await editPeople('people.revoke', { employeeId: person.employeeId, reason, caPassword });
    setCaPassword('');
    setError(err);
    if (!err) onDone();
  }
  return (
    <form className="panel form" aria-label={`Revoke ${person.name}'s certificate`} onSubmit={(e) => void submit(e)}>
      <h3>Revoke {person.name}&apos;s certificate</h3>
      <p className="muted wide">
        Their signatures made so far stay valid evidence; from now on they cannot sign on this laptop. To change their roles, revoke and
        enrol them again.
      </p>
      <label className="wide">
        Reason <input value={reason} onChange={(e) => setReason(e.target.value)} placeholder="e.g. roles changed: now on the CAB" />
      </label>
      <label>
        CA password <input type="password" value={caPassword} onChange={(e) => setCaPassword(e.target.value)} />
      </label>
      <div className="actions">
        <button type="submit" className="primary" disabled={!reason.trim() || !caPassword}>
          Revoke
        </button>
        <button type="button" onClick={onDone}>
          Close
        </button>
      </div>
      <Outcome error={error} done="" />
    </form>
  );
}
