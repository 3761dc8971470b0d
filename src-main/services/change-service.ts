/**
 * Change requests (issue #5): create, edit, submit, withdraw, approve / reject / defer with e-signatures. Every
 * operation goes through the pure state machine (src-shared/common/workflow/change-transition.ts), the one place
 * transitions are checked; each accepted operation is a `change.updated` event carrying the state it produced
 * and, for decisions, the signer's e-signature over the change's content.
 */
import { v7 as uuidv7 } from 'uuid';
import type { JsonValue } from '../../src-shared/common/canonical-json.ts';
import { resolveChangeRef } from '../../src-shared/common/workflow/change-ref.ts';
import { BaselineError } from '../../src-shared/common/errors.ts';
import type { Actor } from '../../src-shared/common/journal-event.ts';
import type { SignatureMeaning } from '../../src-shared/common/snapshot/snapshot.ts';
import { ChangeRequestFieldsSchema, type ChangeRequestFields } from '../../src-shared/common/workflow/change-request.ts';
import { evaluateRequest, type PlantFacts, type RequestEvaluation } from '../../src-shared/common/workflow/change-evaluation.ts';
import {
  changeName,
  changeNumber,
  formatChangeNumber,
  newChange,
  parseChangeNumber,
  type ChangeOperation,
  type ChangeState,
  type ExecutionVerification,
  type FollowUpKind,
} from '../../src-shared/common/workflow/change-state.ts';
import { transition } from '../../src-shared/common/workflow/change-transition.ts';
import type { Participant } from '../../src-shared/common/workflow/workflow-terms.ts';
import type { PlantLine } from '../../src-shared/common/workflow/plant-model.ts';
import { roleName } from '../../src-shared/common/workflow/policy-schema.ts';
import type { SignedAction, SignedActionOf } from '../../src-shared/common/workflow/signed-actions.ts';
import { dispatchAction, type Cosigner } from './change-actions.ts';
import { rollbackProofOp } from './rollback-proof-op.ts';
import { sha256Hex } from '../../src-shared/node/hash.ts';
import { cosignatureDocument, decisionDocument, reliedOn, type ReliedContext } from '../../src-shared/node/change-signature.ts';
import type { JournalRepository } from '../store/journal-repository.ts';
import type { ChangeRepository } from '../store/change-repository.ts';
import type { IdentityService } from './identity-service.ts';
import type { PolicyService } from './policy-service.ts';
import type { ChecklistTemplateService } from './checklist-template-service.ts';
import type { PlantModelService } from './plant-model-service.ts';
import type { ProfileService } from './profile-service.ts';
import type { BaselineService } from './baseline-service.ts';
import { approveAfterAsBaseline, checkReviewBaselines } from './change-baselines.ts';
import type { PersonRow } from '../store/identity-repository.ts';
import { captureStatus, notEvidenceReason } from '../../src-shared/common/workflow/change-capture.ts';

import {
  linesOfTargets,
  registerOf,
  requestedWindowsOf,
  type ChangeSummary,
  type RequestedWindow,
  type RestoreRecord,
} from './change-register.ts';
import type { ProposalView } from '../../src-shared/common/diff/proposal-view.ts';
import { proposalAgainstController, verifyAfterSnapshot } from './change-proposal.ts';
import { restoresFromEvents, timelineFromEvents, type TimelineEntry } from './change-history.ts';
export { changeOutcome, type ChangeOutcome, type ChangeSummary, type RestoreRecord } from './change-register.ts';

/** Runs the change workflow. */
export class ChangeService {
  private readonly deps: {
    changes: ChangeRepository;
    journal: JournalRepository;
    identity: IdentityService;
    policy: PolicyService;
    profiles: ProfileService;
    plantModel: PlantModelService;
    baselines: BaselineService;
    checklists: ChecklistTemplateService;
    clock: () => Date;
  };

  constructor(deps: ChangeService['deps']) {
    this.deps = deps;
  }

