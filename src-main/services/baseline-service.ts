/**
 * Baselines and drift (issue #4, NERC CIP-010 R1/R2): a controller's approved baseline is a signed snapshot
 * an approver signed "approved"; a drift check captures the controller now and diffs it with the baseline;
 * any configuration difference nobody explained opens an unauthorized-change record, closed only with a
 * signed explanation. Live (process) values never count as drift.
 */
import { v7 as uuidv7 } from 'uuid';
import { canonicalJson } from '../../src-shared/common/canonical-json.ts';
import { BaselineError, toErrorData, type ErrorData } from '../../src-shared/common/errors.ts';
import type { Actor } from '../../src-shared/common/journal-event.ts';
import type { CaptureDocument } from '../../src-shared/common/capture/capture-document.ts';
import type { SnapshotFile } from '../../src-shared/common/snapshot/snapshot.ts';
import { diffableFromCapture } from '../../src-shared/common/diff/diffable-document.ts';
import { diffDocuments, isDifference } from '../../src-shared/common/diff/document-diff.ts';
import { formatDiffValue } from '../../src-shared/common/diff/diff-value-format.ts';
import { sha256Hex } from '../../src-shared/node/hash.ts';
import { verifySnapshotBytes } from '../../src-shared/node/snapshot-verifier.ts';
import type { BlobStore } from '../store/blob-store.ts';
import type { JournalRepository } from '../store/journal-repository.ts';
import type { BaselineRepository, BaselineRow, UnauthorizedChangeRow } from '../store/baseline-repository.ts';
import type { IdentityService } from './identity-service.ts';
import type { CaptureService } from './capture-service.ts';
import type { ControllerService } from './controller-service.ts';
import type { ProfileService } from './profile-service.ts';
import {
  driftClockReport,
  dueControllers,
  type DriftClockPolicy,
  type DriftClockReport,
} from '../../src-shared/common/workflow/drift-clock.ts';

/** The outcome of one drift check. */
export interface DriftResult {
  controllerId: string;
  controller: string;
  baselineVersion: number;
  drifted: boolean;
  captureComplete: boolean;
  configDifferences: number;
  liveDifferences: number;
  identityChanges: number;
  unauthorizedChangeId: string | null;
  differences: UnauthorizedChangeRow['differences'];
}

/** One run over the controllers whose drift check was due (`baseline drift --due`, the app's background clock). */
export interface DueRun {
  at: string;
  /** How many controllers with a baseline were not due. */
  notDue: number;
  checked: DriftResult[];
  /** Due controllers whose check could not be done; `unreachable` when the capture failed (the check stays due). */
  errors: { controllerId: string; controller: string; unreachable: boolean; error: ErrorData }[];
}

const SHOWN_DIFFERENCES = 50;

/** Who may approve a baseline: the plant engineering manager of the OT change framework's RACI, or Baseline's older approver role. */
export const BASELINE_APPROVER_ROLES = ['plant-engineering-manager', 'approver'];

/** Approves baselines, checks drift, and tracks unauthorized changes. */
export class BaselineService {
  private readonly deps: {
    journal: JournalRepository;
    blobs: BlobStore;
    repo: BaselineRepository;
    identity: IdentityService;
    captures: CaptureService;
    controllers: ControllerService;
    profiles: ProfileService;
    /** The policy's CIP-010 intervals, read at each use (an adopted policy applies at once). */
    clockPolicy: () => DriftClockPolicy;
    clock: () => Date;
  };

  constructor(deps: BaselineService['deps']) {
    this.deps = deps;
  }

  /** The controller's current approved baseline, or null. */
  current(controllerId: string): BaselineRow | null {
    return this.deps.repo.current(controllerId);
  }

  /** A stored signed snapshot, verified (signatures, chain to a trusted CA, not revoked) before it is used; with its controller. */
  verifiedSnapshot(sha256: string): { file: SnapshotFile; controllerId: string | null } {
    return { file: this.loadSnapshot(sha256), controllerId: this.deps.repo.snapshotFile(sha256)?.controllerId ?? null };
  }

  private loadSnapshot(sha256: string): SnapshotFile {
    const stored = this.deps.repo.snapshotFile(sha256);
    if (!stored)
      throw new BaselineError(
        'snapshot-unknown',
        `No signed snapshot ${sha256.slice(0, 12)}… is stored here.`,
        'Sign a capture as evidence first.',
      );
    const bytes = this.deps.blobs.get(stored.fileSha256);
    const verdict = verifySnapshotBytes(bytes, this.deps.identity.trust());
    if (!verdict.valid) {
      throw new BaselineError(
        'snapshot-invalid',
        `Snapshot ${sha256.slice(0, 12)}… does not verify: ${verdict.problems.join('; ')}.`,
        'Use a valid signed snapshot.',
      );
    }
    return JSON.parse(bytes.toString('utf8')) as SnapshotFile;
  }

