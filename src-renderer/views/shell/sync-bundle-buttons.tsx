/**
 * Sync by file, next to "Sync now" (air-gapped plants): "Export bundle" saves this laptop's unacknowledged events and
 * content as an encrypted bundle to carry to the server on removable media; "Import from server" reads what the
 * server gave back (its acknowledgement, or a bundle with approvals, people and plant). The last evidence backup
 * and what is not yet backed up are shown in the tooltip.
 */
import { useEffect, useState } from 'react';
import { flushSync } from 'react-dom';
import { useAppStore } from '../../state/app-store.ts';
import { ErrorPanel } from '../../components/error-panel.tsx';
import { saveDownload } from '../../components/file-transfer.ts';
import { BackupFolderPanel } from './backup-folder-panel.tsx';
import { importFromServer, useFileAction } from './use-file-action.ts';

type Backup = {
  folder: string | null;
  lastBackupAt: string | null;
  notBackedUp: number;
  lastError: { message: string; hint: string } | null;
};

/** The two file buttons and their outcome. */
export function SyncBundleButtons({ waiting }: { waiting: number }) {
  const api = useAppStore((s) => s.api);
  const [backup, setBackup] = useState<Backup | null>(null);
  const [progress, setProgress] = useState<{ done: number; total: number; detail: string } | null>(null);
  const [showBackup, setShowBackup] = useState(false);
  const { busy, done, error, input, run, clear } = useFileAction<'export' | 'import'>(() => setProgress(null));

  // Progress pushed by the main process while a bundle is written or imported.
  useEffect(() => {
    if (!api) return undefined;
    // Rendered at once (not batched with the answer that may follow in the next message), so every step shows.
    return api.on('sync.bundle.progress', (p) => flushSync(() => setProgress({ done: p.done, total: p.total, detail: p.detail })));
  }, [api]);

  useEffect(() => {
    if (!api) return;
    void api.invoke('sync.backup.status', {}).then(setBackup, () => undefined);
  }, [api, waiting, done]);

  const exportBundle = () =>
    api &&
    run('export', async () => {
      setProgress(null);
      const r = await api.invoke('sync.bundle.export', {});
      saveDownload(r.bundleBase64, r.fileName);
      return `Saved ${r.fileName}: ${r.events} events and ${r.blobs} content files, encrypted to the server. Carry it to the server (baseline server import) and bring back the .ack file.`;
    });
  const importFile = (file: File) =>
    api &&
    run('import', () => {
      setProgress(null);
      return importFromServer(api, file);
    });

  const backupWords = !backup?.folder
    ? 'Evidence backup is off.'
    : backup.lastError
      ? `Evidence backup failed: ${backup.lastError.message} ${backup.lastError.hint}`
      : `Last evidence backup ${backup.lastBackupAt ?? 'never'}; ${backup.notBackedUp} events not yet backed up.`;
  return (
    <span className="sync-bundles" data-testid="sync-bundles" title={backupWords}>
      <button type="button" onClick={() => void exportBundle()} disabled={busy !== null}>
        {busy === 'export' ? 'Writing bundle…' : 'Export bundle'}
      </button>
      <label className="button-like">
        {busy === 'import' ? 'Importing…' : 'Import from server'}
        <input
          ref={input}
          type="file"
          className="sync-bundle-input"
          data-testid="sync-bundle-file"
          accept=".baseline-bundle,.ack"
          disabled={busy !== null}
          onChange={(e) => {
            const f = e.target.files?.[0];
            if (f) void importFile(f);
          }}
        />
      </label>
      {busy !== null && (
        <span
          className="sync-bundle-progress"
          data-testid="sync-bundle-progress"
          role="progressbar"
          aria-label={busy === 'export' ? 'Writing bundle' : 'Importing'}
          aria-valuemin={0}
          aria-valuemax={progress?.total ?? 1}
          aria-valuenow={progress?.done ?? 0}
        >
          <progress max={progress?.total ?? 1} value={progress?.done ?? 0} />
          <span>{progress ? `${progress.done} of ${progress.total}${progress.detail ? ` · ${progress.detail}` : ''}` : 'starting…'}</span>
        </span>
      )}
      <button type="button" onClick={() => setShowBackup((v) => !v)} aria-expanded={showBackup}>
        Evidence backup…
      </button>
      {backup?.lastError && (
        <span className="sync-conflicts" data-testid="backup-failed">
          Backup failed
        </span>
      )}
      {showBackup && <BackupFolderPanel onClose={() => setShowBackup(false)} onChanged={(b) => setBackup(b)} />}
      {(done || error) && (
        <span className="sync-bundle-outcome">
          {done && (
            <span role="status" data-testid="sync-bundle-result">
              {done}
            </span>
          )}
          {error && <ErrorPanel error={error} title="Sync by file did not go through" />}
          <button type="button" className="link" onClick={clear}>
            Close
          </button>
        </span>
      )}
    </span>
  );
}
