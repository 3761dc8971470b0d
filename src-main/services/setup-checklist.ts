/**
 * "Set up my plant": the first-run checklist, each step ticked from what the data directory holds (never from a
 * stored flag), so a step done on any screen, from the CLI or by an import is ticked the same way.
 */
import type { OperationResponse } from '../../src-shared/common/api/contract.ts';
import type { BaselineApp } from './baseline-app.ts';
import { PLANT_ENGINEERING } from './plant-model-service.ts';

/** The checklist as the first screen shows it. */
export function setupChecklist(app: BaselineApp): OperationResponse<'setup.status'> {
  const cas = app.identity.cas();
  const admins = app.identity.people().filter((p) => !p.revoked && p.roles.some((r) => PLANT_ENGINEERING.includes(r)));
  const lines = app.plantModel.lines();
  const roster = app.plantModel.roster();
  const controllers = app.controllers.list();
  const captured = controllers.filter((c) => c.lastCapture !== null);
  // Roles by the names the policy gives them ("Plant engineering manager"), never by their keys.
  const roleNames = PLANT_ENGINEERING.map((r) => app.policy.knownRoles().find((x) => x.id === r)?.label ?? r).join(' or ');
  const steps: OperationResponse<'setup.status'>['steps'] = [
    {
      id: 'ca',
      label: 'Create or import the plant CA',
      view: 'people',
      done: cas.length > 0,
      detail:
        cas.length > 0
          ? `Trusted: ${cas.map((c) => c.name).join(', ')}`
          : 'People screen: create the plant CA here, or import the plant CA certificate.',
    },
    {
      id: 'administrator',
      label: 'Enrol yourself as the first administrator',
      view: 'people',
      done: admins.length > 0,
      detail:
        admins.length > 0
          ? `${admins.map((p) => p.name).join(', ')} (${roleNames})`
          : `People screen: enrol yourself with the role ${roleNames}.`,
    },
    {
      id: 'plant',
      label: 'Import the plant',
      view: 'plant',
      done: lines.length > 0,
      detail: lines.length > 0 ? `${lines.length} lines` : 'Plant screen: import the plant file (YAML) or a CSV of lines.',
    },
    {
      id: 'roster',
      label: 'Import the people roster',
      view: 'people',
      done: roster.length > 0,
      detail:
        roster.length > 0 ? `${roster.length} people on the roster` : 'People screen: import the roster CSV (employee_id,name,roles,site).',
    },
    {
      id: 'controller',
      label: 'Add the first controller',
      view: 'controllers',
      done: controllers.length > 0,
      detail:
        controllers.length > 0
          ? `${controllers.length} controller${controllers.length === 1 ? '' : 's'}`
          : 'Controllers screen: import a capture profile and add the controller with it.',
    },
    {
      id: 'capture',
      label: 'Capture it',
      view: 'controllers',
      done: captured.length > 0,
      detail: captured.length > 0 ? `${captured[0]!.name} captured` : 'Controllers screen: open the controller and press "Capture now".',
    },
  ];
  return { steps, complete: steps.every((s) => s.done) };
}
