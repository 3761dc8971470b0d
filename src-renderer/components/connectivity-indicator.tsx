/** The online/offline indicator of the top bar (generic: it is given the connectivity, it reads no store). */
import type { Connectivity } from '../../src-shared/common/api/contract.ts';

const LABEL: Record<Connectivity['state'], string> = {
  online: 'Online',
  offline: 'Offline',
  'not-configured': 'Offline (no sync server)',
};

/** Online/offline as the main process reports it. */
export function ConnectivityIndicator({ connectivity }: { connectivity: Connectivity | null }) {
  const state = connectivity?.state ?? 'offline';
  return (
    <span className={`connectivity connectivity-${state}`} data-testid="connectivity" data-state={state} title={connectivity?.detail ?? ''}>
      <span className="dot" aria-hidden="true" />
      {connectivity ? LABEL[state] : 'Checking…'}
    </span>
  );
}
