/**
 * The operations the central view serves (issue #13, "Central view"): those that only read. Everything else
 * records, signs or touches a controller, which happens on a laptop; the central view refuses it by name.
 */
import type { OperationName } from './contract.ts';

/** Operations that read and never append to the journal, write a file or reach a controller. */
export const READ_ONLY_OPERATIONS: ReadonlySet<OperationName> = new Set<OperationName>([
  'app.info',
  'connectivity.get',
  'sync.status',
  'sync.clockFlags',
  'setup.status',
  'journal.list',
  'profiles.list',
  'profiles.get',
  'controllers.list',
  'controllers.captures',
  'captures.get',
  'captures.diff',
  'snapshots.list',
  'baselines.get',
  'drift.clocks',
  'policy.get',
  'plant.get',
  'people.list',
  'changes.list',
  'changes.get',
  'changes.evaluate',
  'changes.windows',
  'windows.calendar',
  'kpis.report',
  'search.global',
  'controllers.currentValues',
  'journal.search',
  'changeCaptures.list',
  'checklists.get',
  'checklists.forChange',
  'checklists.attachment',
]);
