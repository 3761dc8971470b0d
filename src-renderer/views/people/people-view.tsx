/** The People screen: the plant CA, enrolling people, the roster kept by plant engineering, and revoking certificates. */
import { useEffect, useRef, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { selectPlantZone, useAppStore } from '../../state/app-store.ts';
import { ErrorPanel } from '../../components/error-panel.tsx';
import type { PersonView } from '../../../src-shared/common/api/contract.ts';
import type { RosterEntry } from '../../../src-shared/common/workflow/people-roster.ts';
import { formatPlant } from '../../components/plant-time.tsx';
import { roleName } from '../../../src-shared/common/workflow/role-names.ts';
import { CreateCaForm, EnrolForm, RevokeForm } from './enrol-forms.tsx';
import { RosterEditor, RosterImport, rosterState } from './roster-forms.tsx';

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
