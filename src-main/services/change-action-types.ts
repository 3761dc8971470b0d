/**
 * The types the signed-action dispatch shares between its files (change-actions.ts and change-review-actions.ts):
 * what a dispatch entry reads from the services around it, and how it turns an action into an operation.
 */
import type { SignatureMeaning } from '../../src-shared/common/snapshot/snapshot.ts';
import type { ChangeOperation, ChangeState } from '../../src-shared/common/workflow/change-state.ts';
import type { CheckpointSet } from '../../src-shared/common/workflow/checkpoints.ts';
import type { SignedActionOf, SignedActionType } from '../../src-shared/common/workflow/signed-actions.ts';
import type { Participant } from '../../src-shared/common/workflow/workflow-terms.ts';

/** What the dispatch reads from the services around it. */
export interface ActionContext {
  /** The person signing. */
  by: Participant;
  /** An enrolled person as a participant (throws for someone not enrolled here). */
  participant(employeeId: string): Participant;
  /** "Eli Engineer (E101)"; the id alone for someone not enrolled here. */
  nameWithId(employeeId: string): string;
  controllerName(controllerId: string): string;
  roleName(role: string): string;
  timeZone(): string;
  checkpoints(): CheckpointSet;
  /** The operation recording a snapshot: the snapshot verified and compared (see `ChangeService`). */
  snapshotOp(by: Participant, action: SignedActionOf<'record-snapshot'>): ChangeOperation;
  /** The operation recording a manual rollback's re-capture: verified and compared with the before-snapshot (rollback-proof-op.ts). */
  rollbackProofOp(by: Participant, action: SignedActionOf<'rollback-proof'>): ChangeOperation;
  /** The explain operation with its countersigning supervisor. */
  explainOp(by: Participant, action: SignedActionOf<'explain'>): ChangeOperation;
  /** The change as it is before the action. */
  change(): ChangeState;
  now(): Date;
  /** A new change's id (the follow-up a rejecting retrospective review files). */
  newChangeId(): string;
}

/** A second person signing the same decision, with the password they typed. */
export interface Cosigner {
  employeeId: string;
  password: string;
  meaning: SignatureMeaning;
  as: string;
}

/** How one signed action becomes an operation and a summary. */
export interface ActionDispatch<K extends SignedActionType> {
  operation(action: SignedActionOf<K>, ctx: ActionContext): ChangeOperation;
  summary(action: SignedActionOf<K>, ctx: ActionContext): string;
}
