/** The People screen: the plant CA, enrolling people, the roster kept by plant engineering, and revoking certificates. */
import { useEffect, useRef, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { selectPlantZone, useAppStore } from '../../state/app-store.ts';
import { ErrorPanel } from '../../components/error-panel.tsx';
import { Outcome, SignedFileForm, SignerFields, useSigner, type SignerRule } from '../../components/signed-form.tsx';
import type { PersonView } from '../../../src-shared/common/api/contract.ts';
import type { ErrorData } from '../../../src-shared/common/errors.ts';
import type { RosterEntry } from '../../../src-shared/common/workflow/people-roster.ts';
import { MIN_PASSWORD_LENGTH } from '../../../src-shared/common/workflow/workflow-terms.ts';
import { formatPlant } from '../../components/plant-time.tsx';
import { roleName } from '../../../src-shared/common/workflow/role-names.ts';

/** The roster is kept by plant engineering. */
const ROSTER_RULE: SignerRule = { roles: 'plantEngineering', what: 'sign a roster change' };

function CreateCaForm() {
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
function EnrolForm({ prefill, onEnrolled, onClose }: { prefill: RosterEntry | null; onEnrolled(): void; onClose?: () => void }) {
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

/** How a roster entry stands against the certificates on this laptop. */
function rosterState(
  entry: RosterEntry,
  people: PersonView[],
  roleLabel: (r: string) => string,
): { label: string; tone: 'ok' | 'warn' | 'bad' | 'muted'; canEnrol: boolean } {
  const cert = people.find((p) => p.employeeId === entry.employeeId && !p.revoked);
  if (!entry.active)
    return cert
      ? { label: 'left the roster: revoke their certificate', tone: 'bad', canEnrol: false }
      : { label: 'left the roster', tone: 'muted', canEnrol: false };
  if (!cert) return { label: 'awaiting enrolment', tone: 'warn', canEnrol: true };
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
function RosterImport() {
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
function RosterEditor({ entry, onDone }: { entry: RosterEntry | null; onDone(): void }) {
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

/** Revokes a person's certificate with the plant CA password and a reason. */
function RevokeForm({ person, onDone }: { person: PersonView; onDone(): void }) {
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

/** A person's row on the People screen: enrolled, else on the roster. */
function rowFor(employeeId: string): Element | null {
  const id = CSS.escape(employeeId);
  return document.querySelector(`tr[data-employee="${id}"]`) ?? document.querySelector(`tr[data-roster="${id}"]`);
}

/** People: who can sign on this laptop, the trusted plant CAs, and enrolment. */
export function PeopleView() {
  const s = useAppStore(
    useShallow((st) => ({
      people: st.people,
      cas: st.cas,
      hasLocalCa: st.hasLocalCa,
      error: st.peopleError,
      load: st.loadPeople,
      roster: st.roster,
      sites: st.sites,
      roles: st.roles,
    })),
  );
  const roleLabel = (r: string) => roleName(s.roles, r);
  const zone = useAppStore(selectPlantZone);
  const [prefill, setPrefill] = useState<RosterEntry | null>(null);
  const [editing, setEditing] = useState<{ entry: RosterEntry | null } | null>(null);
  const [revoking, setRevoking] = useState<PersonView | null>(null);
  // Once people are enrolled, enrolment is one button; it opens by itself for the first person and from the roster.
  const [enrolOpen, setEnrolOpen] = useState(false);
  const enrolRef = useRef<HTMLDivElement>(null);
  const showEnrol = s.hasLocalCa && (enrolOpen || prefill !== null || s.people.length === 0);
  useEffect(() => {
    if (prefill) enrolRef.current?.scrollIntoView({ block: 'start' });
  }, [prefill]);
  const { load } = s;
  useEffect(() => {
    void load();
  }, [load]);
  // A person opened from the global search: their row (enrolled, else on the roster) scrolled into view and marked.
  const focus = useAppStore((st) => st.personFocus);
  const focusFound = focus !== null && (s.people.some((p) => p.employeeId === focus) || s.roster.some((r) => r.employeeId === focus));
  // Marked while the screen is open; the request is used up, so People opened later from the menu marks nobody.
  const [marked, setMarked] = useState<string | null>(null);
  useEffect(() => {
    if (focus === null || !focusFound) return;
    setMarked(focus);
    rowFor(focus)?.scrollIntoView({ block: 'center' });
    useAppStore.setState({ personFocus: null });
  }, [focus, focusFound]);
  const markedRow = (id: string) => (id === marked ? { className: 'focused', 'aria-current': true as const } : {});
  return (
    <section>
      <div className="view-head">
        <div>
          <h1>People</h1>
          <p className="muted">
            Everyone who signs on this laptop has a certificate from the plant CA and a keystore protected by their own password, asked for
            at every signature.
          </p>
        </div>
      </div>
      {s.error && <ErrorPanel error={s.error} title="That did not work" />}
      <p className="muted" data-testid="trusted-cas">
        Trusted plant CA: {s.cas.length ? s.cas.map((c) => `${c.name} (${c.fingerprint.slice(0, 12)}…)`).join(', ') : 'none yet'}
      </p>
      {!s.hasLocalCa && s.cas.length === 0 && <CreateCaForm />}
      {s.hasLocalCa && !showEnrol && (
        <p>
          <button type="button" data-write onClick={() => setEnrolOpen(true)}>
            Enrol a person…
          </button>
        </p>
      )}
      <div ref={enrolRef}>
        {showEnrol && (
          <EnrolForm
            key={prefill?.employeeId ?? '(blank)'}
            prefill={prefill}
            onEnrolled={() => {
              setPrefill(null);
              setEnrolOpen(false);
            }}
            {...(s.people.length > 0
              ? {
                  onClose: () => {
                    setPrefill(null);
                    setEnrolOpen(false);
                  },
                }
              : {})}
          />
        )}
      </div>
      <table className="events" aria-label="People">
        <thead>
          <tr>
            <th>Employee id</th>
            <th>Name</th>
            <th>Roles</th>
            <th>Certificate</th>
            <th>State</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {s.people.map((p) => (
            <tr key={p.fingerprint} data-employee={p.employeeId} {...markedRow(p.employeeId)}>
              <td>{p.employeeId}</td>
              <td>{p.name}</td>
              <td>{p.roles.map(roleLabel).join(', ')}</td>
              <td>
                <code title={p.fingerprint}>{p.fingerprint.slice(0, 16)}…</code>
              </td>
              <td>
                {p.revoked ? (
                  <span className="badge badge-bad">revoked</span>
                ) : p.lockedUntil && new Date(p.lockedUntil) > new Date() ? (
                  <span className="badge badge-warn">locked until {formatPlant(p.lockedUntil, zone)}</span>
                ) : (
                  <span className="badge badge-ok">valid</span>
                )}
              </td>
              <td>
                {s.hasLocalCa && !p.revoked && (
                  <button type="button" data-write aria-label={`Revoke ${p.name}'s certificate`} onClick={() => setRevoking(p)}>
                    Revoke…
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {revoking && <RevokeForm key={revoking.fingerprint} person={revoking} onDone={() => setRevoking(null)} />}
      <RosterImport />
      <div className="view-head">
        <h3>On the roster ({s.roster.filter((r) => r.active).length})</h3>
        <button type="button" data-write onClick={() => setEditing({ entry: null })}>
          Add to the roster…
        </button>
      </div>
      {editing && <RosterEditor key={editing.entry?.employeeId ?? '(new)'} entry={editing.entry} onDone={() => setEditing(null)} />}
      {s.roster.length > 0 && (
        <table className="events" aria-label="Roster">
          <thead>
            <tr>
              <th>Employee id</th>
              <th>Name</th>
              <th>Roles</th>
              <th>Site</th>
              <th>Certificate</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {s.roster.map((r) => {
              const state = rosterState(r, s.people, roleLabel);
              return (
                <tr
                  key={r.employeeId}
                  data-roster={r.employeeId}
                  {...markedRow(r.employeeId)}
                  className={[r.active ? '' : 'muted', r.employeeId === marked ? 'focused' : ''].join(' ').trim()}
                >
                  <td>{r.employeeId}</td>
                  <td>{r.name}</td>
                  <td>{r.roles.map(roleLabel).join(', ')}</td>
                  <td>{s.sites.find((x) => x.id === r.site)?.name ?? r.site ?? ''}</td>
                  <td>
                    <span className={state.tone === 'muted' ? 'muted' : `badge badge-${state.tone}`}>{state.label}</span>
                  </td>
                  <td className="actions">
                    {state.canEnrol && s.hasLocalCa && (
                      <button type="button" data-write aria-label={`Enrol ${r.name}`} onClick={() => setPrefill(r)}>
                        Enrol…
                      </button>
                    )}
                    <button
                      type="button"
                      data-write
                      aria-label={`Edit the roster entry of ${r.name}`}
                      onClick={() => setEditing({ entry: r })}
                    >
                      Edit…
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}
