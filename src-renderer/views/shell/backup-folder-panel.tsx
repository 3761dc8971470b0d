/**
 * Evidence backup settings (next to the sync-by-file buttons): the folder backups are written to (a removable drive),
 * when the last backup was written and how many events are not yet backed up. The main process checks the folder
 * (it exists and can be written) before keeping it. Electron's folder dialog is not used here: the path is typed,
 * which works the same in the desktop app and the browser web host.
 */
import { useEffect, useState } from 'react';
import type { ErrorData } from '../../../src-shared/common/errors.ts';
import type { OperationResponse } from '../../../src-shared/common/api/contract.ts';
import { errorOf, useAppStore } from '../../state/app-store.ts';
import { ErrorPanel } from '../../components/error-panel.tsx';

type BackupStatus = OperationResponse<'sync.backup.status'>;

/** The backup folder form and where backup stands. */
export function BackupFolderPanel({ onClose, onChanged }: { onClose: () => void; onChanged: (s: BackupStatus) => void }) {
  const api = useAppStore((s) => s.api);
  const [status, setStatus] = useState<BackupStatus | null>(null);
  const [folder, setFolder] = useState('');
  const [error, setError] = useState<ErrorData | null>(null);
  const [saved, setSaved] = useState<string | null>(null);

  useEffect(() => {
    if (!api) return undefined;
    let live = true;
    const load = () =>
      void api.invoke('sync.backup.status', {}).then(
        (s) => {
          if (!live) return;
          setStatus(s);
          setFolder((f) => (f === '' ? (s.folder ?? '') : f));
        },
        (err: unknown) => setError(errorOf(err)),
      );
    load();
    const off = api.on('sync.status', load);
    return () => {
      live = false;
      off();
    };
  }, [api]);

  async function save(next: string | null) {
    if (!api) return;
    setError(null);
    setSaved(null);
    try {
      const s = await api.invoke('sync.backup.setFolder', { folder: next });
      setStatus(s);
      onChanged(s);
      setSaved(s.folder ? `Evidence backups now go to ${s.folder}.` : 'Evidence backup is off.');
    } catch (err) {
      setError(errorOf(err));
    }
  }

  return (
    <div className="backup-panel" role="dialog" aria-label="Evidence backup" data-testid="backup-panel">
      <h3>Evidence backup</h3>
      <p className="muted">
        A second, encrypted copy of unsynced evidence is written to this folder at every checkpoint signature and at the end of every
        change, so it exists before the laptop leaves the cabinet.
      </p>
      <dl className="backup-facts">
        <dt>Folder</dt>
        <dd data-testid="backup-folder">{status?.folder ?? 'off'}</dd>
        <dt>Last backup</dt>
        <dd data-testid="backup-last">{status?.lastBackupAt ? new Date(status.lastBackupAt).toLocaleString() : 'never'}</dd>
        <dt>Not yet backed up</dt>
        <dd data-testid="backup-pending">{status ? `${status.notBackedUp} event${status.notBackedUp === 1 ? '' : 's'}` : '…'}</dd>
        {status?.lastError && (
          <>
            <dt>Last attempt</dt>
            <dd className="error-text" data-testid="backup-error">
              {status.lastError.message} {status.lastError.hint}
            </dd>
          </>
        )}
      </dl>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void save(folder.trim() === '' ? null : folder.trim());
        }}
      >
        <label>
          Folder on the removable drive (full path)
          <input
            type="text"
            value={folder}
            onChange={(e) => setFolder(e.target.value)}
            placeholder="/media/usb-backup"
            spellCheck={false}
            data-testid="backup-folder-input"
          />
        </label>
        <div className="backup-actions">
          <button type="submit" disabled={folder.trim() === ''}>
            Use this folder
          </button>
          <button type="button" onClick={() => void save(null)} disabled={!status?.folder}>
            Turn off
          </button>
          <button type="button" className="link" onClick={onClose}>
            Close
          </button>
        </div>
      </form>
      {saved && (
        <p role="status" data-testid="backup-saved">
          {saved}
        </p>
      )}
      {error && <ErrorPanel error={error} title="The backup folder was not changed" />}
    </div>
  );
}
