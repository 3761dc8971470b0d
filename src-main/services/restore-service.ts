/**
 * Restore (ARCHITECTURE §5): the only path by which Baseline writes to a controller. A shift supervisor first
 * signs a decision naming exactly the values to write ("rollback"); the restore call must carry that decision's
 * id and the same values; the decision is used once, expires, and the outcome of every write (read back and
 * compared) is recorded. The preview and typed confirmation of the execution screen come on top of this.
 */
import { v7 as uuidv7 } from 'uuid';
import { canonicalJson } from '../../src-shared/common/canonical-json.ts';
import { BaselineError } from '../../src-shared/common/errors.ts';
import type { Actor } from '../../src-shared/common/journal-event.ts';
import { sha256Hex } from '../../src-shared/node/hash.ts';
import { certificateProblem, verifyWithCertificate } from '../../src-shared/node/pki.ts';
import { signatureStatement, type ESignature } from '../../src-shared/common/snapshot/snapshot.ts';
import type { DeviceSupervisor } from '../devices/process/device-supervisor.ts';
import type { RestoreOutcome, RestoreResult } from '../devices/restore-job.ts';
import type { JournalRepository } from '../store/journal-repository.ts';
import type { RestoreRepository } from '../store/restore-repository.ts';
import type { ControllerService } from './controller-service.ts';
import type { IdentityService } from './identity-service.ts';
import type { ProfileService } from './profile-service.ts';
import { UNKNOWN_OUTCOME, isUnknownOutcome } from '../../src-shared/common/event-types.ts';

/** One value to write. */
export interface RestoreWrite {
  tag: string;
  value: number | boolean | string;
}

/** How long a signed restore decision stays usable. */
export const DECISION_LIFETIME_MS = 8 * 3600_000;

/** The hash a restore decision signs: the controller and the exact, ordered values. */
export function writesDigest(controllerId: string, writes: readonly RestoreWrite[]): string {
  return sha256Hex(
    canonicalJson({ schema: 'baseline.restore-writes/1', controllerId, writes: writes.map((w) => ({ tag: w.tag, value: w.value })) }),
  );
}

/** Who signs a restore decision: the shift supervisor (and Baseline's older built-in supervisor role). */
export const RESTORE_AUTHORIZER_ROLES: readonly string[] = ['shift-supervisor', 'supervisor'];

/**
 * Each value of a restore by its outcome, in words ("Written and read back: A, B. Write failed: C (why). Outcome
 * unknown (being written when the restore failed): D. Not attempted: E.").
 */
export function outcomeWords(result: RestoreResult): string {
  const unknown = (o: RestoreOutcome) => isUnknownOutcome(o.error);
  const groups: [string, (o: RestoreOutcome) => boolean, boolean][] = [
    ['Written and read back', (o) => o.status === 'written-verified', true],
    ['Write failed', (o) => o.status === 'write-failed' && !unknown(o), true],
    ['Written but read back wrong or not at all', (o) => o.status === 'readback-mismatch', true],
    ['Outcome unknown (being written when the restore failed)', unknown, false],
    ['Not attempted', (o) => o.status === 'not-attempted', true],
  ];
  return groups
    .map(([label, is, why]) => [label, result.outcomes.filter(is), why] as const)
    .filter(([, list]) => list.length > 0)
    .map(
      ([label, list, why]) =>
        `${label}: ${list.map((o) => (why && o.error ? `${o.tag} (${o.error.replace(/\.$/, '')})` : o.tag)).join(', ')}.`,
    )
    .join(' ');
}

/** Refuses a restore before anything is written. */
function refuse(why: string): never {
  throw new BaselineError(
    'restore-refused',
    `The restore is refused: ${why}.`,
    'Nothing was written. Get a new signed decision for exactly the values to write.',
  );
}

/** Authorizes and runs restores. */
export class RestoreService {
  private readonly deps: {
    decisions: RestoreRepository;
    journal: JournalRepository;
    identity: IdentityService;
    controllers: ControllerService;
    profiles: ProfileService;
    devices: DeviceSupervisor;
    clock: () => Date;
  };

  constructor(deps: RestoreService['deps']) {
    this.deps = deps;
  }

  /** A supervisor signs the decision to write exactly these values (meaning "rollback"). Returns the decision id. */
  authorize(
    controllerId: string,
    writes: RestoreWrite[],
    reason: string,
    employeeId: string,
    password: string,
    actor: Actor,
    changeId?: string,
  ): string {
    const controller = this.deps.controllers.get(controllerId);
    if (writes.length === 0)
      throw new BaselineError('restore-empty', 'A restore needs at least one value to write.', 'Choose the tags to restore.');
    if (reason.trim().length < 5)
      throw new BaselineError('restore-reason', 'Say why the restore is needed.', 'The reason goes into the evidence.');
    const person = this.deps.identity.personByEmployeeId(employeeId);
    if (!person.roles.some((r) => RESTORE_AUTHORIZER_ROLES.includes(r))) {
      throw new BaselineError(
        'restore-not-supervisor',
        `${person.name} is not a shift supervisor, so cannot authorize writing to ${controller.name}.`,
        'A person with the supervisor role signs restore decisions.',
      );
    }
    const writesSha256 = writesDigest(controllerId, writes);
    const signature = this.deps.identity.sign(employeeId, password, 'rollback', writesSha256);
    const id = uuidv7();
    this.deps.journal.append(
      'restore.authorized',
      { id, ...(changeId ? { changeId } : {}), controllerId, writes, writesSha256, reason: reason.trim(), signature },
      actor,
    );
    return id;
  }

