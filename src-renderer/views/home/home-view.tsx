/** The Get started screen: the first-run checklist ("Set up my plant") and the way into the demo plant. */
import { useShallow } from 'zustand/react/shallow';
import { useAppStore } from '../../state/app-store.ts';
import { ErrorPanel } from '../../components/error-panel.tsx';

/**
 * The first screen of a data directory that is not set up yet: explore the demo plant, or set up your own with the
 * checklist (each step links to its screen and is ticked from what the data directory holds).
 */
export function HomeView() {
  const s = useAppStore(
    useShallow((st) => ({
      setup: st.setup,
      error: st.setupError,
      exploring: st.exploring,
      explore: st.exploreDemo,
      go: st.go,
      info: st.info,
    })),
  );
  const untouched = s.setup !== null && s.setup.steps.every((x) => !x.done);
  const done = s.setup?.steps.filter((x) => x.done).length ?? 0;
  return (
    <section aria-label="Get started">
      <div className="view-head">
        <div>
          <h1>Welcome to Baseline</h1>
          <p className="muted">
            Offline change control for PLCs: signed snapshots, approvals, go/no-go checkpoints at the cabinet, and a journal auditors can
            verify.
          </p>
        </div>
      </div>
      {s.error && <ErrorPanel title="That did not work" error={s.error} />}
      <div className="start-choices">
        {untouched && (
          <section className="panel start-choice" aria-label="Explore the demo plant">
            <h2>Explore the demo plant</h2>
            <p>
              A packaging plant of 24 lines with its people, three simulated controllers (Modbus TCP, S7, Logix) and a few months of
              changes. Walk a change from request to new baseline in a few minutes. It lives in a throw-away data directory marked DEMO;
              your own data directory stays as it is.
            </p>
            <button type="button" data-write className="primary" disabled={s.exploring} onClick={() => void s.explore()}>
              {s.exploring ? 'Building the demo plant… (about 20 seconds)' : 'Explore the demo plant'}
            </button>
          </section>
        )}
        <section className="panel start-choice" aria-label="Set up my plant">
          <h2>Set up my plant</h2>
          <p className="muted">
            {done} of {s.setup?.steps.length ?? 6} steps done. Each step opens its screen; it is ticked as soon as this data directory holds
            it.
          </p>
          <ol className="checklist">
            {(s.setup?.steps ?? []).map((step) => (
              <li key={step.id} className={step.done ? 'done' : ''} data-testid="setup-step" data-done={step.done ? 'yes' : 'no'}>
                <span className="tick" aria-label={step.done ? 'done' : 'to do'}>
                  {step.done ? '✓' : ''}
                </span>
                <span className="step-text">
                  <button type="button" className="link" onClick={() => s.go(step.view)}>
                    {step.label}
                  </button>
                  <span className="muted"> {step.detail}</span>
                </span>
              </li>
            ))}
          </ol>
          {s.setup?.complete && (
            <p className="ok-text" role="status">
              Your plant is set up. File your first change on the Changes screen.
            </p>
          )}
        </section>
      </div>
      {s.info && (
        <p className="muted">
          Data directory: <code>{s.info.home}</code>
        </p>
      )}
    </section>
  );
}