  /** What the plant model says about a request: its controllers' lines and whether it touches safety tags. */
  plantFacts(fields: ChangeRequestFields): PlantFacts {
    const lines = this.deps.plantModel.lines();
    const rows = this.deps.changes.targetControllers(fields.targetControllers);
    const lineFacts = [...new Set(rows.map((r) => r.line_id).filter((l): l is string => l !== null))]
      .map((id) => lines.find((l) => l.id === id))
      .filter((l): l is PlantLine => l !== undefined)
      .map((l) => ({ id: l.id, name: l.name, tier: l.tier }));
    const safetyTags: string[] = rows.filter((r) => r.safety === 1).map((r) => `(all of safety controller ${r.name})`);
    const pc = fields.proposedChange;
    if (pc?.kind === 'diff') {
      const profileSha = rows.find((r) => r.id === pc.controllerId)?.profile_sha256;
      if (profileSha) {
        const profile = this.deps.profiles.load(profileSha);
        for (const c of pc.changes) if (profile.tags.find((t) => t.tag === c.tag)?.safety) safetyTags.push(c.tag);
      }
    }
    return { lines: lineFacts, touchesSafetyTag: safetyTags.length > 0, safetyTags };
  }

  /** Live policy feedback for the request editor. */
  evaluate(fields: ChangeRequestFields): RequestEvaluation {
    return evaluateRequest(this.deps.policy.current(), fields, this.plantFacts(fields), this.deps.clock());
  }

  private participant(p: PersonRow): Participant {
    return { id: p.employeeId, name: p.name, roles: p.roles };
  }

  private state(id: string): ChangeState {
    const json = this.deps.changes.stateJson(id);
    if (json === null)
      throw new BaselineError('change-unknown', `No change request ${id} exists on this laptop.`, 'Pick one from the change register.');
    return JSON.parse(json) as ChangeState;
  }

  private apply(
    id: string,
    state: ChangeState,
    op: ChangeOperation,
    summary: string,
    signer: { person: PersonRow; meaning: SignatureMeaning; password: string } | null,
    actor: Actor,
    cosigners: readonly Cosigner[] = [],
    afterRules?: () => void,
  ): ChangeState {
    const now = this.deps.clock();
    const fields = op.type === 'edit' ? ChangeRequestFieldsSchema.parse({ ...state.fields, ...op.fields }) : state.fields;
    const policy = this.deps.policy;
    // The checkpoint file and the controllers' names are read only by the operations that need them.
    const { changes, checklists } = this.deps;
    let names: Record<string, string> | undefined;
    const result = transition(state, op, {
      now,
      policy: policy.current(),
      plant: this.plantFacts(fields),
      get checkpoints() {
        return policy.checkpoints();
      },
      get checklists() {
        return checklists.current();
      },
      get controllerNames() {
        return (names ??= changes.controllerNames());
      },
    });
    if (!result.ok) {
      const notes =
        result.rule === 'snapshots-missing'
          ? this.failedCaptureNotes(state, result.error.details as { phase?: 'before' | 'after'; controllers?: string[] } | undefined)
          : '';
      throw new BaselineError(result.error.code, result.error.message + notes, result.error.hint, { rule: result.rule });
    }
    afterRules?.();
    const next = JSON.parse(JSON.stringify(result.next)) as Record<string, unknown>;
    // The signature covers the change's content, the decision, and the hashes of what it relied on: the checklist
    // state, the snapshots, the diffs, the policy revision (11.70; change-signature.ts).
    const relied = signer ? reliedOn(next, this.reliedContext(result.next)) : null;
    const doc = { changeId: id, operation: op.type, fields: next['fields'] as JsonValue, summary, relied };
    const signature = signer
      ? this.deps.identity.sign(signer.person.employeeId, signer.password, signer.meaning, sha256Hex(decisionDocument(doc)))
      : null;
    // Override approvers and witnesses sign the same decision with their own passwords, after the transition passed.
    const cosignatures =
      cosigners.length === 0
        ? undefined
        : cosigners.map((c) =>
            this.deps.identity.sign(c.employeeId, c.password, c.meaning, sha256Hex(cosignatureDocument({ ...doc, as: c.as }))),
          );
    this.deps.journal.append(
      'change.updated',
      {
        changeId: id,
        operation: op.type,
        by: { id: op.by.id, name: op.by.name },
        summary,
        signature,
        ...(cosignatures ? { cosignatures, cosignedAs: cosigners.map((c) => c.as) } : {}),
        ...(relied ? { relied } : {}),
        state: next,
      },
      actor,
    );
    return result.next;
  }

