/**
 * Enrolment by file, in the top bar of a laptop not enrolled with a server (a plant with no network path to the
 * server ever): the one-time code and the plant CA fingerprint the administrator gave, "Write request" saves the
 * request to carry to the server (`baseline server enrol-file`), and "Import response" reads the answer it wrote.
 */
import { useState } from 'react';
import { useAppStore } from '../../state/app-store.ts';
import { ErrorPanel } from '../../components/error-panel.tsx';
import { saveDownload } from '../../components/file-transfer.ts';
import { importFromServer, useFileAction } from './use-file-action.ts';

/** The "Enrol by file" button and its form. */
export function EnrolByFile() {
  const api = useAppStore((s) => s.api);
  const [open, setOpen] = useState(false);
  const [code, setCode] = useState('');
  const [fingerprint, setFingerprint] = useState('');
  const { busy, done, error, input, run } = useFileAction<'request' | 'import'>();

  const writeRequest = () =>
    api &&
    run('request', async () => {
      const r = await api.invoke('sync.enrolFile.request', { code, caFingerprint: fingerprint.trim() === '' ? null : fingerprint });
      saveDownload(r.requestBase64, r.fileName);
      return `Saved ${r.fileName}. Carry it to the server (baseline server enrol-file), then import the response it writes.`;
    });
  const importResponse = (file: File) => api && run('import', () => importFromServer(api, file));

  return (
    <span className="sync-bundles" data-testid="enrol-by-file">
      <button type="button" onClick={() => setOpen((v) => !v)} aria-expanded={open}>
        Enrol by file…
      </button>
      {open && (
        <div className="backup-panel" role="dialog" aria-label="Enrol by file">
          <h3>Enrol with the plant&apos;s server by file</h3>
          <p className="muted">
            For a laptop with no network path to the server. Type the one-time code and the plant CA fingerprint the administrator gave you
            (baseline server enrol-code).
          </p>
          <form
            onSubmit={(e) => {
              e.preventDefault();
              void writeRequest();
            }}
          >
            <label>
              One-time code
              <input
                type="text"
                value={code}
                onChange={(e) => setCode(e.target.value)}
                spellCheck={false}
                autoComplete="off"
                data-testid="enrol-code"
              />
            </label>
            <label>
              Plant CA fingerprint (SHA-256)
              <input
                type="text"
                value={fingerprint}
                onChange={(e) => setFingerprint(e.target.value)}
                spellCheck={false}
                data-testid="enrol-fingerprint"
              />
            </label>
            <div className="backup-actions">
              <button type="submit" disabled={code.trim() === ''}>
                Write request
              </button>
              <label className="button-like">
                {busy === 'import' ? 'Importing…' : 'Import response'}
                <input
                  ref={input}
                  type="file"
                  className="sync-bundle-input"
                  data-testid="enrol-response-file"
                  disabled={busy !== null}
                  onChange={(e) => {
                    const f = e.target.files?.[0];
                    if (f) void importResponse(f);
                  }}
                />
              </label>
              <button type="button" className="link" onClick={() => setOpen(false)}>
                Close
              </button>
            </div>
          </form>
          {done && (
            <p role="status" data-testid="enrol-result">
              {done}
            </p>
          )}
          {error && <ErrorPanel error={error} title="Enrolment by file did not go through" />}
        </div>
      )}
    </span>
  );
}
