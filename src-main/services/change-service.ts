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
import { changeName, changeNameStart, changeNumber, formatChangeNumber, newChange, parseChangeNumber, type ChangeOperation, type ChangeState, type ExecutionVerification, type FollowUpKind } from '../../src-shared/common/workflow/change-state.ts';
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
import { BASELINE_APPROVER_ROLES, type BaselineService } from './baseline-service.ts';
import type { CaptureDocument } from '../../src-shared/common/capture/capture-document.ts';
import { diffableFromCapture } from '../../src-shared/common/diff/diffable-document.ts';
import { diffDocuments } from '../../src-shared/common/diff/document-diff.ts';
import { PROPOSAL_STATUSES, compareWithProposed } from '../../src-shared/common/diff/proposed-diff.ts';
import type { SnapshotFile } from '../../src-shared/common/snapshot/snapshot.ts';
import type { PersonRow } from '../store/identity-repository.ts';
import { proposalView, type ProposalView } from '../../src-shared/common/diff/proposal-view.ts';
import { captureStatus, notEvidenceReason } from '../../src-shared/common/workflow/change-capture.ts';

import { changeOutcome, peopleIn, type ChangeSummary, type RestoreRecord } from './change-register.ts';
export { changeOutcome, type ChangeOutcome, type ChangeSummary, type RestoreRecord } from './change-register.ts';

/** Runs the change workflow. */
export class ChangeService {
  private readonly deps: { changes: ChangeRepository; journal: JournalRepository; identity: IdentityService; policy: PolicyService; profiles: ProfileService; plantModel: PlantModelService; baselines: BaselineService; checklists: ChecklistTemplateService; clock: () => Date };

  constructor(deps: ChangeService['deps']) {
    this.deps = deps;
  }

  /** What the plant model says about a request: its controllers' lines and whether it touches safety tags. */
  plantFacts(fields: ChangeRequestFields): PlantFacts {
    const lines = this.deps.plantModel.lines();
    const rows = this.deps.changes.targetControllers(fields.targetControllers);
    const lineFacts = [...new Set(rows.map((r) => r.line_id).filter((l): l is string => l !== null))]
      .map((id) => lines.find((l) => l.id === id)).filter((l): l is PlantLine => l !== undefined)
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
    if (json === null) throw new BaselineError('change-unknown', `No change request ${id} exists on this laptop.`, 'Pick one from the change register.');
    return JSON.parse(json) as ChangeState;
  }

  private apply(id: string, state: ChangeState, op: ChangeOperation, summary: string, signer: { person: PersonRow; meaning: SignatureMeaning; password: string } | null, actor: Actor,
    cosigners: readonly Cosigner[] = [], afterRules?: () => void): ChangeState {
    const now = this.deps.clock();
    const fields = op.type === 'edit' ? ChangeRequestFieldsSchema.parse({ ...state.fields, ...op.fields }) : state.fields;
    const policy = this.deps.policy;
    // The checkpoint file and the controllers' names are read only by the operations that need them.
    const { changes, checklists } = this.deps;
    let names: Record<string, string> | undefined;
    const result = transition(state, op, {
      now, policy: policy.current(), plant: this.plantFacts(fields),
      get checkpoints() { return policy.checkpoints(); },
      get checklists() { return checklists.current(); },
      get controllerNames() { return (names ??= changes.controllerNames()); },
    });
    if (!result.ok) {
      const notes = result.rule === 'snapshots-missing' ? this.failedCaptureNotes(state, result.error.details as { phase?: 'before' | 'after'; controllers?: string[] } | undefined) : '';
      throw new BaselineError(result.error.code, result.error.message + notes, result.error.hint, { rule: result.rule });
    }
    afterRules?.();
    const next = JSON.parse(JSON.stringify(result.next)) as Record<string, unknown>;
    // The signature covers the change's content, the decision, and the hashes of what it relied on: the checklist
    // state, the snapshots, the diffs, the policy revision (11.70; change-signature.ts).
    const relied = signer ? reliedOn(next, this.reliedContext(result.next)) : null;
    const doc = { changeId: id, operation: op.type, fields: next['fields'] as JsonValue, summary, relied };
    const signature = signer ? this.deps.identity.sign(signer.person.employeeId, signer.password, signer.meaning, sha256Hex(decisionDocument(doc))) : null;
    // Override approvers and witnesses sign the same decision with their own passwords, after the transition passed.
    const cosignatures = cosigners.length === 0 ? undefined : cosigners.map((c) => this.deps.identity.sign(c.employeeId, c.password, c.meaning,
      sha256Hex(cosignatureDocument({ ...doc, as: c.as }))));
    this.deps.journal.append('change.updated', {
      changeId: id, operation: op.type, by: { id: op.by.id, name: op.by.name }, summary, signature,
      ...(cosignatures ? { cosignatures, cosignedAs: cosigners.map((c) => c.as) } : {}), ...(relied ? { relied } : {}), state: next,
    }, actor);
    return result.next;
  }

