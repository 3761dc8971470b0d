import { useShallow } from 'zustand/react/shallow';
import { useAppStore } from '../../state/app-store.ts';
import { ConnectivityIndicator } from '../../components/connectivity-indicator.tsx';
import { ErrorPanel } from '../../components/error-panel.tsx';
import { AuditView } from '../audit/audit-view.tsx';

/** The navigation frame: product bar with connectivity and device, navigation, and the current screen. */
export function AppShell() {
  const { connection, info, connectivity } = useAppStore(useShallow((s) => ({ connection: s.connection, info: s.info, connectivity: s.connectivity })));
  return (
    <div className="shell">
      <header className="topbar">
        <span className="brand">Baseline</span>
        <span className="topbar-fill" />
        {info && (
          <span className="device" title={`Device ${info.deviceId}\nData directory ${info.home}\nKey protection: ${info.keyProtection}`}>
            {info.deviceName} · {info.transport === 'web' ? 'web host' : info.transport} · v{info.appVersion}
          </span>
        )}
        <ConnectivityIndicator connectivity={connectivity} />
      </header>
      <div className="body">
        <nav className="sidenav" aria-label="Screens">
          <a className="nav-item active" aria-current="page" href="#audit">Audit trail</a>
        </nav>
        <main className="content">
          {connection.state === 'connecting' && <p className="muted">Connecting to Baseline…</p>}
          {connection.state === 'failed' && <ErrorPanel title="Cannot reach Baseline" error={connection.error} />}
          {connection.state === 'lost' && (
            <ErrorPanel title="Connection lost" error={{ code: 'disconnected', message: 'The connection to the Baseline host was lost.', hint: 'Restart `npm run web` (or the app) and open its new URL.' }} />
          )}
          {connection.state === 'ready' && <AuditView />}
        </main>
      </div>
    </div>
  );
}
