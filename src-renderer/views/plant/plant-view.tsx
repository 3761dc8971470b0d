/** The Plant screen: the plant model (sites, lines, tiers, which controller is on which line) and the policy in force, each edit signed by plant engineering. */
import { formatMinutes } from '../../../src-shared/common/workflow/duration.ts';
import { useEffect, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useAppStore } from '../../state/app-store.ts';
import type { ErrorData } from '../../../src-shared/common/errors.ts';
import type { PlantLine } from '../../../src-shared/common/workflow/plant-model.ts';
import { Outcome, SignedFileForm, SignerFields, useSigner, type SignerRule } from '../../components/signed-form.tsx';
import { formatPlant } from '../../components/plant-time.tsx';
import { ChecklistsPanel } from './checklists-panel.tsx';

/** Plant-model edits are signed by plant engineering. */
const PLANT_ENGINEERING_RULE: SignerRule = { roles: 'plantEngineering', what: 'sign a plant-model edit' };

/** The plant model from a file: YAML (sites and lines) or a CSV of lines; signed by plant engineering. */
function ImportPanel() {
  const editPlant = useAppStore((st) => st.editPlant);
  return (
    <section className="panel" aria-label="Plant model file">
      <h3>Import the plant model</h3>
      <p className="muted">
        A YAML file (<code>baseline.plant/1</code>: sites, lines, and optionally their controllers) or a CSV of lines (
        <code>site,site_name,line,line_name,tier</code>) replaces the whole model. Every line of the file is checked first; nothing changes
        if one is wrong.
      </p>
      <SignedFileForm
        label="Import the plant model"
        fileLabel="Plant file"
        fileAriaLabel="Plant file (YAML or lines CSV)"
        accept=".yaml,.yml,.csv"
        signerLabel="Signed by"
        rule={PLANT_ENGINEERING_RULE}
        button="Sign and import"
        doneVerb="Imported"
        submit={(file, signer) => editPlant('plant.import', { text: file.text, source: file.name, ...signer })}
      />
    </section>
  );
}

/** Adds a line or changes its name, site or tier (or removes it); each edit signed by plant engineering with a reason. */
function LineEditor({ line, onDone }: { line: PlantLine | null; onDone(): void }) {
  const s = useAppStore(useShallow((st) => ({ sites: st.plant?.sites ?? [], editPlant: st.editPlant })));
  const signer = useSigner();
  const [id, setId] = useState(line?.id ?? '');
  const [name, setName] = useState(line?.name ?? '');
  const [site, setSite] = useState(line?.site ?? s.sites[0]?.id ?? '');
  const [tier, setTier] = useState(String(line?.tier ?? 2));
  const [reason, setReason] = useState('');
  const signed = { reason, employeeId: signer.employeeId, password: signer.password };
  async function save(e: React.FormEvent) {
    e.preventDefault();
    const err = await s.editPlant('plant.setLine', { line: { id: id.trim(), name, site, tier: Number(tier) }, ...signed });
    if (signer.settle(err, `Saved line ${id.trim()}.`)) onDone();
  }
  async function remove() {
    const err = await s.editPlant('plant.removeLine', { lineId: id.trim(), ...signed });
    if (signer.settle(err, `Removed line ${id.trim()}.`)) onDone();
  }
  return (
    <form className="panel form" aria-label="Edit a line" onSubmit={(e) => void save(e)}>
      <h3>{line ? `Line ${line.id}` : 'Add a line'}</h3>
      <label>
        Line id <input value={id} readOnly={line !== null} onChange={(e) => setId(e.target.value)} placeholder="e.g. L25" />
      </label>
      <label>
        Name <input value={name} onChange={(e) => setName(e.target.value)} />
      </label>
      <label>
        Site
        <select value={site} onChange={(e) => setSite(e.target.value)}>
          {s.sites.map((x) => (
            <option key={x.id} value={x.id}>
              {x.name} ({x.id})
            </option>
          ))}
        </select>
      </label>
      <label>
        Tier
        <select value={tier} onChange={(e) => setTier(e.target.value)}>
          <option value="1">1 (full CAB, 48 h notice, staging)</option>
          <option value="2">2 (single approver, 24 h notice, diff review)</option>
          <option value="3">3 (same shift)</option>
        </select>
      </label>
      <label className="wide">
        Reason <input value={reason} onChange={(e) => setReason(e.target.value)} placeholder="e.g. quarterly tier review" />
      </label>
      <SignerFields label="Signed by" {...signer} rule={PLANT_ENGINEERING_RULE} />
      <div className="actions">
        <button type="submit" className="primary" disabled={!id.trim() || !signer.employeeId || !signer.password}>
          Sign and save
        </button>
        {line && (
          <button type="button" data-write onClick={() => void remove()} disabled={!signer.employeeId || !signer.password}>
            Sign and remove the line
          </button>
        )}
        <button type="button" onClick={onDone}>
          Close
        </button>
      </div>
      <Outcome error={signer.error} done={signer.done} />
      <p className="muted wide">Requests already submitted keep the tier they were reviewed under; new requests use the line as saved.</p>
    </form>
  );
}

