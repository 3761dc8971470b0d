/**
 * Rolling a change back by restoring its before-snapshot (ARCHITECTURE §6): the only way the app writes to a
 * controller, in three explicit steps.
 *   1. Preview: the controller is read now and compared with the change's signed before-snapshot; each writable
 *      configuration tag that differs becomes one write back to its before value, and what cannot be written
 *      (read-only tags, logic) is listed for a guided manual procedure. Nothing is written.
 *   2. A shift supervisor who is not on the change signs the decision to write exactly those values, which must be
 *      the before-snapshot's own values (checked again before writing).
 *   3. The engineer confirms by typing the controller's name; the values are written and read back one by one;
 *      the controller is then read again and compared with the before-snapshot, and that proof is journalled.
 * Only a change that was rolled back (a ROLLBACK or NO-GO decision, or the rollback action) can be restored.
 */
import type { CaptureDocument } from '../../src-shared/common/capture/capture-document.ts';
import { canonicalJson } from '../../src-shared/common/canonical-json.ts';
import { formatDiffValue } from '../../src-shared/common/diff/diff-value-format.ts';
import { diffableFromCapture } from '../../src-shared/common/diff/diffable-document.ts';
import { diffDocuments, isDifference, type DiffRow } from '../../src-shared/common/diff/document-diff.ts';
import { BaselineError } from '../../src-shared/common/errors.ts';
import type { Actor } from '../../src-shared/common/journal-event.ts';
import { changeName, changeNameStart, type ChangeState } from '../../src-shared/common/workflow/change-state.ts';
import { sha256Hex } from '../../src-shared/node/hash.ts';
import type { RestoreResult } from '../devices/restore-job.ts';
import type { JournalRepository } from '../store/journal-repository.ts';
import type { BaselineService } from './baseline-service.ts';
import type { CaptureService } from './capture-service.ts';
import type { ChangeService } from './change-service.ts';
import type { ControllerService } from './controller-service.ts';
import type { ProfileService } from './profile-service.ts';
import { outcomeWords, type RestoreService, type RestoreWrite } from './restore-service.ts';
import type { IdentityService } from './identity-service.ts';

/** What a restore would do: the writes back to the before-snapshot, and what must be restored by hand. */
export interface RestorePreview {
  controllerId: string;
  controller: string;
  beforeSnapshotSha256: string;
  /** The capture the preview compared (recorded like any capture). */
  captureSha256: string;
  writes: { tag: string; now: string; restoreTo: string; value: RestoreWrite['value']; safety: boolean }[];
  manual: { tag: string; now: string; before: string; why: string }[];
}

/** What a restore did, and whether the controller now matches the before-snapshot. */
export interface RestoreOutcome {
  result: RestoreResult;
  captureSha256: string;
  matchesBefore: boolean;
  remaining: { tag: string; now: string; before: string }[];
}

const show = (v: DiffRow['before']): string => (v ? formatDiffValue(v) : '(absent)');

/** The configuration values of a capture that differ from the before-snapshot (live process values are left out). */
function differences(before: CaptureDocument, now: CaptureDocument, controllerId: string): DiffRow[] {
  const diff = diffDocuments(diffableFromCapture(before, controllerId), diffableFromCapture(now, controllerId), {
    includeUnchanged: false,
  });
  return diff.rows.filter((r) => isDifference(r) && !r.live);
}

/** Previews, confirms and proves restores of a change's before-snapshot. */
export class ChangeRestoreService {
  private readonly deps: {
    journal: JournalRepository;
    changes: ChangeService;
    baselines: BaselineService;
    captures: CaptureService;
    controllers: ControllerService;
    profiles: ProfileService;
    restores: RestoreService;
    identity: IdentityService;
  };

  constructor(deps: ChangeRestoreService['deps']) {
    this.deps = deps;
  }

  private rolledBack(
    changeId: string,
    controllerId: string,
  ): { state: Extract<ChangeState, { status: 'rolled-back' }>; beforeSha256: string } {
    const state = this.deps.changes.get(changeId);
    if (state.status !== 'rolled-back') {
      throw new BaselineError(
        'restore-not-rolled-back',
        `${changeNameStart(state)} is ${state.status.replace('-', ' ')}; only a change that was rolled back is restored to its before-snapshot.`,
        'Roll the change back first (a ROLLBACK decision at a checkpoint, or the rollback action): that decision is on the record before anything is written.',
      );
    }
    const before = (state.execution.snapshots ?? []).filter((x) => x.phase === 'before' && x.controllerId === controllerId).at(-1);
    if (!before) {
      throw new BaselineError(
        'restore-no-before',
        `${changeNameStart(state)} has no before-snapshot of ${this.deps.controllers.get(controllerId).name} to restore.`,
        'Restore by hand from the rollback plan; without a signed before-snapshot Baseline does not know what to write.',
      );
    }
    return { state, beforeSha256: before.snapshotSha256 };
  }

