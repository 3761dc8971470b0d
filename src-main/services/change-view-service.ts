/**
 * The change detail as the screen shows it: the state with its status in words, what may happen next, approval
 * progress, the policy's evaluation (frozen at submit, else live), the proposal as a diff, the target controllers
 * with their snapshots and baselines, the timeline, restores and go/no-go checkpoints.
 */
import type { OperationResponse } from '../../src-shared/common/api/contract.ts';
import { toErrorData } from '../../src-shared/common/errors.ts';
import { approvalProgressOf, statusLabel, type ChangeState } from '../../src-shared/common/workflow/change-state.ts';
import { approvalTimeoutStatus, retrospectiveStatus } from '../../src-shared/common/workflow/change-deadlines.ts';
import { allowedOperations, outstandingApprovals } from '../../src-shared/common/workflow/change-transition.ts';
import { listCalendar, type LineCalendar } from '../../src-shared/common/workflow/change-windows.ts';
import { checkpointProgress, type CheckpointRecord, type CheckpointSet } from '../../src-shared/common/workflow/checkpoints.ts';
import { roleName } from '../../src-shared/common/workflow/policy-schema.ts';
import { CHANGE_FIELD_LABELS } from '../../src-shared/common/workflow/workflow-terms.ts';
import type { BaselineService } from './baseline-service.ts';
import { changeOutcome, type ChangeService } from './change-service.ts';
import type { PlantModelService } from './plant-model-service.ts';
import type { PolicyService } from './policy-service.ts';
import type { SnapshotService } from './snapshot-service.ts';

/** What the change detail shows. */
export type ChangeDetailView = OperationResponse<'changes.get'>;

/** Assembles the change detail from the services that hold its parts. */
export class ChangeViewService {
  private readonly deps: {
    changes: ChangeService;
    policy: PolicyService;
    baselines: BaselineService;
    snapshots: SnapshotService;
    plantModel: PlantModelService;
    clock: () => Date;
  };

  constructor(deps: ChangeViewService['deps']) {
    this.deps = deps;
  }

  /** One change as the detail screen shows it. */
  detail(id: string): ChangeDetailView {
    const { changes, policy: policyService, baselines, snapshots, plantModel } = this.deps;
    const state = changes.get(id);
    const policy = policyService.current();
    const live = state.review === null ? changes.evaluate(state.fields) : null;
    const restores = changes.restores(id);
    const now = this.deps.clock();
    return {
      outcome: changeOutcome(state, restores),
      restores,
      proposal: changes.proposal(state, (cid) => snapshots.list(cid)[0] ?? null),
      evaluation: state.review?.evaluation ?? live?.evaluation ?? null,
      evaluationFrozen: state.review !== null,
      missingFields: (live?.missingFields ?? []).map((f) => CHANGE_FIELD_LABELS[f]),
      state,
      statusLabel: statusLabel(state),
      allowed: [...allowedOperations(state)],
      progress: approvalProgressOf(state, (r) => roleName(policy, r)),
      outstanding: outstandingApprovals(state, policy),
      timeline: changes.timeline(id),
      approvalTimeout: approvalTimeoutStatus(state, now),
      retrospective: retrospectiveStatus(state, now),
      targets: state.fields.targetControllers.map((cid) => {
        const b = baselines.current(cid);
        return {
          controllerId: cid,
          name: plantModel.controllerName(cid),
          snapshots: snapshots.list(cid),
          baseline: b ? { version: b.version, snapshotSha256: b.snapshotSha256 } : null,
        };
      }),
      ...this.executionCheckpoints(state),
    };
  }

  /** Each line's change windows, blackouts and booked slots for `days` days from `from`, in the plant's time zone. */
  calendar(from: Date, days: number): { timeZone: string; lines: LineCalendar[] } {
    const policy = this.deps.policy.current();
    return {
      timeZone: policy.plant.timeZone,
      lines: listCalendar(policy, this.deps.plantModel.lines(), { from, to: new Date(from.getTime() + days * 86_400_000) }),
    };
  }

  /** The checkpoints of an executed change, or why they cannot be shown (a missing or malformed checkpoint file). */
  private executionCheckpoints(state: ChangeState): {
    checkpoints: ReturnType<typeof checkpointView> | null;
    checkpointsError: string | null;
  } {
    if (state.status !== 'in-execution' && state.status !== 'rolled-back' && state.status !== 'closed')
      return { checkpoints: null, checkpointsError: null };
    try {
      return { checkpoints: checkpointView(this.deps.policy.checkpoints(), state.execution.checkpoints ?? []), checkpointsError: null };
    } catch (err) {
      const e = toErrorData(err);
      return { checkpoints: null, checkpointsError: `${e.message} ${e.hint}` };
    }
  }
}

/** What the change detail shows of an execution's checkpoints. */
function checkpointView(set: CheckpointSet, records: CheckpointRecord[]) {
  const { next, closable } = checkpointProgress(set, records);
  return { signerRoles: set.signerRoles, checkpoints: set.checkpoints, records, next: next?.id ?? null, closable };
}
