/** Handlers of the change screen's captures: start, cancel, list, and sign and record a complete one. */
import type { BaselineApp } from '../baseline-app.ts';
import type { DomainHandlers } from './handler-types.ts';
import type { CHANGE_CAPTURE_OPERATIONS } from '../../../src-shared/common/api/change-capture-contract.ts';

/** The change capture handlers. */
export function changeCaptureHandlers(app: BaselineApp): DomainHandlers<typeof CHANGE_CAPTURE_OPERATIONS> {
  return {
    'changeCaptures.start': (req) => app.changeCaptures.start(req.changeId, req.controllerId, req.phase, app.actor()),
    'changeCaptures.cancel': (req) => ({ cancelled: app.changeCaptures.cancel(req.captureId) }),
    'changeCaptures.list': (req) => ({ captures: app.changeCaptures.list(req.changeId) }),
    'changeCaptures.record': (req) =>
      app.changeCaptures.record(req.changeId, req.captureSha256, req.employeeId, req.password, app.identity.signingActor(req.employeeId)),
  };
}