  /**
   * For a GO or CLOSE refused for lack of snapshots: the latest capture of each missing controller taken from the
   * change's screen that is not evidence (cut off, cancelled, failed), named so the supervisor sees why.
   */
  private failedCaptureNotes(state: ChangeState, details: { phase?: 'before' | 'after'; controllers?: string[] } | undefined): string {
    if (!details?.phase || !details.controllers) return '';
    const rows = this.deps.changes.changeCaptureEvents(state.id).map(
      (r) =>
        JSON.parse(r.payload) as {
          controllerId: string;
          complete: boolean;
          good: number;
          tags: number;
          change: { phase: string };
          failure?: { code: string; message: string };
        },
    );
    const notes: string[] = [];
    for (const c of details.controllers) {
      const last = rows.filter((r) => r.controllerId === c && r.change.phase === details.phase).at(-1);
      if (!last || last.complete) continue;
      const status = captureStatus(last);
      notes.push(
        `the latest ${details.phase}-capture of ${this.deps.plantModel.controllerName(c)} was ${notEvidenceReason({ status, good: last.good, tags: last.tags, failure: last.failure ?? null })} and is not evidence; retry it`,
      );
    }
    return notes.length === 0 ? '' : ` Note: ${notes.join('; ')}.`;
  }

  /** What a signature relies on that the state does not hold: the policy and checkpoint file in force, the proposal's base snapshot. */
  private reliedContext(state: ChangeState): ReliedContext {
    const inForce = this.deps.policy.inForce();
    const pc = state.fields.proposedChange;
    let base: string | null = null;
    if (pc?.kind === 'diff') {
      const before =
        'execution' in state
          ? (state.execution.snapshots ?? []).filter((x) => x.phase === 'before' && x.controllerId === pc.controllerId).at(-1)
          : undefined;
      base = before?.snapshotSha256 ?? this.deps.baselines.current(pc.controllerId)?.snapshotSha256 ?? null;
    }
    const checklists = this.deps.checklists.revisionInForce();
    return {
      policy: {
        revision: inForce.revision,
        sha256: inForce.sha256,
        checkpointsSha256: this.deps.policy.checkpointsSha256(),
        ...(checklists ? { checklists } : {}),
      },
      proposalBaseSha256: base,
    };
  }

  /** A new draft by a requester (an enrolled person). */
  create(requesterId: string, fields: unknown, actor: Actor): ChangeState {
    const person = this.deps.identity.personByEmployeeId(requesterId);
    const parsed = ChangeRequestFieldsSchema.parse(fields ?? {});
    const id = uuidv7();
    const draft = newChange(id, { id: person.employeeId, name: person.name }, parsed, this.deps.clock(), this.nextChangeNumber());
    this.deps.journal.append(
      'change.updated',
      {
        changeId: id,
        operation: 'create',
        by: { id: person.employeeId, name: person.name },
        summary: `filed ${changeName(draft)}`,
        signature: null,
        state: JSON.parse(JSON.stringify(draft)) as Record<string, unknown>,
      },
      actor,
    );
    return draft;
  }

  /**
   * The plant's next change number: one past the highest this data directory knows (its own and every synced
   * laptop's changes). Two laptops filing offline at the same time can give the same number; the id stays unique.
   */
  private nextChangeNumber(): string {
    return formatChangeNumber(this.deps.changes.changeNumbers().reduce((max, n) => Math.max(max, parseChangeNumber(n) ?? 0), 0) + 1);
  }

  /** Edits a draft (requester only; checked by the state machine). */
  edit(id: string, byId: string, fields: Partial<ChangeRequestFields>, actor: Actor): ChangeState {
    const person = this.deps.identity.personByEmployeeId(byId);
    return this.apply(id, this.state(id), { type: 'edit', by: this.participant(person), fields }, 'edited the request', null, actor);
  }

  /** Ticks (or clears) a checklist item, unsigned like a draft edit: the next checkpoint signature relies on it. */
  tick(
    id: string,
    byId: string,
    tick: Omit<Extract<ChangeOperation, { type: 'tick-item' }>, 'type' | 'by'>,
    summary: string,
    actor: Actor,
  ): ChangeState {
    return this.apply(
      id,
      this.state(id),
      { type: 'tick-item', by: this.participant(this.deps.identity.personByEmployeeId(byId)), ...tick },
      summary,
      null,
      actor,
    );
  }

