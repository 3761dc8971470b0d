/** Change requests: the register, the live evaluation, the detail, every signed action, restores. */
import type { CHANGE_OPERATIONS } from '../../../src-shared/common/api/change-contract.ts';
import type { BaselineApp } from '../baseline-app.ts';
import type { DomainHandlers } from './handler-types.ts';

/** Handlers of the change operations. */
export function changeHandlers(app: BaselineApp): DomainHandlers<typeof CHANGE_OPERATIONS> {
  return {
    'changes.list': () => ({ changes: app.changes.list() }),
    'changes.evaluate': (req) => app.changes.evaluate(req.fields),
    'changes.create': (req) => ({ id: app.changes.create(req.requesterId, req.fields, app.actor()).id }),
    'changes.edit': (req) => ({ status: app.changes.edit(req.id, req.employeeId, req.fields, app.actor()).status }),
    'changes.get': (req) => app.changeViews.detail(req.id),
    'changes.act': (req) => ({
      status: app.changes.act(req.id, req.employeeId, req.password, req.action, app.identity.signingActor(req.employeeId)).status,
    }),
    'changes.windows': () => ({ windows: app.changes.requestedWindows() }),
    'changes.approveBaseline': (req) =>
      app.changes.approveAfterAsBaseline(
        req.changeId,
        req.controllerId,
        req.employeeId,
        req.password,
        app.identity.signingActor(req.employeeId),
      ),
    'restore.preview': (req) => app.changeRestores.preview(req.changeId, req.controllerId, app.actor()),
    'restore.authorize': (req) => ({
      decisionId: app.changeRestores.authorize(
        req.changeId,
        req.controllerId,
        req.writes,
        req.reason,
        req.employeeId,
        req.password,
        app.identity.signingActor(req.employeeId),
      ),
    }),
    'restore.run': (req) =>
      app.changeRestores.run(
        req.changeId,
        req.controllerId,
        req.writes,
        req.decisionId,
        req.confirmation,
        app.actor(),
        req.previewCaptureSha256,
      ),
  };
}
