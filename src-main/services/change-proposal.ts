/**
 * A change's proposed tag values against the controller: the proposal as a diff from the controller's recorded
 * state (for the change screen), and an after-snapshot's verification against the before-snapshot and the proposal
 * (recorded on the change when the after-snapshot is).
 */
import type { CaptureDocument } from '../../src-shared/common/capture/capture-document.ts';
import { diffableFromCapture } from '../../src-shared/common/diff/diffable-document.ts';
import { diffDocuments } from '../../src-shared/common/diff/document-diff.ts';
import { proposalView, type ProposalView } from '../../src-shared/common/diff/proposal-view.ts';
import { PROPOSAL_STATUSES, compareWithProposed } from '../../src-shared/common/diff/proposed-diff.ts';
import type { SnapshotFile } from '../../src-shared/common/snapshot/snapshot.ts';
import type { ChangeRequestFields } from '../../src-shared/common/workflow/change-request.ts';
import type { ChangeState, ExecutionVerification } from '../../src-shared/common/workflow/change-state.ts';
import type { ChangeRepository } from '../store/change-repository.ts';
import type { BaselineService } from './baseline-service.ts';
import type { PlantModelService } from './plant-model-service.ts';
import type { ProfileService } from './profile-service.ts';

/** What reading a proposal against its controller needs. */
export interface ProposalDeps {
  changes: ChangeRepository;
  profiles: ProfileService;
  baselines: BaselineService;
  plantModel: PlantModelService;
}

/**
 * The request's proposed tag values as a diff against the controller: the change's before-snapshot once the work
 * started, else its approved baseline, else its latest signed snapshot, else the request's own "from" values. Null
 * when the proposal is not a diff.
 */
export function proposalAgainstController(
  deps: ProposalDeps,
  state: ChangeState,
  latestSnapshot: (controllerId: string) => { sha256: string; signer: string } | null,
): ProposalView | null {
  const pc = state.fields.proposedChange;
  if (pc?.kind !== 'diff') return null;
  const controllerId = pc.controllerId;
  const profileSha256 = deps.changes.controllerProfileSha256(controllerId);
  const profile = profileSha256 ? deps.profiles.load(profileSha256).tags : [];
  const baseline = deps.baselines.current(controllerId);
  const latest = latestSnapshot(controllerId);
  // Once the work started, "before" is the before-snapshot recorded on the change, whatever happened since.
  const recorded =
    'execution' in state
      ? (state.execution.snapshots ?? []).filter((x) => x.phase === 'before' && x.controllerId === controllerId).at(-1)
      : undefined;
  const source = recorded
    ? { sha256: recorded.snapshotSha256, label: `the change's before-snapshot (captured by ${recorded.capturedBy})` }
    : baseline
      ? { sha256: baseline.snapshotSha256, label: `baseline v${baseline.version}` }
      : latest
        ? { sha256: latest.sha256, label: `the latest signed snapshot (captured by ${latest.signer})` }
        : null;
  let current: Parameters<typeof proposalView>[3] = null;
  if (source) {
    try {
      current = {
        document: diffableFromCapture(
          deps.baselines.verifiedSnapshot(source.sha256).file.document as unknown as CaptureDocument,
          controllerId,
        ),
        label: source.label,
      };
    } catch {
      current = null; // a snapshot that no longer verifies is not shown as the controller's state
    }
  }
  const name = deps.plantModel.controllerName(controllerId);
  const controller = current?.document.controller ?? { id: controllerId, protocol: '', address: '', description: name };
  return proposalView(controller, pc.changes, profile, current);
}

/** The after-snapshot against the before-snapshot and the proposal for this controller (config tags; live ones move on their own). */
export function verifyAfterSnapshot(
  before: SnapshotFile,
  after: SnapshotFile,
  controllerId: string,
  fields: ChangeRequestFields,
): ExecutionVerification {
  const diff = diffDocuments(
    diffableFromCapture(before.document as unknown as CaptureDocument, controllerId),
    diffableFromCapture(after.document as unknown as CaptureDocument, controllerId),
    { includeUnchanged: false },
  );
  const pc = fields.proposedChange;
  const proposed = pc?.kind === 'diff' && pc.controllerId === controllerId ? pc.changes : [];
  const cmp = compareWithProposed(diff, proposed);
  const ordered = PROPOSAL_STATUSES.flatMap((status) => cmp.findings.filter((f) => f.status === status));
  return {
    proposal: proposed.length > 0 ? 'diff' : 'none',
    matches: cmp.matches,
    counts: cmp.counts,
    findings: ordered.slice(0, 50).map((f) => ({ tag: f.tag, status: f.status, reason: f.reason })),
    configDifferences: diff.summary.configDifferences,
  };
}