  /** Makes a signed snapshot the controller's next baseline version, signed "approved" by an approver. */
  approve(
    controllerId: string,
    snapshotSha256: string,
    employeeId: string,
    password: string,
    actor: Actor,
    changeId?: string,
  ): BaselineRow {
    const controller = this.deps.controllers.get(controllerId);
    const file = this.loadSnapshot(snapshotSha256);
    if (file.document.controller.description !== controller.description) {
      throw new BaselineError(
        'baseline-other-controller',
        `That snapshot is of ${file.document.controller.description}, not ${controller.name}.`,
        'Choose a snapshot of this controller.',
      );
    }
    const approver = this.deps.identity.personByEmployeeId(employeeId);
    if (!approver.roles.some((r) => BASELINE_APPROVER_ROLES.includes(r))) {
      throw new BaselineError(
        'baseline-not-approver',
        `${approver.name} holds none of the roles that approve baselines (${BASELINE_APPROVER_ROLES.join(', ')}).`,
        'Ask a person with one of those roles.',
      );
    }
    if (file.signatures.some((s) => s.signer.employeeId === employeeId)) {
      throw new BaselineError(
        'baseline-self-approval',
        `${approver.name} captured this snapshot and so cannot also approve it as the baseline.`,
        'Segregation of duties: a different person approves.',
      );
    }
    const approval = this.deps.identity.sign(employeeId, password, 'approved', snapshotSha256);
    const version = (this.deps.repo.current(controllerId)?.version ?? 0) + 1;
    this.deps.journal.append(
      'baseline.approved',
      { controllerId, snapshotSha256, version, approval, ...(changeId ? { changeId } : {}) },
      actor,
    );
    return this.deps.repo.current(controllerId)!;
  }

  /** Captures the controller now and compares it with its approved baseline; records the check (and any drift). */
  async checkDrift(controllerId: string, actor: Actor): Promise<DriftResult> {
    const controller = this.deps.controllers.get(controllerId);
    const baseline = this.deps.repo.current(controllerId);
    if (!baseline)
      throw new BaselineError(
        'no-baseline',
        `${controller.name} has no approved baseline, so there is nothing to compare with.`,
        'Capture it, sign the capture as evidence, and have an approver approve it as the baseline.',
      );
    if (!controller.profile)
      throw new BaselineError('controller-no-profile', `${controller.name} has no capture profile.`, 'Register it with a profile.');
    const base = this.loadSnapshot(baseline.snapshotSha256);
    const profile = this.deps.profiles.load(controller.profile.sha256);
    const capture: CaptureDocument = await this.deps.captures.capture(
      { controllerId, target: controller.target, profile, profileName: controller.profile.name, options: { timeoutMs: 2000, retries: 2 } },
      actor,
    );
    if (capture.stats.good === 0 && capture.failure) {
      throw new BaselineError(
        'drift-capture-failed',
        `${controller.name} could not be captured, so drift was not checked: ${capture.failure.message}`,
        capture.failure.hint,
      );
    }
    const captureSha256 = sha256Hex(canonicalJson(capture as unknown));
    const diff = diffDocuments(
      diffableFromCapture(base.document as unknown as CaptureDocument, controllerId),
      diffableFromCapture(capture, controllerId),
      { includeUnchanged: false },
    );
    const config = diff.rows.filter((r) => isDifference(r) && !r.live);
    // An incomplete capture cannot prove the absence of drift; its bad tags show up as quality changes.
    const drifted = diff.summary.drift || !capture.complete;
    this.deps.journal.append(
      'drift.checked',
      {
        controllerId,
        baselineSha256: baseline.snapshotSha256,
        captureSha256,
        drifted,
        configDifferences: config.length,
        identityChanges: diff.identityChanges.length,
        captureComplete: capture.complete,
      },
      actor,
    );
    const differences: UnauthorizedChangeRow['differences'] = config.slice(0, SHOWN_DIFFERENCES).map((r) => ({
      tag: r.tag,
      kind: r.kind,
      before: r.before ? formatDiffValue(r.before) : '',
      after: r.after ? formatDiffValue(r.after) : '',
      safety: r.safety,
    }));
    for (const ch of diff.identityChanges.slice(0, 10))
      differences.push({
        tag: `identity.${ch.key}`,
        kind: 'identity-changed',
        before: ch.before ?? '',
        after: ch.after ?? '',
        safety: false,
      });
    let unauthorizedChangeId: string | null = null;
    if (drifted) {
      unauthorizedChangeId = uuidv7();
      this.deps.journal.append(
        'unauthorized-change.opened',
        {
          id: unauthorizedChangeId,
          controllerId,
          baselineSha256: baseline.snapshotSha256,
          captureSha256,
          differences,
          moreDifferences: Math.max(0, config.length - SHOWN_DIFFERENCES),
        },
        actor,
      );
    }
    return {
      controllerId,
      controller: controller.name,
      baselineVersion: baseline.version,
      drifted,
      captureComplete: capture.complete,
      configDifferences: config.length,
      liveDifferences: diff.summary.liveDifferences,
      identityChanges: diff.identityChanges.length,
      unauthorizedChangeId,
      differences,
    };
  }