  /**
   * The writes a change's restore may ever make: each one a writable configuration tag of the before-snapshot, with
   * exactly its before value, once. Checked when the supervisor signs and again just before writing, so no client can
   * get a value written through a change that is not the change's own before-state.
   */
  private checkWrites(changeId: string, beforeSha256: string, writes: readonly RestoreWrite[]): void {
    const before = this.deps.baselines.verifiedSnapshot(beforeSha256).file.document;
    const byTag = new Map(before.values.map((v) => [v.tag, v]));
    const seen = new Set<string>();
    const problems: string[] = [];
    for (const w of writes) {
      const v = byTag.get(w.tag);
      if (seen.has(w.tag)) problems.push(`${w.tag} is listed twice`);
      else if (!v) problems.push(`${w.tag} is not in the before-snapshot`);
      else if (v.class !== 'config' || !v.writable) problems.push(`${w.tag} is not a writable configuration tag`);
      else if (canonicalJson(v.value) !== canonicalJson(w.value))
        problems.push(`${w.tag} would get ${JSON.stringify(w.value)}, but its before value is ${JSON.stringify(v.value)}`);
      seen.add(w.tag);
    }
    if (problems.length > 0) {
      throw new BaselineError(
        'restore-not-before-values',
        `A restore of ${changeName(this.deps.changes.get(changeId))} writes only the before-snapshot's own values: ${problems.slice(0, 5).join('; ')}${problems.length > 5 ? `; and ${problems.length - 5} more` : ''}. Nothing was signed or written.`,
        'Preview the restore again and sign the values it lists.',
      );
    }
  }

  /**
   * Step 2: the shift supervisor signs the decision to write exactly these values, which must be the change's
   * before values; the supervisor is not the change's requester, executor or witness.
   */
  authorize(
    changeId: string,
    controllerId: string,
    writes: RestoreWrite[],
    reason: string,
    employeeId: string,
    password: string,
    actor: Actor,
  ): string {
    const { state, beforeSha256 } = this.rolledBack(changeId, controllerId);
    const onChange = [state.requester.id, state.execution.executor.id, state.execution.witness?.id].filter(
      (x): x is string => x !== undefined,
    );
    if (onChange.includes(employeeId)) {
      throw new BaselineError(
        'segregation-of-duties',
        `${this.deps.identity.personByEmployeeId(employeeId).name} is on ${changeName(state)} (requester, executor or witness) and cannot authorize writing to its controller.`,
        'Another shift supervisor signs the restore decision.',
      );
    }
    this.checkWrites(changeId, beforeSha256, writes);
    return this.deps.restores.authorize(controllerId, writes, reason.trim(), employeeId, password, actor, changeId);
  }

  /** Reads the controller now and compares it with the before-snapshot (`afterWrites`: the read that proves a restore). */
  private async compare(
    controllerId: string,
    beforeSha256: string,
    actor: Actor,
    afterWrites = false,
  ): Promise<{ rows: DiffRow[]; captureSha256: string; before: CaptureDocument }> {
    const controller = this.deps.controllers.get(controllerId);
    if (!controller.profile)
      throw new BaselineError('controller-no-profile', `${controller.name} has no capture profile.`, 'Register it with a profile.');
    const before = this.deps.baselines.verifiedSnapshot(beforeSha256).file.document as unknown as CaptureDocument;
    const profile = this.deps.profiles.load(controller.profile.sha256);
    const now: CaptureDocument = await this.deps.captures.capture(
      { controllerId, target: controller.target, profile, profileName: controller.profile.name, options: { timeoutMs: 2000, retries: 2 } },
      actor,
    );
    if (!now.complete) {
      throw new BaselineError(
        'restore-capture-incomplete',
        `${controller.name} could not be read completely (${now.stats.bad} of ${now.stats.tags} tags bad${now.failure ? `: ${now.failure.message}` : ''})${afterWrites ? '' : ', so nothing can be compared or written'}.`,
        now.failure?.hint ?? 'Check the connection and try again.',
      );
    }
    return { rows: differences(before, now, controllerId), captureSha256: sha256Hex(canonicalJson(now as unknown)), before };
  }

  /**
   * The controller read again just before writing must still differ from the before-snapshot exactly as the preview
   * the engineer confirmed showed it (`previewCaptureSha256`, the capture the preview read): a restore confirmed on
   * one picture of the controller never writes over another. Throws, naming each value that moved; nothing is written
   * and the decision is not used.
   */
  private async checkPreviewCurrent(controllerId: string, beforeSha256: string, previewCaptureSha256: string, actor: Actor): Promise<void> {
    const controller = this.deps.controllers.get(controllerId);
    let seen: CaptureDocument | null;
    try {
      seen = this.deps.captures.document(previewCaptureSha256);
    } catch {
      seen = null; // not a capture recorded here (or damaged): no preview to hold the controller to
    }
    if (!seen || canonicalJson(seen.controller.target) !== canonicalJson(controller.target)) {
      throw new BaselineError(
        'restore-no-preview',
        `No preview of ${controller.name} read ${previewCaptureSha256.slice(0, 12)}… on this laptop, so nothing was written.`,
        'Preview the restore, check the values it lists, then confirm the write.',
      );
    }
    const current = await this.compare(controllerId, beforeSha256, actor);
    const then = new Map(differences(current.before, seen, controllerId).map((r) => [r.tag, r]));
    const now = new Map(current.rows.map((r) => [r.tag, r]));
    const moved: string[] = [];
    for (const tag of new Set([...then.keys(), ...now.keys()])) {
      const a = then.get(tag);
      const b = now.get(tag);
      const beforeValue = show((a ?? b)!.before);
      const was = a ? show(a.after) : beforeValue;
      const is = b ? show(b.after) : beforeValue;
      if (was !== is) moved.push(`${tag} was ${was}, is ${is} now`);
    }
    if (moved.length > 0) {
      throw new BaselineError(
        'restore-stale-preview',
        `${controller.name} changed since the preview: ${moved.slice(0, 10).join('; ')}${moved.length > 10 ? `; and ${moved.length - 10} more` : ''}. Nothing was written, and the restore decision was not used.`,
        'Preview the restore again, check what it lists now, and have a shift supervisor sign those values before writing.',
      );
    }
  }

