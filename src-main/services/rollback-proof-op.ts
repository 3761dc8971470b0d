/**
 * The operation recording a manual rollback's re-capture (src-shared/common/workflow/rollback-proof.ts): the signed
 * snapshot verified and of that controller, compared with the change's before-snapshot the way an after-snapshot is
 * compared with it (every configuration difference, and every live value outside its declared tolerance).
 */
import type { CaptureDocument } from '../../src-shared/common/capture/capture-document.ts';
import { diffableFromCapture } from '../../src-shared/common/diff/diffable-document.ts';
import { diffDocuments } from '../../src-shared/common/diff/document-diff.ts';
import { compareWithProposed } from '../../src-shared/common/diff/proposed-diff.ts';
import { BaselineError } from '../../src-shared/common/errors.ts';
import type { ChangeOperation, ChangeState } from '../../src-shared/common/workflow/change-state.ts';
import type { SignedActionOf } from '../../src-shared/common/workflow/signed-actions.ts';
import type { Participant } from '../../src-shared/common/workflow/workflow-terms.ts';
import type { BaselineService } from './baseline-service.ts';

/** Builds the `rollback-proof` operation; throws for a snapshot that does not verify, is of another controller, or lacks a before-snapshot. */
export function rollbackProofOp(
  deps: { baselines: BaselineService; controllerName(id: string): string },
  state: ChangeState,
  by: Participant,
  action: SignedActionOf<'rollback-proof'>,
): ChangeOperation {
  const { file, controllerId } = deps.baselines.verifiedSnapshot(action.snapshotSha256);
  const name = deps.controllerName(action.controllerId);
  if (controllerId !== action.controllerId) {
    throw new BaselineError(
      'snapshot-other-controller',
      `Snapshot ${action.snapshotSha256.slice(0, 12)}… is of ${file.document.controller.description}, not of ${name}.`,
      'Record a signed re-capture of this controller.',
    );
  }
  const before =
    'execution' in state
      ? (state.execution.snapshots ?? []).filter((x) => x.phase === 'before' && x.controllerId === controllerId).at(-1)
      : undefined;
  if (!before) {
    throw new BaselineError(
      'change-rollback-proof-invalid',
      `Re-capture not accepted as proof: the change has no before-snapshot of ${name} to compare it with.`,
      'Without a before-snapshot the rollback cannot be proven by re-capture.',
    );
  }
  const doc = (sha: string) =>
    diffableFromCapture(deps.baselines.verifiedSnapshot(sha).file.document as unknown as CaptureDocument, controllerId);
  const cmp = compareWithProposed(diffDocuments(doc(before.snapshotSha256), doc(action.snapshotSha256), { includeUnchanged: false }), []);
  const differences = cmp.findings.map((f) => ({
    tag: f.tag,
    reason: f.reason.replace(/, but no change to it was proposed\.$|\. No change to it was proposed\.$/, '.'),
  }));
  return {
    type: 'rollback-proof',
    by,
    controllerId,
    snapshot: { sha256: action.snapshotSha256, capturedBy: file.signatures[0]!.signer.name, capturedAt: file.document.capture.at },
    beforeSnapshotSha256: before.snapshotSha256,
    differences: differences.slice(0, 50),
    total: differences.length,
  };
}
