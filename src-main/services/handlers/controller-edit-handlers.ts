/** Editing and retiring controllers, signed by plant engineering. */
import type { CONTROLLER_EDIT_OPERATIONS } from '../../../src-shared/common/api/controller-edit-contract.ts';
import type { BaselineApp } from '../baseline-app.ts';
import type { DomainHandlers } from './handler-types.ts';

/** Handlers of the controller edit operations. */
export function controllerEditHandlers(app: BaselineApp): DomainHandlers<typeof CONTROLLER_EDIT_OPERATIONS> {
  return {
    'controllers.edit': (req) => {
      const { controllerId, reason, employeeId, password, name, target, profileSha256 } = req;
      app.controllerEdits.edit(
        controllerId,
        {
          ...(name !== undefined ? { name } : {}),
          ...(target !== undefined ? { target } : {}),
          ...(profileSha256 !== undefined ? { profileSha256 } : {}),
        },
        reason,
        { employeeId, password },
      );
      return { ok: true as const };
    },
    'controllers.retire': (req) => {
      app.controllerEdits.retire(req.controllerId, req.reason, { employeeId: req.employeeId, password: req.password });
      return { ok: true as const };
    },
  };
}
