/** People: enrolled certificates, the plant CA, the roster, revocation. */
import type { PEOPLE_OPERATIONS } from '../../../src-shared/common/api/people-contract.ts';
import type { BaselineApp } from '../baseline-app.ts';
import { peopleView } from '../people-view.ts';
import type { DomainHandlers } from './handler-types.ts';

const OK = { ok: true as const };

/** Handlers of the people operations. */
export function peopleHandlers(app: BaselineApp): DomainHandlers<typeof PEOPLE_OPERATIONS> {
  return {
    'people.list': () => peopleView(app),
    'people.importRoster': (req) => ({
      people: app.plantModel.importRoster(req.text, req.source, { employeeId: req.employeeId, password: req.password }).length,
    }),
    'people.setRosterEntry': (req) => (
      app.plantModel.setRosterEntry(req.entry, req.reason, { employeeId: req.employeeId, password: req.password }),
      OK
    ),
    'people.revoke': (req) => (app.identity.revokeWithCa(req.employeeId, req.reason, req.caPassword, app.actor()), OK),
    'people.createCa': (req) => ({ fingerprint: app.identity.createCa(req.name, req.caPassword, app.actor()).fingerprint }),
    'people.enrol': (req) =>
      app.identity.enrolView(
        { name: req.name, employeeId: req.employeeId, roles: req.roles, password: req.password },
        req.caPassword,
        app.actor(),
      ),
  };
}
