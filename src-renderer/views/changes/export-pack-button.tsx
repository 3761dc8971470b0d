/** The "Export evidence pack" button of a change: the host writes the pack and the browser saves it. */
import { useState } from 'react';
import { errorOf, useAppStore } from '../../state/app-store.ts';
import { ErrorPanel } from '../../components/error-panel.tsx';
import { saveDownload } from '../../components/file-transfer.ts';
import type { ErrorData } from '../../../src-shared/common/errors.ts';

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
      saveDownload(pack.zipBase64, pack.fileName, 'application/zip');
      setDone(`${pack.fileName}: ${pack.members} members; manifest.json SHA-256 ${pack.manifestSha256}`);
    } catch (err) {
      setError(errorOf(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="export-pack">
      <button type="button" data-write onClick={() => void exportPack()} disabled={busy}>
        {busy ? 'Exporting…' : 'Export evidence pack'}
      </button>
      {done && (
        <span className="muted" data-testid="export-pack-result">
          {' '}
          Saved {done}
        </span>
      )}
      {error && <ErrorPanel error={error} title="The evidence pack could not be exported" />}
    </div>
  );
}