  /**
   * For a GO or CLOSE refused for lack of snapshots: the latest capture of each missing controller taken from the
   * change's screen that is not evidence (cut off, cancelled, failed), named so the supervisor sees why.
   */
  private failedCaptureNotes(state: ChangeState, details: { phase?: 'before' | 'after'; controllers?: string[] } | undefined): string {
    if (!details?.phase || !details.controllers) return '';
    const rows = this.deps.changes.changeCaptureEvents(state.id).map((r) => JSON.parse(r.payload) as { controllerId: string; complete: boolean; good: number; tags: number; change: { phase: string }; failure?: { code: string; message: string } });
    const notes: string[] = [];
    for (const c of details.controllers) {
      const last = rows.filter((r) => r.controllerId === c && r.change.phase === details.phase).at(-1);
      if (!last || last.complete) continue;
      const status = captureStatus(last);
      notes.push(`the latest ${details.phase}-capture of ${this.deps.plantModel.controllerName(c)} was ${notEvidenceReason({ status, good: last.good, tags: last.tags, failure: last.failure ?? null })} and is not evidence; retry it`);
    }
    return notes.length === 0 ? '' : ` Note: ${notes.join('; ')}.`;
  }

  /** What a signature relies on that the state does not hold: the policy and checkpoint file in force, the proposal's base snapshot. */
  private reliedContext(state: ChangeState): ReliedContext {
    const inForce = this.deps.policy.inForce();
    const pc = state.fields.proposedChange;
    let base: string | null = null;
    if (pc?.kind === 'diff') {
      const before = 'execution' in state ? (state.execution.snapshots ?? []).filter((x) => x.phase === 'before' && x.controllerId === pc.controllerId).at(-1) : undefined;
      base = before?.snapshotSha256 ?? this.deps.baselines.current(pc.controllerId)?.snapshotSha256 ?? null;
    }
    const checklists = this.deps.checklists.revisionInForce();
    return { policy: { revision: inForce.revision, sha256: inForce.sha256, checkpointsSha256: this.deps.policy.checkpointsSha256(), ...(checklists ? { checklists } : {}) }, proposalBaseSha256: base };
  }