/** Adds a site or renames one, signed by plant engineering. */
function SiteEditor() {
  const editPlant = useAppStore((st) => st.editPlant);
  const signer = useSigner();
  const [id, setId] = useState('');
  const [name, setName] = useState('');
  const [reason, setReason] = useState('');
  async function save(e: React.FormEvent) {
    e.preventDefault();
    const err = await editPlant('plant.setSite', {
      site: { id: id.trim(), name },
      reason,
      employeeId: signer.employeeId,
      password: signer.password,
    });
    if (signer.settle(err, `Saved site ${id.trim()}.`)) {
      setId('');
      setName('');
      setReason('');
    }
  }
  return (
    <form className="panel form" aria-label="Add or rename a site" onSubmit={(e) => void save(e)}>
      <h3>Add or rename a site</h3>
      <label>
        Site id <input value={id} onChange={(e) => setId(e.target.value)} />
      </label>
      <label>
        Name <input value={name} onChange={(e) => setName(e.target.value)} />
      </label>
      <label className="wide">
        Reason <input value={reason} onChange={(e) => setReason(e.target.value)} />
      </label>
      <SignerFields label="Signed by" {...signer} rule={PLANT_ENGINEERING_RULE} />
      <div className="actions">
        <button type="submit" className="primary" disabled={!id.trim() || !signer.employeeId || !signer.password}>
          Sign and save
        </button>
      </div>
      <Outcome error={signer.error} done={signer.done} />
    </form>
  );
}

/** The policy in force, and adopting a new revision (signed by a plant engineering manager). */
function PolicyPanel() {
  const s = useAppStore(useShallow((st) => ({ policy: st.policy, adopt: st.adoptPolicy })));
  const p = s.policy;
  return (
    <section className="panel" aria-label="Change policy">
      <h3>Change policy</h3>
      {p && (
        <p data-testid="policy-in-force">
          <strong>{p.name}</strong>, revision {p.revision} · time zone {p.timeZone} ·{' '}
          {p.adoptedBy ? `adopted by ${p.adoptedBy}, ${formatPlant(p.adoptedAt!, p.timeZone)}` : 'the default shipped with Baseline'} ·{' '}
          <span className="muted mono">{p.sha256.slice(0, 16)}…</span>
        </p>
      )}
      <SignedFileForm
        label="Adopt a policy"
        fileLabel="Policy YAML"
        accept=".yaml,.yml"
        signerLabel="Adopted by"
        rule={{ roles: 'plantEngineering', what: 'adopt a policy' }}
        button="Sign and adopt"
        doneVerb="Adopted"
        submit={(file, signer) => s.adopt({ yaml: file.text, source: file.name, ...signer })}
      />
      {p && (
        <p data-testid="policy-clock-limit">
          Laptop clocks: a laptop whose clock is more than {formatMinutes(p.clockSkewLimitMinutes)} off the central server's when it syncs
          online has its events flagged in the evidence (the event keeps its time; the flag says how far to trust it). A sync bundle carried
          on removable media cannot show the laptop's clock; its events are still flagged when dated before the laptop's previous event or
          after their arrival.
        </p>
      )}
      <p className="muted">
        Requests already submitted keep the evaluation they were reviewed under; new requests are evaluated under the policy in force.
      </p>
    </section>
  );
}

