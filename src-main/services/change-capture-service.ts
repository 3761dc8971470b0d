/**
 * Before- and after-captures of a change's target controllers, started from the change's screen (the change
 * guide's "deploy with signed capture"). Each capture runs through the capture service and the device process with
 * its progress pushed per controller and a cancel; it is recorded with the change and its phase. A complete capture
 * is signed "captured by" the engineer and recorded on the change as the before- or after-snapshot in one step; a
 * capture cut off mid-way, cancelled or failed is marked so and refused as evidence, and the screen offers a retry.
 */
import { BaselineError } from '../../src-shared/common/errors.ts';
import type { CaptureDocument } from '../../src-shared/common/capture/capture-document.ts';
import type { Actor } from '../../src-shared/common/journal-event.ts';
import {
  captureStatus,
  capturePhaseProblem,
  notEvidenceMessage,
  type CapturePhase,
  type ChangeCaptureView,
} from '../../src-shared/common/workflow/change-capture.ts';
import { changeName, type ChangeState } from '../../src-shared/common/workflow/change-state.ts';
import type { BlobStore } from '../store/blob-store.ts';
import type { ChangeRepository } from '../store/change-repository.ts';
import type { CaptureService } from './capture-service.ts';
import type { ChangeService } from './change-service.ts';
import type { ControllerService } from './controller-service.ts';
import type { EventHub } from './event-hub.ts';
import type { IdentityService } from './identity-service.ts';
import type { PolicyService } from './policy-service.ts';
import type { ProfileService } from './profile-service.ts';
import type { SnapshotService } from './snapshot-service.ts';

/** Starts, lists and records the captures of a change. */
export class ChangeCaptureService {
  private readonly deps: {
    repo: ChangeRepository;
    blobs: BlobStore;
    changes: ChangeService;
    captures: CaptureService;
    controllers: ControllerService;
    profiles: ProfileService;
    snapshots: SnapshotService;
    identity: IdentityService;
    policy: PolicyService;
    hub: EventHub;
  };

  /** Captures running now, by change and controller (one at a time per controller). */
  private readonly running = new Map<string, string>();

  constructor(deps: ChangeCaptureService['deps']) {
    this.deps = deps;
  }

  /**
   * Starts the before- or after-capture of one target controller, or its re-capture after a manual rollback (phase
   * `rollback`); returns the capture id its progress events carry.
   */
  start(changeId: string, controllerId: string, phase: CapturePhase, actor: Actor): { captureId: string } {
    const state = this.deps.changes.get(changeId);
    const controller = this.deps.controllers.get(controllerId);
    const problem = capturePhaseProblem(state, this.deps.policy.checkpoints(), controllerId, phase, controller.name);
    if (problem) throw new BaselineError(problem.code, problem.message.charAt(0).toUpperCase() + problem.message.slice(1), problem.hint);
    const key = `${changeId}/${controllerId}`;
    if (this.running.has(key)) {
      throw new BaselineError(
        'change-capture-running',
        `A capture of ${controller.name} for ${changeName(state)} is already running.`,
        'Wait for it to finish, or cancel it.',
      );
    }
    if (!controller.profile) {
      throw new BaselineError(
        'controller-no-profile',
        `${controller.name} has no capture profile, so Baseline does not know what to read.`,
        'Import a profile (CSV) and register the controller with it.',
      );
    }
    const profile = this.deps.profiles.load(controller.profile.sha256);
    const captureId = this.deps.captures.start(
      {
        controllerId,
        target: controller.target,
        profile,
        profileName: controller.profile.name,
        options: { timeoutMs: 2000, retries: 2 },
        change: { changeId, phase },
      },
      actor,
      this.deps.hub,
      () => this.running.delete(key),
    );
    this.running.set(key, captureId);
    return { captureId };
  }

  /** Cancels a running capture of the change (false when it already ended). */
  cancel(captureId: string): boolean {
    return this.deps.captures.cancel(captureId);
  }

