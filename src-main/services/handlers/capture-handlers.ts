/** Capture profiles, registered controllers, captures and Logix browse. */
import type { CAPTURE_OPERATIONS } from '../../../src-shared/common/api/capture-contract.ts';
import type { BaselineApp } from '../baseline-app.ts';
import type { DomainHandlers } from './handler-types.ts';

/** Handlers of the capture operations. */
export function captureHandlers(app: BaselineApp): DomainHandlers<typeof CAPTURE_OPERATIONS> {
  return {
    'profiles.list': () => ({ profiles: app.profiles.list() }),
    'profiles.import': (req) => app.profiles.import(req.name, req.protocol, req.csv, app.actor()),
    'profiles.get': (req) => app.profiles.view(req.sha256),
    'controllers.setProfile': (req) => app.controllers.setProfile(req.controllerId, req.profileSha256, app.actor()),
    'controllers.list': () => ({ controllers: app.controllers.list() }),
    'controllers.register': (req) => app.controllers.register(req.name, req.target, req.profileSha256, app.actor()),
    'controllers.captures': (req) => ({ captures: app.controllers.captures(req.controllerId) }),
    'controllers.browse': (req) => app.captures.browse(req.target),
    'capture.start': (req) => ({ captureId: app.controllers.startCapture(req.controllerId, app.actor()) }),
    'capture.cancel': (req) => ({ cancelled: app.captures.cancel(req.captureId) }),
    'captures.get': (req) => app.captures.document(req.captureSha256),
    'captures.diff': (req) => app.captures.diff(req.beforeSha256, req.afterSha256, req.force),
  };
}
