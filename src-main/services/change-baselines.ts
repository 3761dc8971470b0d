/**
 * The new baselines a change gives (step 6 of the OT change framework): its after-snapshots approved as the
 * controllers' next baseline versions, by the post-implementation review or, for a change without one, by a
 * baseline approver who was not on the change.
 */
import { BaselineError } from '../../src-shared/common/errors.ts';
import type { Actor } from '../../src-shared/common/journal-event.ts';
import { changeName, changeNameStart, type ChangeState } from '../../src-shared/common/workflow/change-state.ts';
import type { PersonRow } from '../store/identity-repository.ts';
import { BASELINE_APPROVER_ROLES, type BaselineService } from './baseline-service.ts';
import type { IdentityService } from './identity-service.ts';
import type { PlantModelService } from './plant-model-service.ts';

/** What approving a change's baselines needs. */
export interface ChangeBaselineDeps {
  identity: IdentityService;
  baselines: BaselineService;
  plantModel: PlantModelService;
}

/** The reviewer may approve these after-snapshots as baselines: a baseline approver who signed none of them. */
export function checkReviewBaselines(
  deps: ChangeBaselineDeps,
  person: PersonRow,
  baselines: readonly { controllerId: string; snapshotSha256: string }[],
): void {
  if (baselines.length === 0) return;
  if (!person.roles.some((r) => BASELINE_APPROVER_ROLES.includes(r))) {
    throw new BaselineError(
      'baseline-not-approver',
      `${person.name} holds none of the roles that approve baselines (${BASELINE_APPROVER_ROLES.join(', ')}), and the post-implementation review approves the new baselines.`,
      'Ask a plant engineering manager not on the change.',
    );
  }
  for (const b of baselines) {
    if (deps.baselines.verifiedSnapshot(b.snapshotSha256).file.signatures.some((x) => x.signer.employeeId === person.employeeId)) {
      throw new BaselineError(
        'baseline-self-approval',
        `${person.name} signed the after-snapshot of ${deps.plantModel.controllerName(b.controllerId)} and cannot approve it as the baseline.`,
        'Another reviewer signs the post-implementation review.',
      );
    }
  }
}

/**
 * Step 6 of the OT change framework: the approved post-change state becomes the new baseline. A completed change's latest
 * after-snapshot of a controller is approved as that controller's next baseline version by a baseline approver
 * (never the person who captured it), and the approval names the change.
 */
export function approveAfterAsBaseline(
  deps: ChangeBaselineDeps,
  state: ChangeState,
  controllerId: string,
  employeeId: string,
  password: string,
  actor: Actor,
): { version: number } {
  if (state.status !== 'closed' || state.closure.outcome !== 'completed') {
    throw new BaselineError(
      'baseline-change-not-completed',
      `${changeNameStart(state)} is ${state.status}${state.status === 'closed' ? ' (rolled back)' : ''}; only a change closed as completed gives a new baseline.`,
      'Close the change after its post-change CLOSE decision first.',
    );
  }
  const after = (state.execution.snapshots ?? []).filter((x) => x.phase === 'after' && x.controllerId === controllerId).at(-1);
  if (!after) {
    throw new BaselineError(
      'baseline-no-after',
      `${changeNameStart(state)} has no after-snapshot of ${deps.plantModel.controllerName(controllerId)}.`,
      'Only a recorded after-snapshot becomes the new baseline.',
    );
  }
  if (state.review.evaluation.postImplementationReview !== undefined) {
    throw new BaselineError(
      'baseline-by-review',
      `${changeNameStart(state)} is a ${state.review.evaluation.class} change: its new baseline is approved by its post-implementation review.`,
      'Sign the post-implementation review on the change; it approves the after-snapshots as the new baselines.',
    );
  }
  if (employeeId === state.requester.id || employeeId === state.execution.executor.id) {
    throw new BaselineError(
      'segregation-of-duties',
      `${deps.identity.personByEmployeeId(employeeId).name} filed or carried out ${changeName(state)} and cannot approve its result as the new baseline.`,
      'A baseline approver who was not on the change approves it.',
    );
  }
  if (deps.baselines.current(controllerId)?.snapshotSha256 === after.snapshotSha256) {
    throw new BaselineError(
      'baseline-already',
      `The after-snapshot of ${deps.plantModel.controllerName(controllerId)} is already its baseline.`,
      'Nothing more to approve.',
    );
  }
  return { version: deps.baselines.approve(controllerId, after.snapshotSha256, employeeId, password, actor, state.id).version };
}