  /** Every capture taken from the change's screen, oldest first, with what it is worth and whether it was recorded. */
  list(changeId: string): ChangeCaptureView[] {
    const state = this.deps.changes.get(changeId);
    const recorded =
      'execution' in state
        ? [
            ...(state.execution.snapshots ?? []),
            ...(state.execution.manualRollbacks ?? []).flatMap((m) =>
              m.proof
                ? [
                    {
                      controllerId: m.controllerId,
                      phase: 'rollback' as const,
                      capturedAt: m.proof.capturedAt,
                      snapshotSha256: m.proof.snapshotSha256,
                    },
                  ]
                : [],
            ),
          ]
        : [];
    return this.deps.repo.changeCaptureEvents(changeId).map((row) => {
      const p = JSON.parse(row.payload) as {
        controllerId: string;
        captureSha256: string;
        complete: boolean;
        tags: number;
        good: number;
        bad: number;
        change: { phase: CapturePhase };
        failure?: { code: string; message: string };
      };
      const doc = this.document(p.captureSha256);
      const capturedAt = doc?.capture.at ?? row.at;
      const rec = recorded.find((r) => r.controllerId === p.controllerId && r.phase === p.change.phase && r.capturedAt === capturedAt);
      return {
        captureSha256: p.captureSha256,
        controllerId: p.controllerId,
        phase: p.change.phase,
        capturedAt,
        status: captureStatus(p),
        tags: p.tags,
        good: p.good,
        bad: p.bad,
        failure: p.failure ?? null,
        recordedAs: rec?.snapshotSha256 ?? null,
      };
    });
  }

  private document(sha256: string): CaptureDocument | null {
    try {
      return JSON.parse(this.deps.blobs.get(sha256).toString('utf8')) as CaptureDocument;
    } catch {
      return null;
    }
  }

  /**
   * Signs a complete capture of the change "captured by" the engineer and records it as the change's before- or
   * after-snapshot (two signatures, one password). A capture that is not complete is refused by name.
   */
  record(
    changeId: string,
    captureSha256: string,
    employeeId: string,
    password: string,
    actor: Actor,
  ): { snapshotSha256: string; status: string } {
    const state: ChangeState = this.deps.changes.get(changeId);
    const capture = this.list(changeId).find((c) => c.captureSha256 === captureSha256);
    if (!capture) {
      throw new BaselineError(
        'change-capture-unknown',
        `Capture ${captureSha256.slice(0, 12)}… was not taken from the screen of ${changeName(state)}.`,
        'Capture the controller from the change screen, then record that capture.',
      );
    }
    const controller = this.deps.controllers.get(capture.controllerId).name;
    if (capture.status !== 'complete') {
      throw new BaselineError(
        'capture-not-evidence',
        notEvidenceMessage(state, capture, controller, this.deps.policy.current().plant.timeZone),
        'Retry the capture from the change screen and record the complete one. Nothing was signed or recorded.',
        { status: capture.status, controllerId: capture.controllerId, phase: capture.phase },
      );
    }
    if (capture.recordedAs) {
      throw new BaselineError(
        'change-capture-recorded',
        `This ${capture.phase}-capture of ${controller} is already recorded on ${changeName(state)}.`,
        'Nothing more to record.',
      );
    }
    const doc = this.document(captureSha256);
    if (!doc)
      throw new BaselineError(
        'capture-missing',
        `The capture document ${captureSha256.slice(0, 12)}… is not in this data directory.`,
        'Capture the controller again.',
      );
    const { sha256 } = this.deps.snapshots.sign(doc, employeeId, password, capture.controllerId, actor);
    const action =
      capture.phase === 'rollback'
        ? { type: 'rollback-proof' as const, controllerId: capture.controllerId, snapshotSha256: sha256 }
        : { type: 'record-snapshot' as const, phase: capture.phase, controllerId: capture.controllerId, snapshotSha256: sha256 };
    const next = this.deps.changes.act(changeId, employeeId, password, action, actor);
    return { snapshotSha256: sha256, status: next.status };
  }
}