  /** A signed action (any entry of the signed-actions table), signed with the person's password; co-signers sign the same decision. */
  act(id: string, byId: string, password: string, action: SignedAction, actor: Actor): ChangeState {
    const person = this.deps.identity.personByEmployeeId(byId);
    const policy = this.deps.policy;
    const state = this.state(id);
    const { op, summary, meaning, cosigners } = dispatchAction(action, {
      by: this.participant(person),
      participant: (employeeId) => this.participant(this.deps.identity.personByEmployeeId(employeeId)),
      nameWithId: (employeeId) => this.nameWithId(employeeId),
      controllerName: (controllerId) => this.deps.plantModel.controllerName(controllerId),
      roleName: (role) => roleName(policy.current(), role),
      timeZone: () => policy.current().plant.timeZone,
      checkpoints: () => policy.checkpoints(),
      snapshotOp: (by, a) => this.snapshotOp(id, by, a),
      explainOp: (by, a) => this.explainOp(by, a),
      rollbackProofOp: (by, a) =>
        rollbackProofOp({ baselines: this.deps.baselines, controllerName: (c) => this.deps.plantModel.controllerName(c) }, state, by, a),
      change: () => state,
      now: () => this.deps.clock(),
      newChangeId: () => uuidv7(),
    });
    // The post-implementation review approves the after-snapshots as the new baselines: checked once the rules allow
    // the review and before anything is signed, approved right after it.
    const baselines =
      op.type === 'post-implementation-review'
        ? op.baselines.filter((b) => this.deps.baselines.current(b.controllerId)?.snapshotSha256 !== b.snapshotSha256)
        : [];
    const next = this.apply(id, state, op, summary, { person, meaning, password }, actor, cosigners, () =>
      checkReviewBaselines(this.deps, person, baselines),
    );
    for (const b of baselines) this.deps.baselines.approve(b.controllerId, b.snapshotSha256, person.employeeId, password, actor, id);
    if (op.type === 'retrospective-review' && op.followUpChangeId !== undefined)
      this.fileFollowUp(next, op.followUpChangeId, op.followUp ?? 'corrective-change', op.comment, actor);
    return next;
  }

  /** Files the follow-up a rejecting retrospective review opened: a draft linked to the rejected change, filed by the reviewer. */
  private fileFollowUp(rejected: ChangeState, followUpId: string, kind: FollowUpKind, reason: string, actor: Actor): void {
    const by = 'execution' in rejected ? rejected.execution.retrospective?.rejection?.by : undefined;
    if (!by) return;
    const words = kind === 'rollback' ? 'Roll back' : 'Correct';
    const fields = ChangeRequestFieldsSchema.parse({
      title: `${words} ${changeNumber(rejected)}: ${rejected.fields.title}`.slice(0, 200),
      description: `Opened by the retrospective review that rejected ${changeName(rejected)}: ${reason.trim()}`,
      class: kind === 'rollback' ? 'emergency' : 'normal',
      targetControllers: rejected.fields.targetControllers,
    });
    const draft = {
      ...newChange(followUpId, by, fields, this.deps.clock(), this.nextChangeNumber()),
      followUpOf: { changeId: rejected.id, number: changeNumber(rejected), kind },
    };
    this.deps.journal.append(
      'change.updated',
      {
        changeId: followUpId,
        operation: 'create',
        by,
        summary: `filed ${changeName(draft)} as the ${kind === 'rollback' ? 'rollback' : 'corrective change'} of ${changeName(rejected)}`,
        signature: null,
        state: JSON.parse(JSON.stringify(draft)) as Record<string, unknown>,
      },
      actor,
    );
  }

  /** "Eli Engineer (E101)"; the id alone for someone not enrolled here. */
  private nameWithId(employeeId: string): string {
    try {
      return `${this.deps.identity.personByEmployeeId(employeeId).name} (${employeeId})`;
    } catch {
      return employeeId;
    }
  }

  /** The explain operation: the supervisor who countersigns, as the role they name or else their first checkpoint role. */
  private explainOp(by: Participant, action: SignedActionOf<'explain'>): ChangeOperation {
    const supervisor = this.participant(this.deps.identity.personByEmployeeId(action.supervisorEmployeeId));
    const roles = this.deps.policy.checkpoints().signerRoles;
    const role = action.supervisorRole ?? supervisor.roles.find((r) => roles.includes(r)) ?? roles[0]!;
    return { type: 'explain', by, countersigner: supervisor, role, explanations: action.explanations };
  }

