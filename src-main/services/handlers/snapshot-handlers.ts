/** Signed snapshots, approved baselines, drift checks and their clocks, unauthorized-change records. */
import type { SNAPSHOT_OPERATIONS } from '../../../src-shared/common/api/snapshot-contract.ts';
import type { BaselineApp } from '../baseline-app.ts';
import type { DomainHandlers } from './handler-types.ts';

/** Handlers of the snapshot and baseline operations. */
export function snapshotHandlers(app: BaselineApp): DomainHandlers<typeof SNAPSHOT_OPERATIONS> {
  return {
    'snapshots.sign': (req) => app.snapshots.signCaptureOf(req.controllerId, req.captureSha256, req.employeeId, req.password),
    'snapshots.list': (req) => ({ snapshots: app.snapshots.list(req.controllerId) }),
    'baselines.get': (req) => app.baselines.view(req.controllerId),
    'baselines.approve': (req) => ({
      version: app.baselines.approve(
        req.controllerId,
        req.snapshotSha256,
        req.employeeId,
        req.password,
        app.identity.signingActor(req.employeeId),
      ).version,
    }),
    'drift.check': (req) => app.baselines.checkDriftView(req.controllerId, app.actor()),
    'drift.clocks': () => app.driftScheduler.clocksView(),
    'unauthorized.close': (req) => ({
      closedAt: app.baselines.closeUnauthorizedChange(
        req.id,
        req.explanation,
        req.employeeId,
        req.password,
        app.identity.signingActor(req.employeeId),
      ).closedAt,
    }),
  };
}