  private decision(id: string): { controllerId: string; writesSha256: string; authorizedAt: string; used: boolean; signature: ESignature } {
    const decision = this.deps.decisions.decision(id);
    if (!decision)
      throw new BaselineError(
        'restore-no-decision',
        `No signed restore decision ${id} exists on this laptop.`,
        'A shift supervisor must sign the restore decision first. Nothing was written.',
      );
    return decision;
  }

  /**
   * Throws unless the decision allows writing exactly these values to this controller now: it exists, is for this
   * controller and these values, is unused and unexpired, and its signature and certificate hold. Writes nothing.
   */
  assertUsable(controllerId: string, writes: readonly RestoreWrite[], decisionId: string): void {
    const d = this.decision(decisionId);
    if (d.controllerId !== controllerId) refuse('the decision is for another controller');
    if (d.used) refuse('the decision was already used (each decision allows one restore)');
    if (this.deps.clock().getTime() - new Date(d.authorizedAt).getTime() > DECISION_LIFETIME_MS)
      refuse(`the decision is older than ${DECISION_LIFETIME_MS / 3600_000} hours`);
    if (writesDigest(controllerId, writes) !== d.writesSha256) refuse('the values differ from the ones the supervisor signed');
    const s = d.signature;
    const statement = canonicalJson(
      signatureStatement({ documentSha256: s.documentSha256, meaning: s.meaning, at: s.at, signerFingerprint: s.signer.fingerprint }),
    );
    const trust = this.deps.identity.trust();
    const problem = !verifyWithCertificate(s.signer.certificatePem, statement, s.value)
      ? "the decision's signature does not verify"
      : certificateProblem(s.signer.certificatePem, trust.caPems, trust.revokedFingerprints, this.deps.clock());
    if (problem) refuse(problem);
  }

  /** Writes the values the decision allows, reading each back; records every outcome. */
  async restore(controllerId: string, writes: RestoreWrite[], decisionId: string, actor: Actor, changeId?: string): Promise<RestoreResult> {
    const ofChange = changeId ? { changeId } : {};
    this.assertUsable(controllerId, writes, decisionId);
    const controller = this.deps.controllers.get(controllerId);
    if (!controller.profile) refuse(`${controller.name} has no capture profile to say which tags are writable`);
    const profile = this.deps.profiles.load(controller.profile!.sha256);
    // Taken into use before the first write (synchronously, before any await): a second call with the same decision,
    // even one already in flight, is refused; a decision whose restore failed half-way needs a new decision.
    this.deps.journal.append('restore.started', { decisionId, ...ofChange, controllerId }, actor);
    let result: RestoreResult;
    // What the device process has reported so far: each value's outcome, and the value it last began to send.
    const reported = new Map<string, RestoreOutcome>();
    const sent: { last: { tag: string; expectedRaw: string } | null } = { last: null };
    try {
      // Each value's outcome is journalled the moment the device process reports it (restore.written), so a restore
      // cut short by the app being killed still shows which values were written and read back.
      result = await this.deps.devices.run<RestoreResult>(
        { kind: 'restore', payload: { target: controller.target, profile, writes } },
        {
          deadlineMs: 60_000 + writes.length * 10_000,
          onProgress: (p) => {
            if (p.writing) sent.last = p.writing;
            if (p.written) {
              reported.set(p.written.tag, p.written);
              this.deps.journal.append('restore.written', { decisionId, ...ofChange, controllerId, ...p.written }, actor);
            }
          },
        },
      );
    } catch (err) {
      // The job failed as a whole (the device process died, a driver hung, the connection could not be opened): what
      // it reported stays true. Values read back keep their outcome, the one being sent has an unknown outcome, and
      // the values never sent were not attempted.
      const message = err instanceof Error ? err.message : String(err);
      const inFlight = sent.last;
      const known: RestoreResult = {
        complete: false,
        outcomes: writes.map((w): RestoreOutcome => {
          const done = reported.get(w.tag);
          if (done) return done;
          if (inFlight && inFlight.tag === w.tag)
            return {
              tag: w.tag,
              status: 'write-failed',
              expectedRaw: inFlight.expectedRaw,
              readBackRaw: null,
              error: `${UNKNOWN_OUTCOME}, it was being written when the restore job failed: ${message}`,
            };
          return { tag: w.tag, status: 'not-attempted', expectedRaw: '', readBackRaw: null };
        }),
      };
      this.recordExecuted(decisionId, controllerId, known, actor, changeId);
      throw new BaselineError(
        'restore-failed',
        `The restore of ${controller.name} failed part-way: ${message}. ${outcomeWords(known)}`,
        'Read the controller to see what it holds now, then preview the restore again; the decision was used.',
      );
    }
    this.recordExecuted(decisionId, controllerId, result, actor, changeId);
    return result;
  }

  /** Records a restore's outcome, value by value (restore.executed). */
  private recordExecuted(decisionId: string, controllerId: string, result: RestoreResult, actor: Actor, changeId?: string): void {
    this.deps.journal.append(
      'restore.executed',
      {
        decisionId,
        ...(changeId ? { changeId } : {}),
        controllerId,
        complete: result.complete,
        outcomes: result.outcomes.map((o) => ({
          tag: o.tag,
          status: o.status,
          expectedRaw: o.expectedRaw,
          readBackRaw: o.readBackRaw,
          ...(o.error ? { error: o.error } : {}),
        })),
      },
      actor,
    );
  }
}
