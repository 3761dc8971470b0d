/** The "Export evidence pack" button of a change: the host writes the pack and the browser saves it. */
import { useState } from 'react';
import { errorOf, useAppStore } from '../../state/app-store.ts';
import { ErrorPanel } from '../../components/error-panel.tsx';
import type { ErrorData } from '../../../src-shared/common/errors.ts';

/** Base64 text as bytes. */
function bytesOf(base64: string): Uint8Array<ArrayBuffer> {
  const text = atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

/** "Export evidence pack": the host writes the change's pack (as `baseline evidence export` does) and the browser saves it. */
export function ExportPackButton({ changeId }: { changeId: string }) {
  const api = useAppStore((s) => s.api);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorData | null>(null);
  const [done, setDone] = useState<string | null>(null);

  async function exportPack() {
    if (!api) return;
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      const pack = await api.invoke('evidence.export', { changeId });
      const url = URL.createObjectURL(new Blob([bytesOf(pack.zipBase64)], { type: 'application/zip' }));
      const a = document.createElement('a');
      a.href = url;
      a.download = pack.fileName;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      setDone(`${pack.fileName}: ${pack.members} members; manifest.json SHA-256 ${pack.manifestSha256}`);
    } catch (err) {
      setError(errorOf(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="export-pack">
      <button type="button" onClick={() => void exportPack()} disabled={busy}>{busy ? 'Exporting…' : 'Export evidence pack'}</button>
      {done && <span className="muted" data-testid="export-pack-result"> Saved {done}</span>}
      {error && <ErrorPanel error={error} title="The evidence pack could not be exported" />}
    </div>
  );
}
