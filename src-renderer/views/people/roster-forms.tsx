/** The People screen's roster forms: importing the roster CSV and editing one entry, signed by plant engineering. */
import { useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useAppStore } from '../../state/app-store.ts';
import { Outcome, SignedFileForm, SignerFields, useSigner, type SignerRule } from '../../components/signed-form.tsx';
import type { PersonView } from '../../../src-shared/common/api/contract.ts';
import type { RosterEntry } from '../../../src-shared/common/workflow/people-roster.ts';

/** The roster is kept by plant engineering. */
const ROSTER_RULE: SignerRule = { roles: 'plantEngineering', what: 'sign a roster change' };

/** How a roster entry stands against the certificates on this laptop. */
export function rosterState(
  entry: RosterEntry,
  people: PersonView[],
  roleLabel: (r: string) => string,
): { label: string; tone: 'ok' | 'warn' | 'bad' | 'muted'; canEnrol: boolean } {
  const cert = people.find((p) => p.employeeId === entry.employeeId && !p.revoked);
  if (!entry.active)
    return cert
      ? { label: 'left the roster: revoke their certificate', tone: 'bad', canEnrol: false }
      : { label: 'left the roster', tone: 'muted', canEnrol: false };
  if (!cert)
    return people.some((p) => p.employeeId === entry.employeeId)
      ? { label: 'certificate revoked: enrol again to sign', tone: 'warn', canEnrol: true }
      : { label: 'awaiting enrolment', tone: 'warn', canEnrol: true };
  const same = cert.roles.length === entry.roles.length && entry.roles.every((r) => cert.roles.includes(r));
  return same
    ? { label: 'enrolled', tone: 'ok', canEnrol: false }
    : {
        label: `certificate carries ${cert.roles.map(roleLabel).join(', ')}: revoke and enrol again to reissue`,
        tone: 'warn',
        canEnrol: false,
      };
}

/** Imports the roster CSV (employee_id,name,roles,site), signed by plant engineering. */
export function RosterImport() {
  const editPeople = useAppStore((s) => s.editPeople);
  return (
    <SignedFileForm
      className="panel form"
      label="Import the people roster"
      fileLabel="Roster CSV"
      accept=".csv"
      signerLabel="Signed by"
      rule={ROSTER_RULE}
      button="Sign and import"
      doneVerb="Imported"
      submit={(file, signer) => editPeople('people.importRoster', { text: file.text, source: file.name, ...signer })}
    >
      <h3>Roster</h3>
      <p className="muted wide">
        Who works here and which RACI roles plant engineering gives them: a CSV <code>employee_id,name,roles,site</code> (roles separated by
        semicolons). People in the file are added or updated; the roster grants nothing until a person is enrolled with their own password.
      </p>
    </SignedFileForm>
  );
}

/** Adds a person to the roster or changes their entry (roles, site, left), signed by plant engineering with a reason. */
export function RosterEditor({ entry, onDone }: { entry: RosterEntry | null; onDone(): void }) {
  const s = useAppStore(useShallow((st) => ({ known: st.roles, sites: st.sites, editPeople: st.editPeople })));
  const signer = useSigner();
  const [employeeId, setEmployeeId] = useState(entry?.employeeId ?? '');
  const [name, setName] = useState(entry?.name ?? '');
  const [roles, setRoles] = useState<string[]>(entry?.roles ?? []);
  const s0 = useAppStore((st) => st.sites);
  // A site that is no longer in the plant model shows (and saves) as none: what is on screen is what is signed.
  const [site, setSite] = useState(entry?.site && s0.some((x) => x.id === entry.site) ? entry.site : '');
  const [active, setActive] = useState(entry?.active ?? true);
  const [reason, setReason] = useState('');
  async function save(e: React.FormEvent) {
    e.preventDefault();
    const err = await s.editPeople('people.setRosterEntry', {
      entry: { employeeId: employeeId.trim(), name, roles, site: site === '' ? null : site, active },
      reason,
      employeeId: signer.employeeId,
      password: signer.password,
    });
    if (signer.settle(err, 'Saved.')) onDone();
  }
  return (
    <form className="panel form" aria-label="Edit a roster entry" onSubmit={(e) => void save(e)}>
      <h3>{entry ? `Roster: ${entry.name}` : 'Add a person to the roster'}</h3>
      <label>
        Employee id <input value={employeeId} readOnly={entry !== null} onChange={(e) => setEmployeeId(e.target.value)} />
      </label>
      <label>
        Full name <input value={name} onChange={(e) => setName(e.target.value)} />
      </label>
      <label>
        Site
        <select value={site} onChange={(e) => setSite(e.target.value)}>
          <option value="">(any)</option>
          {s.sites.map((x) => (
            <option key={x.id} value={x.id}>
              {x.name}
            </option>
          ))}
        </select>
      </label>
      <fieldset className="roles wide">
        <legend>Roles</legend>
        {s.known.map((r) => (
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
      <label className="inline">
        <input type="checkbox" checked={active} onChange={(e) => setActive(e.target.checked)} /> On the roster (clear when they leave)
      </label>
      <label className="wide">
        Reason <input value={reason} onChange={(e) => setReason(e.target.value)} placeholder="e.g. joined the CAB" />
      </label>
      <SignerFields label="Signed by" {...signer} rule={ROSTER_RULE} />
      <div className="actions">
        <button type="submit" className="primary" disabled={!employeeId.trim() || !signer.employeeId || !signer.password}>
          Sign and save
        </button>
        <button type="button" onClick={onDone}>
          Close
        </button>
      </div>
      <Outcome error={signer.error} done={signer.done} />
    </form>
  );
}