  /** A new draft by a requester (an enrolled person). */
  create(requesterId: string, fields: unknown, actor: Actor): ChangeState {
    const person = this.deps.identity.personByEmployeeId(requesterId);
    const parsed = ChangeRequestFieldsSchema.parse(fields ?? {});
    const id = uuidv7();
    const draft = newChange(id, { id: person.employeeId, name: person.name }, parsed, this.deps.clock(), this.nextChangeNumber());
    this.deps.journal.append('change.updated', {
      changeId: id, operation: 'create', by: { id: person.employeeId, name: person.name }, summary: `filed ${changeName(draft)}`, signature: null,
      state: JSON.parse(JSON.stringify(draft)) as Record<string, unknown>,
    }, actor);
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
  tick(id: string, byId: string, tick: Omit<Extract<ChangeOperation, { type: 'tick-item' }>, 'type' | 'by'>, summary: string, actor: Actor): ChangeState {
    return this.apply(id, this.state(id), { type: 'tick-item', by: this.participant(this.deps.identity.personByEmployeeId(byId)), ...tick }, summary, null, actor);
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
      rollbackProofOp: (by, a) => rollbackProofOp({ baselines: this.deps.baselines, controllerName: (c) => this.deps.plantModel.controllerName(c) }, state, by, a),
      change: () => state,
      now: () => this.deps.clock(),
      newChangeId: () => uuidv7(),
    });
    // The post-implementation review approves the after-snapshots as the new baselines: checked once the rules allow
    // the review and before anything is signed, approved right after it.
    const baselines = op.type === 'post-implementation-review' ? op.baselines.filter((b) => this.deps.baselines.current(b.controllerId)?.snapshotSha256 !== b.snapshotSha256) : [];
    const next = this.apply(id, state, op, summary, { person, meaning, password }, actor, cosigners, () => this.baselineChecks(person, baselines));
    for (const b of baselines) this.deps.baselines.approve(b.controllerId, b.snapshotSha256, person.employeeId, password, actor, id);
    if (op.type === 'retrospective-review' && op.followUpChangeId !== undefined) this.fileFollowUp(next, op.followUpChangeId, op.followUp ?? 'corrective-change', op.comment, actor);
    return next;
  }

  /** The reviewer may approve these after-snapshots as baselines: a baseline approver who signed none of them. */
  private baselineChecks(person: PersonRow, baselines: readonly { controllerId: string; snapshotSha256: string }[]): void {
    if (baselines.length === 0) return;
    if (!person.roles.some((r) => BASELINE_APPROVER_ROLES.includes(r))) {
      throw new BaselineError('baseline-not-approver', `${person.name} holds none of the roles that approve baselines (${BASELINE_APPROVER_ROLES.join(', ')}), and the post-implementation review approves the new baselines.`, 'Ask a plant engineering manager not on the change.');
    }
    for (const b of baselines) {
      if (this.deps.baselines.verifiedSnapshot(b.snapshotSha256).file.signatures.some((x) => x.signer.employeeId === person.employeeId)) {
        throw new BaselineError('baseline-self-approval', `${person.name} signed the after-snapshot of ${this.deps.plantModel.controllerName(b.controllerId)} and cannot approve it as the baseline.`, 'Another reviewer signs the post-implementation review.');
      }
    }
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
    const draft = { ...newChange(followUpId, by, fields, this.deps.clock(), this.nextChangeNumber()), followUpOf: { changeId: rejected.id, number: changeNumber(rejected), kind } };
    this.deps.journal.append('change.updated', {
      changeId: followUpId, operation: 'create', by, summary: `filed ${changeName(draft)} as the ${kind === 'rollback' ? 'rollback' : 'corrective change'} of ${changeName(rejected)}`, signature: null,
      state: JSON.parse(JSON.stringify(draft)) as Record<string, unknown>,
    }, actor);
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
      throw new BaselineError('snapshot-other-controller', `Snapshot ${action.snapshotSha256.slice(0, 12)}… is of ${file.document.controller.description}, not of ${this.deps.plantModel.controllerName(action.controllerId)}.`,
        'Pick a signed snapshot of this controller.');
    }
    const signature = file.signatures[0]!;
    const state = this.state(changeId);
    let verification: ExecutionVerification | null = null;
    if (action.phase === 'after' && (state.status === 'in-execution')) {
      const before = (state.execution.snapshots ?? []).filter((x) => x.phase === 'before' && x.controllerId === action.controllerId).at(-1);
      if (before) verification = this.verify(this.deps.baselines.verifiedSnapshot(before.snapshotSha256).file, file, action.controllerId, state.fields);
    }
    return {
      type: 'record-snapshot', by, phase: action.phase, controllerId: action.controllerId,
      snapshot: { sha256: action.snapshotSha256, capturedBy: signature.signer.name, capturedAt: file.document.capture.at }, verification,
    };
  }

  /** The after-snapshot against the before-snapshot and the proposal for this controller (config tags; live ones move on their own). */
  private verify(before: SnapshotFile, after: SnapshotFile, controllerId: string, fields: ChangeRequestFields): ExecutionVerification {
    const diff = diffDocuments(diffableFromCapture(before.document as unknown as CaptureDocument, controllerId), diffableFromCapture(after.document as unknown as CaptureDocument, controllerId), { includeUnchanged: false });
    const pc = fields.proposedChange;
    const proposed = pc?.kind === 'diff' && pc.controllerId === controllerId ? pc.changes : [];
    const cmp = compareWithProposed(diff, proposed);
    const ordered = PROPOSAL_STATUSES.flatMap((status) => cmp.findings.filter((f) => f.status === status));
    return {
      proposal: proposed.length > 0 ? 'diff' : 'none', matches: cmp.matches, counts: cmp.counts,
      findings: ordered.slice(0, 50).map((f) => ({ tag: f.tag, status: f.status, reason: f.reason })), configDifferences: diff.summary.configDifferences,
    };
  }

  /**
   * Step 6 of the OT change framework: the approved post-change state becomes the new baseline. A completed change's latest
   * after-snapshot of a controller is approved as that controller's next baseline version by a baseline approver
   * (never the person who captured it), and the approval names the change.
   */
  approveAfterAsBaseline(changeId: string, controllerId: string, employeeId: string, password: string, actor: Actor): { version: number } {
    const state = this.state(changeId);
    if (state.status !== 'closed' || state.closure.outcome !== 'completed') {
      throw new BaselineError('baseline-change-not-completed', `${changeNameStart(state)} is ${state.status}${state.status === 'closed' ? ' (rolled back)' : ''}; only a change closed as completed gives a new baseline.`,
        'Close the change after its post-change CLOSE decision first.');
    }
    const after = (state.execution.snapshots ?? []).filter((x) => x.phase === 'after' && x.controllerId === controllerId).at(-1);
    if (!after) {
      throw new BaselineError('baseline-no-after', `${changeNameStart(state)} has no after-snapshot of ${this.deps.plantModel.controllerName(controllerId)}.`, 'Only a recorded after-snapshot becomes the new baseline.');
    }
    if (state.review.evaluation.postImplementationReview !== undefined) {
      throw new BaselineError('baseline-by-review', `${changeNameStart(state)} is a ${state.review.evaluation.class} change: its new baseline is approved by its post-implementation review.`,
        'Sign the post-implementation review on the change; it approves the after-snapshots as the new baselines.');
    }
    if (employeeId === state.requester.id || employeeId === state.execution.executor.id) {
      throw new BaselineError('segregation-of-duties', `${this.deps.identity.personByEmployeeId(employeeId).name} filed or carried out ${changeName(state)} and cannot approve its result as the new baseline.`,
        'A baseline approver who was not on the change approves it.');
    }
    if (this.deps.baselines.current(controllerId)?.snapshotSha256 === after.snapshotSha256) {
      throw new BaselineError('baseline-already', `The after-snapshot of ${this.deps.plantModel.controllerName(controllerId)} is already its baseline.`, 'Nothing more to approve.');
    }
    return { version: this.deps.baselines.approve(controllerId, after.snapshotSha256, employeeId, password, actor, changeId).version };
  }

  /**
   * The request's proposed tag values as a diff against the controller: the change's before-snapshot once the work
   * started, else its approved baseline, else its latest signed snapshot, else the request's own "from" values. Null
   * when the proposal is not a diff.
   */
  proposal(state: ChangeState, latestSnapshot: (controllerId: string) => { sha256: string; signer: string } | null): ProposalView | null {
    const pc = state.fields.proposedChange;
    if (pc?.kind !== 'diff') return null;
    const controllerId = pc.controllerId;
    const profileSha256 = this.deps.changes.controllerProfileSha256(controllerId);
    const profile = profileSha256 ? this.deps.profiles.load(profileSha256).tags : [];
    const baseline = this.deps.baselines.current(controllerId);
    const latest = latestSnapshot(controllerId);
    // Once the work started, "before" is the before-snapshot recorded on the change, whatever happened since.
    const recorded = 'execution' in state ? (state.execution.snapshots ?? []).filter((x) => x.phase === 'before' && x.controllerId === controllerId).at(-1) : undefined;
    const source = recorded ? { sha256: recorded.snapshotSha256, label: `the change's before-snapshot (captured by ${recorded.capturedBy})` } : baseline ? { sha256: baseline.snapshotSha256, label: `baseline v${baseline.version}` } : latest ? { sha256: latest.sha256, label: `the latest signed snapshot (captured by ${latest.signer})` } : null;
    let current: Parameters<typeof proposalView>[3] = null;
    if (source) {
      try {
        current = { document: diffableFromCapture(this.deps.baselines.verifiedSnapshot(source.sha256).file.document as unknown as CaptureDocument, controllerId), label: source.label };
      } catch {
        current = null; // a snapshot that no longer verifies is not shown as the controller's state
      }
    }
    const name = this.deps.plantModel.controllerName(controllerId);
    const controller = current?.document.controller ?? { id: controllerId, protocol: '', address: '', description: name };
    return proposalView(controller, pc.changes, profile, current);
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
    const known = new Set(this.deps.plantModel.lines().map((l) => l.id));
    const lineOf = new Map(this.deps.changes.controllerLineRows()
      .filter((r) => known.has(r.line_id)).map((r) => [r.id, r.line_id]));
    return (fields) => [...new Set(fields.targetControllers.map((id) => lineOf.get(id)).filter((l): l is string => l !== undefined))];
  }

  /** Every restore of every change, by change id (one read of the restore events). */
  private restoresByChange(changeId?: string): Map<string, RestoreRecord[]> {
    const rows = this.deps.changes.restoreEvents(changeId);
    const byDecision = new Map<string, RestoreRecord & { changeId: string; tags: string[] }>();
    for (const r of rows) {
      const p = JSON.parse(r.payload) as Record<string, unknown>;
      if (r.type === 'restore.authorized') {
        if (typeof p.changeId !== 'string') continue;
        const sig = p.signature as { signer: { name: string } };
        byDecision.set(String(p.id), {
          changeId: p.changeId, controllerId: String(p.controllerId), decisionId: String(p.id), authorizedBy: sig.signer.name, authorizedAt: r.at,
          reason: String(p.reason), writes: (p.writes as unknown[]).length, startedAt: null, steps: [], interrupted: false, inFlight: null, written: null, verified: null,
          tags: (p.writes as { tag: string }[]).map((w) => w.tag),
        });
        continue;
      }
      const rec = byDecision.get(String(p.decisionId));
      if (!rec) continue;
      if (r.type === 'restore.started') {
        rec.startedAt = r.at;
        rec.interrupted = true; // until its restore.executed arrives
      } else if (r.type === 'restore.written') {
        rec.steps.push({ tag: String(p.tag), status: p.status as RestoreRecord['steps'][number]['status'], at: r.at });
      } else if (r.type === 'restore.executed') {
        rec.interrupted = false;
        const outcomes = p.outcomes as { status: string }[];
        rec.written = { verified: outcomes.filter((o) => o.status === 'written-verified').length, failed: outcomes.filter((o) => o.status !== 'written-verified').length, complete: p.complete === true, at: r.at };
      } else {
        rec.verified = { matchesBefore: p.matchesBefore === true, remaining: (p.remaining as unknown[]).length, at: r.at };
      }
    }
    const out = new Map<string, RestoreRecord[]>();
    for (const { changeId: c, tags, ...rec } of byDecision.values()) {
      if (rec.interrupted && rec.steps.every((x) => x.status === 'written-verified')) rec.inFlight = tags[rec.steps.length] ?? null;
      out.set(c, [...(out.get(c) ?? []), rec]);
    }
    return out;
  }

  /** The restores of one rolled-back change, oldest first. */
  restores(id: string): RestoreRecord[] {
    return this.restoresByChange(id).get(id) ?? [];
  }

  /** The change register, newest first. */
  list(): ChangeSummary[] {
    const linesOf = this.linesOfTargets();
    const restores = this.restoresByChange();
    return this.deps.changes.summaries()
      .map((r) => {
        const state = JSON.parse(r.state) as ChangeState;
        return {
          id: r.id, number: changeNumber(state), status: r.status, outcome: changeOutcome(state, restores.get(r.id) ?? []), title: r.title, class: r.class, requester: r.requester, people: peopleIn(state),
          lines: linesOf(state.fields), createdAt: r.created_at, updatedAt: r.updated_at,
        };
      });
  }

  /** Each change's booked slot, or else the window it asked for, with the lines of their controllers (for the calendar). */
  requestedWindows(): { id: string; title: string; status: string; start: string; end: string; lines: string[] }[] {
    const linesOf = this.linesOfTargets();
    return this.deps.changes.statesJsonByCreation()
      .map((json) => JSON.parse(json) as ChangeState)
      .filter((c) => c.status !== 'withdrawn' && c.status !== 'rejected')
      .flatMap((c) => {
        // Once booked, the slot is what the calendar must show; until then, the window the request asked for.
        const w = 'slot' in c && c.slot ? c.slot : c.fields.requestedWindow;
        return w ? [{ id: c.id, title: c.fields.title, status: c.status, start: w.start, end: w.end, lines: linesOf(c.fields) }] : [];
      });
  }

  /**
   * The change's whole history, oldest first: every decision on it (`change.updated`), every restore of its
   * controllers (decision, start, writes, proof; restore events carry the change id), every capture and signed
   * snapshot of its target controllers while it was executing or rolled back, and the new baselines approved from
   * it; each with the name of who did it.
   */
  timeline(id: string): { at: string; operation: string; by: string; summary: string; signed: boolean; seq: number }[] {
    const state = this.state(id);
    const names = (cid: string) => this.deps.plantModel.controllerName(cid);
    const from = 'execution' in state ? state.execution.startedAt : null;
    const to = state.status === 'closed' ? state.closure.at : null;
    const targets = state.fields.targetControllers;
    const rows = this.deps.changes.timelineEvents(id, from, to);
    const out: { at: string; operation: string; by: string; summary: string; signed: boolean; seq: number }[] = [];
    for (const r of rows) {
      const p = JSON.parse(r.payload) as Record<string, unknown>;
      const actor = (JSON.parse(r.actor) as { name?: string; id?: string } | null)?.name ?? 'Baseline';
      if (r.type === 'change.updated') {
        const c = p as { operation: string; by: { name: string }; summary: string; signature: unknown };
        out.push({ at: r.at, operation: c.operation, by: c.by.name, summary: c.summary, signed: c.signature !== null, seq: r.seq });
      } else if (r.type === 'capture.recorded') {
        if (typeof p.controllerId !== 'string' || !targets.includes(p.controllerId)) continue;
        out.push({ at: r.at, operation: 'capture', by: actor, summary: `captured ${names(p.controllerId)} (${p.complete === true ? 'complete' : 'incomplete'})`, signed: false, seq: r.seq });
      } else if (r.type === 'snapshot.captured') {
        if (typeof p.controllerId !== 'string' || !targets.includes(p.controllerId)) continue;
        out.push({ at: r.at, operation: 'snapshot-signed', by: String(p.signer), summary: `signed a snapshot of ${names(p.controllerId)} "captured by" (${String(p.snapshotSha256).slice(0, 12)}…${p.complete === true ? '' : ', incomplete'})`, signed: true, seq: r.seq });
      } else if (r.type === 'baseline.approved') {
        const sig = p.approval as { signer: { name: string } };
        out.push({ at: r.at, operation: 'baseline-approved', by: sig.signer.name, summary: `approved the after-snapshot of ${names(String(p.controllerId))} as its baseline v${String(p.version)}`, signed: true, seq: r.seq });
      } else if (r.type === 'restore.authorized') {
        const sig = p.signature as { signer: { name: string } };
        out.push({ at: r.at, operation: 'restore-authorized', by: sig.signer.name, summary: `authorized writing ${(p.writes as unknown[]).length} value(s) back to ${names(String(p.controllerId))}: ${String(p.reason)}`, signed: true, seq: r.seq });
      } else if (r.type === 'restore.started') {
        out.push({ at: r.at, operation: 'restore-started', by: actor, summary: `started writing to ${names(String(p.controllerId))}`, signed: false, seq: r.seq });
      } else if (r.type === 'restore.written') {
        const words = p.status === 'written-verified' ? `wrote ${String(p.tag)} to ${names(String(p.controllerId))} and read it back equal`
          : p.status === 'write-failed' ? `writing ${String(p.tag)} to ${names(String(p.controllerId))} failed` : `wrote ${String(p.tag)} to ${names(String(p.controllerId))} but read back a different value`;
        out.push({ at: r.at, operation: 'restore-written', by: actor, summary: words, signed: false, seq: r.seq });
      } else if (r.type === 'restore.executed') {
        const outcomes = p.outcomes as { status: string }[];
        const ok = outcomes.filter((o) => o.status === 'written-verified').length;
        out.push({ at: r.at, operation: 'restore-executed', by: actor, summary: `wrote ${ok} of ${outcomes.length} value(s) to ${names(String(p.controllerId))}, each read back${p.complete === true ? '' : '; the restore did not complete'}`, signed: false, seq: r.seq });
      } else {
        out.push({ at: r.at, operation: 'restore-verified', by: actor, summary: p.matchesBefore === true ? `read ${names(String(p.controllerId))} again: it matches the before-snapshot`
          : `read ${names(String(p.controllerId))} again: ${(p.remaining as unknown[]).length} value(s) still differ from the before-snapshot`, signed: false, seq: r.seq });
      }
    }
    return out;
  }

}
