/** The app's own operations: facts about this instance, connectivity, the first-run checklist, the demo plant. */
import type { APP_OPERATIONS } from '../../../src-shared/common/api/app-contract.ts';
import type { BaselineApp } from '../baseline-app.ts';
import { applyProposedOnDemo, demoPeople, exploreDemo } from '../demo-service.ts';
import { setupChecklist } from '../setup-checklist.ts';
import type { DemoHost, DomainHandlers } from './handler-types.ts';

/** Handlers of the app's operations (`host`: the program serving it, when it can switch to the demo plant). */
export function appHandlers(app: BaselineApp, host: DemoHost | null): DomainHandlers<typeof APP_OPERATIONS> {
  return {
    'app.info': () => app.info(),
    'connectivity.get': () => app.connectivity.current(),
    'setup.status': () => setupChecklist(app),
    'demo.people': () => demoPeople(app),
    'demo.explore': () => exploreDemo(app, host),
    'demo.applyProposed': (req) => applyProposedOnDemo(app, host, req.changeId),
  };
}