/** Which line each controller is on and whether it is a safety system: edited here, saved with one plant-engineering signature. */
function Placements() {
  const s = useAppStore(useShallow((st) => ({ plant: st.plant, controllers: st.controllers, editPlant: st.editPlant })));
  const signer = useSigner();
  const [pending, setPending] = useState<Record<string, { line?: string; safety?: boolean }>>({});
  const [reason, setReason] = useState('');
  const lines = s.plant?.lines ?? [];
  const lineOf = (id: string) => pending[id]?.line ?? s.plant?.controllerLines[id] ?? '';
  const safetyOf = (id: string) => pending[id]?.safety ?? s.plant?.safetyControllers.includes(id) ?? false;
  const edits = Object.entries(pending).flatMap(([controllerId, p]) => [
    ...(p.line !== undefined && p.line !== (s.plant?.controllerLines[controllerId] ?? '')
      ? [{ kind: 'line' as const, controllerId, line: p.line }]
      : []),
    ...(p.safety !== undefined && p.safety !== (s.plant?.safetyControllers.includes(controllerId) ?? false)
      ? [{ kind: 'safety' as const, controllerId, safety: p.safety }]
      : []),
  ]);
  async function save(e: React.FormEvent) {
    e.preventDefault();
    let err: ErrorData | null = null;
    for (const edit of edits) {
      const signed = { controllerId: edit.controllerId, reason, employeeId: signer.employeeId, password: signer.password };
      err =
        edit.kind === 'line'
          ? await s.editPlant('controllers.assignLine', { ...signed, lineId: edit.line })
          : await s.editPlant('controllers.setSafety', { ...signed, safety: edit.safety });
      if (err) break;
    }
    if (signer.settle(err, `Saved ${edits.length} change${edits.length === 1 ? '' : 's'}.`)) {
      setPending({});
      setReason('');
    }
  }
  return (
    <section className="panel" aria-label="Controllers on lines">
      <h3>Controllers</h3>
      <table className="events" aria-label="Controllers and their lines">
        <thead>
          <tr>
            <th>Controller</th>
            <th>Address</th>
            <th>Line</th>
            <th>Safety system</th>
          </tr>
        </thead>
        <tbody>
          {s.controllers.map((c) => (
            <tr key={c.id}>
              <td>{c.name}</td>
              <td>{c.description}</td>
              <td>
                <select
                  aria-label={`Line of ${c.name}`}
                  value={lineOf(c.id)}
                  onChange={(e) => setPending({ ...pending, [c.id]: { ...pending[c.id], line: e.target.value } })}
                >
                  <option value="" disabled>
                    (no line)
                  </option>
                  {lines.map((l) => (
                    <option key={l.id} value={l.id}>
                      {l.id} {l.name} (tier {l.tier})
                    </option>
                  ))}
                </select>
              </td>
              <td>
                <label className="inline">
                  <input
                    type="checkbox"
                    aria-label={`${c.name} is a safety system`}
                    checked={safetyOf(c.id)}
                    onChange={(e) => setPending({ ...pending, [c.id]: { ...pending[c.id], safety: e.target.checked } })}
                  />{' '}
                  every change escalates like a safety tag
                </label>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {edits.length > 0 && (
        <form className="form" aria-label="Sign the controller changes" onSubmit={(e) => void save(e)}>
          <p className="wide">
            {edits.length} unsaved change{edits.length === 1 ? '' : 's'}: a controller&apos;s line sets the approvals of every change to it,
            so plant engineering signs each one.
          </p>
          <label className="wide">
            Reason{' '}
            <input value={reason} onChange={(e) => setReason(e.target.value)} placeholder="e.g. filler moved to line 7 in the retrofit" />
          </label>
          <SignerFields label="Signed by" {...signer} rule={PLANT_ENGINEERING_RULE} />
          <div className="actions">
            <button type="submit" className="primary" disabled={!signer.employeeId || !signer.password}>
              Sign and save
            </button>
            <button type="button" onClick={() => setPending({})}>
              Discard
            </button>
          </div>
          <Outcome error={signer.error} done="" />
        </form>
      )}
      {signer.done && (
        <p className="ok-text" role="status">
          {signer.done}
        </p>
      )}
    </section>
  );
}

/** The plant model: sites and lines with their tiers (set by plant engineering), and which line each controller is on. */
export function PlantView() {
  const s = useAppStore(useShallow((st) => ({ plant: st.plant, load: st.loadChanges, loadPeople: st.loadPeople })));
  const [editing, setEditing] = useState<{ line: PlantLine | null } | null>(null);
  const { load, loadPeople } = s;
  useEffect(() => {
    void load();
    void loadPeople();
  }, [load, loadPeople]);
  const lines = s.plant?.lines ?? [];
  const sites = s.plant?.sites ?? [];
  const siteName = (id: string) => sites.find((x) => x.id === id)?.name ?? id;
  return (
    <section>
      <div className="view-head">
        <div>
          <h1>Plant</h1>
          <p className="muted">
            Sites, lines and their tiers (set by plant engineering) decide notice, approval depth and staging for every change to their
            controllers. Each edit is signed and kept in the journal.
          </p>
        </div>
      </div>
      <ImportPanel />
      <PolicyPanel />
      <ChecklistsPanel />
      <Placements />
      <div className="view-head" style={{ marginTop: '1.5rem' }}>
        <h3>
          Lines ({lines.length}){sites.length > 0 && <> on {sites.length === 1 ? sites[0]!.name : `${sites.length} sites`}</>}
        </h3>
        {sites.length > 0 && (
          <button type="button" data-write onClick={() => setEditing({ line: null })}>
            Add a line…
          </button>
        )}
      </div>
      {editing && <LineEditor key={editing.line?.id ?? '(new)'} line={editing.line} onDone={() => setEditing(null)} />}
      {lines.length === 0 ? (
        <p className="muted">No plant model yet: import a plant file (resources/plant/demo-plant.yaml is the 24-line packaging plant).</p>
      ) : (
        <table className="events" aria-label="Lines">
          <thead>
            <tr>
              <th>Line</th>
              <th>Name</th>
              <th>Site</th>
              <th>Tier</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {lines.map((l) => (
              <tr key={l.id} data-line={l.id}>
                <td>{l.id}</td>
                <td>{l.name}</td>
                <td>{siteName(l.site)}</td>
                <td>{l.tier}</td>
                <td>
                  <button
                    type="button"
                    data-write
                    aria-label={`Edit line ${l.id}`}
                    onClick={() => setEditing({ line: { ...l, tier: l.tier as 1 | 2 | 3 } })}
                  >
                    Edit…
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {sites.length > 0 && (
        <>
          <h3>Sites ({sites.length})</h3>
          <table className="events" aria-label="Sites">
            <thead>
              <tr>
                <th>Site</th>
                <th>Name</th>
                <th>Lines</th>
              </tr>
            </thead>
            <tbody>
              {sites.map((x) => (
                <tr key={x.id}>
                  <td>{x.id}</td>
                  <td>{x.name}</td>
                  <td>{lines.filter((l) => l.site === x.id).length}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <SiteEditor />
        </>
      )}
    </section>
  );
}
