/** "Capture all controllers of this line". */
import type { LINE_CAPTURE_OPERATIONS } from '../../../src-shared/common/api/line-capture-contract.ts';
import type { BaselineApp } from '../baseline-app.ts';
import type { DomainHandlers } from './handler-types.ts';

/** Handlers of the line capture operations. */
export function lineCaptureHandlers(app: BaselineApp): DomainHandlers<typeof LINE_CAPTURE_OPERATIONS> {
  return {
    'capture.line': (req) => app.lineCaptures.captureLine(req.lineId, app.actor()),
    'capture.lineCancel': (req) => ({ cancelled: app.lineCaptures.cancel(req.lineId) }),
  };
}
