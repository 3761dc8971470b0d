/**
 * The demo plant's operations: its people and passwords, leaving an empty data directory for the demo, and setting
 * a change's proposed values on its simulated controller. Each refuses outside the demo by name.
 */
import { BaselineError } from '../../src-shared/common/errors.ts';
import type { BaselineApp } from './baseline-app.ts';
import { DEMO_CA, DEMO_PEOPLE } from './demo-plant.ts';
import type { DemoHost } from './handlers/handler-types.ts';
import { setupChecklist } from './setup-checklist.ts';

function demoOnly(app: BaselineApp, what: string): void {
  if (!app.isDemo())
    throw new BaselineError(
      'not-demo',
      `${what} exists only in the demo plant.`,
      'Open the demo plant ("Explore the demo plant" on the first screen, or `baseline web --demo`).',
    );
}

/** The demo people and their demo passwords (a demo data directory only). */
export function demoPeople(app: BaselineApp): {
  caPassword: string;
  people: { name: string; employeeId: string; roles: string[]; password: string }[];
} {
  demoOnly(app, 'The list of demo passwords');
  return { caPassword: DEMO_CA.password, people: DEMO_PEOPLE.map((p) => ({ ...p, roles: [...p.roles] })) };
}

/** Leaves this (empty) data directory for a throw-away demo plant, when the host can. */
export function exploreDemo(app: BaselineApp, host: DemoHost | null): Promise<{ home: string }> {
  if (!host) {
    throw new BaselineError(
      'demo-explore-unavailable',
      'This program cannot switch to the demo plant.',
      'Start the demo on its own: `npm start -- --demo` or `baseline web --demo`.',
    );
  }
  if (app.isDemo())
    throw new BaselineError('demo-already', 'This is the demo plant already.', 'Walk a change: Changes, then "New change request".');
  if (!setupChecklist(app).steps.every((s) => !s.done)) {
    throw new BaselineError(
      'demo-not-empty-home',
      'This data directory already holds your plant, so Baseline does not leave it for the demo here.',
      'Run the demo on its own (`baseline web --demo`); it uses a throw-away data directory.',
    );
  }
  return host.explore();
}

/** Sets the change's proposed values on its simulated controller, as the engineer's download would (demo only). */
export function applyProposedOnDemo(app: BaselineApp, host: DemoHost | null, changeId: string): { controller: string; tags: string[] } {
  demoOnly(app, 'Setting values on a simulated controller');
  const sims = host?.simulators() ?? null;
  if (!sims)
    throw new BaselineError(
      'demo-simulators-stopped',
      "The demo's simulated controllers are not running in this program.",
      'Serve the demo with `baseline web --home DIR` or `baseline web --demo`.',
    );
  const pc = app.changes.get(changeId).fields.proposedChange;
  if (pc?.kind !== 'diff' || pc.changes.length === 0) {
    throw new BaselineError(
      'demo-no-proposed-diff',
      'This change proposes no tag values to set.',
      'Give the change a proposed diff (tag, from, to).',
    );
  }
  const controller = app.controllers.get(pc.controllerId).name;
  sims.write(controller, Object.fromEntries(pc.changes.map((c) => [c.tag, c.to])));
  return { controller, tags: pc.changes.map((c) => c.tag) };
}
