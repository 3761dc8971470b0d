/**
 * The header's sync status and "Sync now" (ARCHITECTURE §8): online or offline, events waiting, last success,
 * last error in plain words (in the tooltip and for screen readers), conflicts to resolve.
 */
import { useEffect, useState } from 'react';
import type { SyncStatus } from '../../../src-shared/common/api/contract.ts';
import { syncStatusWords } from '../../../src-shared/common/sync/sync-status-words.ts';
import { useAppStore } from '../../state/app-store.ts';
import { ConnectivityIndicator } from '../../components/connectivity-indicator.tsx';
import { SyncBundleButtons } from './sync-bundle-buttons.tsx';
import { EnrolByFile } from './enrol-by-file.tsx';

const DOT: Record<SyncStatus['state'], string> = {
  'not-enrolled': 'offline',
  idle: 'online',
  syncing: 'online',
  offline: 'offline',
  refused: 'refused',
};

/** Sync status in the top bar; the plain connectivity indicator while the laptop is not enrolled. */
export function SyncStatusBar() {
  const api = useAppStore((s) => s.api);
  const connectivity = useAppStore((s) => s.connectivity);
  const readOnly = useAppStore((s) => Boolean(s.info?.readOnly));
  const centralView = useAppStore((s) => s.info?.centralView ?? false);
  const [status, setStatus] = useState<SyncStatus | null>(null);
  const [asking, setAsking] = useState(false);

  useEffect(() => {
    if (!api) return undefined;
    let live = true;
    void api.invoke('sync.status', {}).then(
      (s) => {
        if (live) setStatus(s);
      },
      () => undefined,
    );
    const off = api.on('sync.status', (s) => setStatus(s));
    return () => {
      live = false;
      off();
    };
  }, [api]);

  if (!status) return <ConnectivityIndicator connectivity={connectivity} />;
  if (status.state === 'not-enrolled') {
    return (
      <span className="sync-status" data-testid="sync-status" data-state={status.state}>
        <ConnectivityIndicator connectivity={connectivity} />
        {!readOnly && <EnrolByFile />}
      </span>
    );
  }
  // Enrolled by file (no server address): no network path, so no "Sync now"; the label says how it syncs.
  const byFile = status.server === null;
  const plain = syncStatusWords(status);
  const words =
    byFile && (status.state === 'offline' || status.state === 'refused')
      ? {
          label: `By file · ${status.waiting > 0 ? `${status.waiting.toLocaleString('en-US')} event${status.waiting === 1 ? '' : 's'} waiting` : 'nothing waiting'}`,
          detail:
            'This laptop was enrolled by file and has no network path to the server: carry bundles (Export bundle, Import from server).',
        }
      : plain;
  const syncNow = () => {
    if (!api) return;
    setAsking(true);
    void api
      .invoke('sync.now', {})
      .then(setStatus, () => undefined)
      .finally(() => setAsking(false));
  };
  return (
    <span className="sync-status" data-testid="sync-status" data-state={status.state}>
      <span className={`connectivity connectivity-${DOT[status.state]}`} title={words.detail}>
        <span className="dot" aria-hidden="true" />
        <span data-testid="sync-label">{words.label}</span>
        <span className="visually-hidden">{words.detail}</span>
      </span>
      {status.conflicts.length > 0 && (
        <span
          className="sync-conflicts"
          data-testid="sync-conflicts"
          title={status.conflicts.map((c) => `${c.message} ${c.hint}`).join('\n')}
        >
          {status.conflicts.length === 1 ? '1 conflict' : `${status.conflicts.length} conflicts`}
        </span>
      )}
      {status.clockFlags.length > 0 && (
        <span className="sync-conflicts" data-testid="sync-clock-flags" title={status.clockFlags.map((f) => f.words).join('\n')}>
          {status.clockFlags.length === 1
            ? `Clock flag: ${status.clockFlags[0]!.deviceName}`
            : `Clock flags: ${status.clockFlags.length} laptops`}
        </span>
      )}
      {!centralView && (
        <>
          {!byFile && (
            <button type="button" className="sync-now" onClick={syncNow} disabled={asking || status.state === 'syncing'}>
              {asking || status.state === 'syncing' ? 'Syncing…' : 'Sync now'}
            </button>
          )}
          <SyncBundleButtons waiting={status.waiting} />
        </>
      )}
    </span>
  );
}
