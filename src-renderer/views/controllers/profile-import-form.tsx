/** Capture profiles in: importing a profile CSV, or building one by browsing a Logix controller's tags. */
import { useState } from 'react';
import { useAppStore } from '../../state/app-store.ts';
import { ErrorPanel } from '../../components/error-panel.tsx';
import type { ErrorData } from '../../../src-shared/common/errors.ts';
import { formatProfileCsv } from '../../../src-shared/common/profile/profile-csv.ts';
import type { OperationResponse } from '../../../src-shared/common/api/contract.ts';

type Browsed = OperationResponse<'controllers.browse'>;

/** Browse a Logix controller's tag list and make a profile of the chosen tags. */
function BrowseLogix({ onDone }: { onDone: () => void }) {
  const browse = useAppStore((s) => s.browseLogix);
  const importProfile = useAppStore((s) => s.importProfile);
  const [host, setHost] = useState('');
  const [port, setPort] = useState('44818');
  const [slot, setSlot] = useState('0');
  const [name, setName] = useState('');
  const [result, setResult] = useState<Browsed | null>(null);
  const [chosen, setChosen] = useState<Set<string>>(new Set());
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorData | null>(null);

  async function run(e: React.FormEvent) {
    e.preventDefault();
    setBusy(true);
    const r = await browse({ protocol: 'logix', host: host.trim(), port: Number(port), slot: Number(slot) });
    setBusy(false);
    if ('error' in r) {
      setError(r.error);
      return;
    }
    setError(null);
    setResult(r.value);
    setChosen(new Set(r.value.tags.map((t) => t.address)));
  }

  async function create() {
    if (!result) return;
    const rows = result.tags
      .filter((t) => chosen.has(t.address))
      .map((t) => ({ tag: t.address.replace(/^Program:/, '').replace(/[^A-Za-z0-9_]/g, '_'), address: t.address, type: t.type }));
    const r = await importProfile({ name: name.trim() || `${host} tags`, protocol: 'logix', csv: formatProfileCsv(rows) });
    if ('error' in r) setError(r.error);
    else onDone();
  }

  return (
    <div>
      <form className="form" onSubmit={(e) => void run(e)} aria-label="Browse Logix controller">
        <label>
          Address <input required value={host} placeholder="IP address" onChange={(e) => setHost(e.target.value)} />
        </label>
        <label>
          Port <input value={port} inputMode="numeric" onChange={(e) => setPort(e.target.value)} />
        </label>
        <label>
          Slot <input value={slot} inputMode="numeric" onChange={(e) => setSlot(e.target.value)} />
        </label>
        <div className="actions">
          <button type="submit" disabled={busy || !host}>
            {busy ? 'Browsing…' : 'Browse tags'}
          </button>
        </div>
      </form>
      {error && <ErrorPanel error={error} title="That did not work" problemsLabel="Problems in the profile file" />}
      {result && (
        <div className="browse-result">
          <p className="muted">
            {result.tags.length} tags found; {result.skipped.length} skipped (arrays and nested structures: add the elements you need by
            hand).
          </p>
          <ul className="browse-list" aria-label="Browsed tags">
            {result.tags.map((t) => (
              <li key={t.address}>
                <label className="inline">
                  <input
                    type="checkbox"
                    checked={chosen.has(t.address)}
                    onChange={(e) => {
                      const next = new Set(chosen);
                      if (e.target.checked) next.add(t.address);
                      else next.delete(t.address);
                      setChosen(next);
                    }}
                  />
                  <code>{t.address}</code> <span className="muted">{t.type}</span>
                </label>
              </li>
            ))}
          </ul>
          <div className="form">
            <label>
              Profile name <input value={name} placeholder={`${host} tags`} onChange={(e) => setName(e.target.value)} />
            </label>
            <div className="actions">
              <button type="button" className="primary" disabled={chosen.size === 0} onClick={() => void create()}>
                Import {chosen.size} tags as a profile
              </button>
            </div>
          </div>
        </div>
      )}
    </div>
  );
}

/** Imports a capture profile CSV (tag,address,type,class,safety,writable,description), or builds one by browsing a Logix controller. */
export function ProfileImportForm({ onDone }: { onDone: () => void }) {
  const importProfile = useAppStore((s) => s.importProfile);
  const [mode, setMode] = useState<'file' | 'browse'>('file');
  const [protocol, setProtocol] = useState<'modbus' | 's7' | 'logix'>('modbus');
  const [file, setFile] = useState<File | null>(null);
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorData | null>(null);

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    if (!file) return;
    setBusy(true);
    const csv = await file.text();
    const r = await importProfile({ name: name.trim() || file.name, protocol, csv });
    setBusy(false);
    if ('error' in r) setError(r.error);
    else onDone();
  }

  return (
    <section className="panel" aria-label="Capture profile">
      <div className="view-head">
        <h3>Capture profile</h3>
        <div className="actions">
          <button type="button" className={mode === 'file' ? 'primary' : ''} onClick={() => setMode('file')}>
            From a CSV file
          </button>
          <button type="button" className={mode === 'browse' ? 'primary' : ''} onClick={() => setMode('browse')}>
            Browse a Logix controller
          </button>
          <button type="button" onClick={onDone}>
            Close
          </button>
        </div>
      </div>
      {mode === 'browse' ? (
        <BrowseLogix onDone={onDone} />
      ) : (
        <form className="form" onSubmit={(e) => void submit(e)} aria-label="Import capture profile">
          <p className="muted">
            A CSV file with the header <code>tag,address,type,class,safety,writable,description</code>; only tag, address and type are
            required.
          </p>
          <label>
            Protocol
            <select value={protocol} onChange={(e) => setProtocol(e.target.value as typeof protocol)}>
              <option value="modbus">Modbus</option>
              <option value="s7">Siemens S7</option>
              <option value="logix">Allen-Bradley Logix</option>
            </select>
          </label>
          <label>
            File <input type="file" accept=".csv,text/csv" onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
          </label>
          <label>
            Name <input value={name} placeholder={file?.name ?? 'e.g. Line 1 press'} onChange={(e) => setName(e.target.value)} />
          </label>
          {error && (
            <div className="wide">
              <ErrorPanel error={error} title="The profile was not imported" problemsLabel="Problems in the profile file" />
            </div>
          )}
          <div className="actions">
            <button type="submit" className="primary" disabled={!file || busy}>
              {busy ? 'Importing…' : 'Import'}
            </button>
            <button type="button" onClick={onDone}>
              Cancel
            </button>
          </div>
        </form>
      )}
    </section>
  );
}
