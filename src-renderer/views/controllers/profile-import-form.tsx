import { useState } from 'react';
import { useAppStore } from '../../state/app-store.ts';

/** Imports a capture profile CSV (tag,address,type,class,safety,writable,description). */
export function ProfileImportForm({ onDone }: { onDone: () => void }) {
  const importProfile = useAppStore((s) => s.importProfile);
  const [protocol, setProtocol] = useState<'modbus' | 's7' | 'logix'>('modbus');
  const [file, setFile] = useState<File | null>(null);
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    if (!file) return;
    setBusy(true);
    const csv = await file.text();
    const profile = await importProfile({ name: name.trim() || file.name, protocol, csv });
    setBusy(false);
    if (profile) onDone();
  }

  return (
    <form className="panel form" onSubmit={(e) => void submit(e)} aria-label="Import capture profile">
      <h3>Import capture profile</h3>
      <p className="muted">A CSV file with the header <code>tag,address,type,class,safety,writable,description</code>; only tag, address and type are required.</p>
      <label>Protocol
        <select value={protocol} onChange={(e) => setProtocol(e.target.value as typeof protocol)}>
          <option value="modbus">Modbus</option><option value="s7">Siemens S7</option><option value="logix">Allen-Bradley Logix</option>
        </select>
      </label>
      <label>File <input type="file" accept=".csv,text/csv" onChange={(e) => setFile(e.target.files?.[0] ?? null)} /></label>
      <label>Name <input value={name} placeholder={file?.name ?? 'e.g. Line 1 press'} onChange={(e) => setName(e.target.value)} /></label>
      <div className="actions">
        <button type="submit" className="primary" disabled={!file || busy}>{busy ? 'Importing…' : 'Import'}</button>
        <button type="button" onClick={onDone}>Cancel</button>
      </div>
    </form>
  );
}