  /** Step 1: what a restore of this controller to the change's before-snapshot would write. Writes nothing. */
  async preview(changeId: string, controllerId: string, actor: Actor): Promise<RestorePreview> {
    const { beforeSha256 } = this.rolledBack(changeId, controllerId);
    const { rows, captureSha256 } = await this.compare(controllerId, beforeSha256, actor);
    const writes: RestorePreview['writes'] = [];
    const manual: RestorePreview['manual'] = [];
    for (const r of rows) {
      const value = r.before?.value;
      if (r.before === null || r.after === null)
        manual.push({
          tag: r.tag,
          now: show(r.after),
          before: show(r.before),
          why: 'the tag was added or removed: a profile or logic change',
        });
      else if (!r.writable)
        manual.push({ tag: r.tag, now: show(r.after), before: show(r.before), why: 'not writable in the capture profile' });
      else if (typeof value !== 'number' && typeof value !== 'boolean' && typeof value !== 'string')
        manual.push({
          tag: r.tag,
          now: show(r.after),
          before: show(r.before),
          why: 'its before value cannot be written back as one value',
        });
      else writes.push({ tag: r.tag, now: show(r.after), restoreTo: show(r.before), value, safety: r.safety });
    }
    return {
      controllerId,
      controller: this.deps.controllers.get(controllerId).name,
      beforeSnapshotSha256: beforeSha256,
      captureSha256,
      writes,
      manual,
    };
  }

  /**
   * Step 3: writes the values the supervisor's decision allows, after the engineer typed the controller's name and
   * only while the controller still holds what the preview showed (`previewCaptureSha256`, read again first); then
   * reads the controller again and records whether it matches the before-snapshot.
   */
  async run(
    changeId: string,
    controllerId: string,
    writes: RestoreWrite[],
    decisionId: string,
    typedConfirmation: string,
    actor: Actor,
    previewCaptureSha256: string,
  ): Promise<RestoreOutcome> {
    const { beforeSha256 } = this.rolledBack(changeId, controllerId);
    const controller = this.deps.controllers.get(controllerId);
    if (typedConfirmation.trim() !== controller.name) {
      throw new BaselineError(
        'restore-unconfirmed',
        `The confirmation "${typedConfirmation.trim()}" is not the controller's name, so nothing was written.`,
        `Type ${controller.name} exactly to confirm writing ${writes.length} value${writes.length === 1 ? '' : 's'} to it.`,
      );
    }
    this.checkWrites(changeId, beforeSha256, writes);
    // The decision first (cheap, and a used or expired one is refused whatever the controller holds), then the controller.
    this.deps.restores.assertUsable(controllerId, writes, decisionId);
    await this.checkPreviewCurrent(controllerId, beforeSha256, previewCaptureSha256, actor);
    const result = await this.deps.restores.restore(controllerId, writes, decisionId, actor, changeId);
    let compared: { rows: DiffRow[]; captureSha256: string };
    try {
      compared = await this.compare(controllerId, beforeSha256, actor, true);
    } catch (err) {
      // The writes happened and are recorded (restore.executed); only the proof is missing. The engineer sees no
      // outcome table then, so the words name each value: written, failed (and why), never attempted.
      const why = err instanceof Error ? err.message : String(err);
      throw new BaselineError(
        'restore-unverified',
        `${result.outcomes.filter((o) => o.status === 'written-verified').length} of ${writes.length} values were written and read back${result.complete ? '' : ' before the restore stopped'}. ${outcomeWords(result)} ${controller.name} could not be read again to compare it with the before-snapshot: ${why}`,
        'Preview the restore again once the controller answers: it reads the controller and shows what still differs.',
      );
    }
    const { rows, captureSha256 } = compared;
    const remaining = rows.map((r) => ({ tag: r.tag, now: show(r.after), before: show(r.before) }));
    this.deps.journal.append(
      'restore.verified',
      {
        changeId,
        controllerId,
        decisionId,
        beforeSnapshotSha256: beforeSha256,
        captureSha256,
        matchesBefore: remaining.length === 0,
        remaining: remaining.slice(0, 100),
      },
      actor,
    );
    return { result, captureSha256, matchesBefore: remaining.length === 0, remaining };
  }
}