  /**
   * The operation recording a snapshot on a change: the snapshot verified (signatures, trusted CA) and of that
   * controller; for an after-snapshot, its comparison with the change's before-snapshot and proposed diff.
   */
  private snapshotOp(changeId: string, by: Participant, action: SignedActionOf<'record-snapshot'>): ChangeOperation {
    const { file, controllerId } = this.deps.baselines.verifiedSnapshot(action.snapshotSha256);
    if (controllerId !== action.controllerId) {
      throw new BaselineError(
        'snapshot-other-controller',
        `Snapshot ${action.snapshotSha256.slice(0, 12)}… is of ${file.document.controller.description}, not of ${this.deps.plantModel.controllerName(action.controllerId)}.`,
        'Pick a signed snapshot of this controller.',
      );
    }
    const signature = file.signatures[0]!;
    const state = this.state(changeId);
    let verification: ExecutionVerification | null = null;
    if (action.phase === 'after' && state.status === 'in-execution') {
      const before = (state.execution.snapshots ?? []).filter((x) => x.phase === 'before' && x.controllerId === action.controllerId).at(-1);
      if (before)
        verification = verifyAfterSnapshot(
          this.deps.baselines.verifiedSnapshot(before.snapshotSha256).file,
          file,
          action.controllerId,
          state.fields,
        );
    }
    return {
      type: 'record-snapshot',
      by,
      phase: action.phase,
      controllerId: action.controllerId,
      snapshot: { sha256: action.snapshotSha256, capturedBy: signature.signer.name, capturedAt: file.document.capture.at },
      verification,
    };
  }

  /**
   * Step 6 of the OT change framework: a completed change's latest after-snapshot of a controller approved as its
   * next baseline version (change-baselines.ts).
   */
  approveAfterAsBaseline(changeId: string, controllerId: string, employeeId: string, password: string, actor: Actor): { version: number } {
    return approveAfterAsBaseline(this.deps, this.state(changeId), controllerId, employeeId, password, actor);
  }

  /** The request's proposed tag values as a diff against the controller (change-proposal.ts); null when the proposal is not a diff. */
  proposal(state: ChangeState, latestSnapshot: (controllerId: string) => { sha256: string; signer: string } | null): ProposalView | null {
    return proposalAgainstController(this.deps, state, latestSnapshot);
  }

  /** The change id a reference names: the id itself, or the plant number ("CR-0007"). */
  resolveRef(ref: string): string {
    return resolveChangeRef(ref, (n) => this.deps.changes.idsByNumber(n));
  }

  /** One change's state. */
  get(id: string): ChangeState {
    return this.state(id);
  }

  /** Lines of a change's target controllers, from one read of where every controller is (no profile loads). */
  private linesOfTargets(): (fields: ChangeRequestFields) => string[] {
    return linesOfTargets(
      this.deps.plantModel.lines().map((l) => l.id),
      this.deps.changes.controllerLineRows(),
    );
  }

  /** Every restore of every change (or of one), by change id (one read of the restore events). */
  private restoresByChange(changeId?: string): Map<string, RestoreRecord[]> {
    return restoresFromEvents(this.deps.changes.restoreEvents(changeId));
  }

  /** The restores of one rolled-back change, oldest first. */
  restores(id: string): RestoreRecord[] {
    return this.restoresByChange(id).get(id) ?? [];
  }

  /** The change register, newest first (change-register.ts). */
  list(): ChangeSummary[] {
    return registerOf(this.deps.changes.summaries(), this.linesOfTargets(), this.restoresByChange());
  }

  /** Each change's booked slot, or else the window it asked for, with the lines of their controllers (for the calendar). */
  requestedWindows(): RequestedWindow[] {
    return requestedWindowsOf(
      this.deps.changes.statesJsonByCreation().map((json) => JSON.parse(json) as ChangeState),
      this.linesOfTargets(),
    );
  }

  /**
   * The change's whole history, oldest first: every decision on it, every restore of its controllers, every
   * capture and signed snapshot of its target controllers while it was executing or rolled back, and the new
   * baselines approved from it (change-history.ts).
   */
  timeline(id: string): TimelineEntry[] {
    const state = this.state(id);
    const from = 'execution' in state ? state.execution.startedAt : null;
    const to = state.status === 'closed' ? state.closure.at : null;
    const rows = this.deps.changes.timelineEvents(id, from, to);
    return timelineFromEvents(rows, state.fields.targetControllers, (cid) => this.deps.plantModel.controllerName(cid));
  }
}
