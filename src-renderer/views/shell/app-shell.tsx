/** The app shell: top bar (device, connectivity, sync), the screen navigation, and the screen shown. */
import { useShallow } from 'zustand/react/shallow';
import { useAppStore } from '../../state/app-store.ts';
import { SyncStatusBar } from './sync-status.tsx';
import { ErrorPanel } from '../../components/error-panel.tsx';
import { AuditView } from '../audit/audit-view.tsx';
import { ControllersView } from '../controllers/controllers-view.tsx';
import { PeopleView } from '../people/people-view.tsx';
import { ChangesView } from '../changes/changes-view.tsx';
import { WindowsView } from '../windows/windows-view.tsx';
import { PlantView } from '../plant/plant-view.tsx';
import { HomeView } from '../home/home-view.tsx';
import { DemoBanner } from './demo-banner.tsx';
import { KpisView } from '../kpis/kpis-view.tsx';
import { Icon, SCREEN_ICONS } from '../../components/icons.tsx';
import { GlobalSearch } from './global-search.tsx';

/** The navigation frame: product bar with connectivity and device, navigation, and the current screen. */
export function AppShell() {
  const { connection, info, view, go } = useAppStore(
    useShallow((s) => ({
      connection: s.connection,
      info: s.info,
      view: s.view,
      go: s.go,
    })),
  );
  return (
    <div className="shell">
      <header className="topbar">
        <span className="brand">Baseline</span>
        {info?.demo && <span className="badge demo-badge">DEMO</span>}
        {info?.centralView && (
          <span className="badge read-only-badge" data-testid="read-only-badge">
            Central view — read-only
          </span>
        )}
        {connection.state === 'ready' && <GlobalSearch />}
        <span className="topbar-fill" />
        {info && (
          <span className="device" title={`Device ${info.deviceId}\nData directory ${info.home}\nKey protection: ${info.keyProtection}`}>
            {info.deviceName} · {info.transport === 'web' ? 'web host' : info.transport} · v{info.appVersion}
          </span>
        )}
        <SyncStatusBar />
      </header>
      {info?.demo && <DemoBanner />}
      {info?.readOnly && (
        <div className="read-only-banner" role="alert" aria-label="Read-only data directory">
          <strong>READ-ONLY</strong>
          <span>{info.readOnly.message}</span>
          <span className="muted">{info.readOnly.hint}</span>
        </div>
      )}
      <div className={`body${info?.centralView ? ' read-only' : ''}`}>
        <nav className="sidenav" aria-label="Screens">
          {(
            [
              ...(info?.demo || info?.centralView ? [] : (['home'] as const)),
              'controllers',
              'changes',
              'windows',
              'kpis',
              'plant',
              'people',
              'audit',
            ] as const
          ).map((v) => (
            <button
              key={v}
              type="button"
              className={`nav-item ${view === v ? 'active' : ''}`}
              aria-current={view === v ? 'page' : undefined}
              onClick={() => go(v)}
            >
              <Icon of={SCREEN_ICONS[v]} />
              {
                (
                  {
                    home: 'Get started',
                    controllers: 'Controllers',
                    changes: 'Changes',
                    windows: 'Windows',
                    kpis: 'KPIs',
                    plant: 'Plant',
                    people: 'People',
                    audit: 'Audit trail',
                  } as const
                )[v]
              }
            </button>
          ))}
        </nav>
        <main className="content">
          {connection.state === 'connecting' && <p className="muted">Connecting to Baseline…</p>}
          {connection.state === 'failed' && <ErrorPanel title="Cannot reach Baseline" error={connection.error} />}
          {connection.state === 'lost' && <ErrorPanel title="Connection lost" error={connection.error} />}
          {connection.state === 'ready' &&
            (view === 'home' ? (
              <HomeView />
            ) : view === 'audit' ? (
              <AuditView />
            ) : view === 'people' ? (
              <PeopleView />
            ) : view === 'changes' ? (
              <ChangesView />
            ) : view === 'windows' ? (
              <WindowsView />
            ) : view === 'plant' ? (
              <PlantView />
            ) : view === 'kpis' ? (
              <KpisView />
            ) : (
              <ControllersView />
            ))}
        </main>
      </div>
    </div>
  );
}