  /** Closes an unauthorized-change record with a signed explanation (meaning "reviewed"). */
  closeUnauthorizedChange(id: string, explanation: string, employeeId: string, password: string, actor: Actor): UnauthorizedChangeRow {
    const record = this.deps.repo.unauthorizedChanges().find((u) => u.id === id);
    if (!record)
      throw new BaselineError(
        'unauthorized-change-unknown',
        `No unauthorized-change record ${id} exists here.`,
        'Pick one from the open records.',
      );
    if (record.closedAt)
      throw new BaselineError(
        'unauthorized-change-closed',
        `Record ${id} was already closed by ${record.closedBy} at ${record.closedAt}.`,
        'Corrections are new records; nothing was changed.',
      );
    if (explanation.trim().length < 10)
      throw new BaselineError(
        'explanation-too-short',
        'The explanation is too short to tell an auditor what happened.',
        'Say what changed, why, and who did it.',
      );
    const statement = sha256Hex(
      canonicalJson({
        schema: 'baseline.unauthorized-change-closure/1',
        id,
        explanation: explanation.trim(),
        captureSha256: record.captureSha256,
      }),
    );
    const signature = this.deps.identity.sign(employeeId, password, 'reviewed', statement);
    this.deps.journal.append('unauthorized-change.closed', { id, explanation: explanation.trim(), signature }, actor);
    return this.deps.repo.unauthorizedChanges().find((u) => u.id === id)!;
  }

  /** The CIP-010 clocks now: each controller's next drift check, and baselines owed after completed changes. */
  clocks(now: Date = this.deps.clock()): DriftClockReport {
    return driftClockReport(this.deps.repo.clockControllers(), this.deps.repo.completedChanges(), this.deps.clockPolicy(), now);
  }

  /** A drift check as the Controllers screen reports it: drifted or not, how many configuration differences, the record it opened. */
  async checkDriftView(
    controllerId: string,
    actor: Actor,
  ): Promise<{ drifted: boolean; configDifferences: number; unauthorizedChangeId: string | null; baselineVersion: number }> {
    const r = await this.checkDrift(controllerId, actor);
    return {
      drifted: r.drifted,
      configDifferences: r.configDifferences,
      unauthorizedChangeId: r.unauthorizedChangeId,
      baselineVersion: r.baselineVersion,
    };
  }

  /** A controller's baseline history and unauthorized-change records, as the Controllers screen shows them. */
  view(controllerId: string) {
    return {
      history: this.history(controllerId).map(({ version, snapshotSha256, approvedBy, approvedAt }) => ({
        version,
        snapshotSha256,
        approvedBy,
        approvedAt,
      })),
      unauthorizedChanges: this.unauthorizedChanges(controllerId).map(
        ({ id, openedAt, closedAt, closedBy, explanation, differences, moreDifferences }) => ({
          id,
          openedAt,
          closedAt,
          closedBy,
          explanation,
          differences,
          moreDifferences,
        }),
      ),
    };
  }

  /** Checks, one after the other, only the controllers whose drift check is due; results are recorded as `checkDrift` records them. */
  async checkDue(actor: Actor, now: Date = this.deps.clock()): Promise<DueRun> {
    const report = this.clocks(now);
    const due = dueControllers(report);
    const run: DueRun = {
      at: now.toISOString(),
      notDue: report.controllers.filter((c) => c.status === 'ok').length,
      checked: [],
      errors: [],
    };
    for (const c of due) {
      try {
        run.checked.push(await this.checkDrift(c.controllerId, actor));
      } catch (err) {
        const error = toErrorData(err);
        run.errors.push({
          controllerId: c.controllerId,
          controller: c.controller,
          unreachable: error.code === 'drift-capture-failed',
          error,
        });
      }
    }
    return run;
  }

  /** Baseline versions of a controller. */
  history(controllerId: string): BaselineRow[] {
    return this.deps.repo.history(controllerId);
  }

  /** Unauthorized-change records (open first). */
  unauthorizedChanges(controllerId?: string): UnauthorizedChangeRow[] {
    return this.deps.repo.unauthorizedChanges(controllerId);
  }
}
