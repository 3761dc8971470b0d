/**
 * The boundary every transport calls: checks the operation name, validates the request against the
 * contract's schema, runs the handler, and returns an envelope (errors as data, never a stack trace).
 */
import type { z } from 'zod';
import {
  OPERATIONS, isOperationName,
  type OperationName, type OperationResponse, type ValidRequest,
} from '../../src-shared/common/api/contract.ts';
import type { Envelope } from '../../src-shared/common/api/transport.ts';
import { BaselineError, toErrorData } from '../../src-shared/common/errors.ts';
import type { BaselineApp } from './baseline-app.ts';
import { BASELINE_APPROVER_ROLES } from './baseline-service.ts';
import { changeOutcome } from './change-service.ts';
import { PLANT_ENGINEERING } from './plant-service.ts';
import { RESTORE_AUTHORIZER_ROLES } from './restore-service.ts';
import { setupChecklist } from './setup-checklist.ts';
import { DEMO_CA, DEMO_PEOPLE } from './demo-plant.ts';
import type { DemoSimulators } from './demo-simulators.ts';
import type { CaptureDocument } from '../../src-shared/common/capture/capture-document.ts';
import { diffDocuments } from '../../src-shared/common/diff/document-diff.ts';
import { diffableFromCapture } from '../../src-shared/common/diff/diffable-document.ts';
import { approvalProgressOf, approvalTimeoutStatus, retrospectiveStatus, statusLabel, type ChangeState } from '../../src-shared/common/workflow/change-state.ts';
import { allowedOperations, outstandingApprovals } from '../../src-shared/common/workflow/change-transition.ts';
import { roleName } from '../../src-shared/common/workflow/policy-schema.ts';
import { CHANGE_FIELD_LABELS } from '../../src-shared/common/workflow/workflow-terms.ts';
import { listCalendar } from '../../src-shared/common/workflow/change-windows.ts';
import { plantSitesAndLines } from '../../src-shared/common/workflow/plant-model.ts';
import { checkpointProgress, type CheckpointRecord, type CheckpointSet } from '../../src-shared/common/workflow/checkpoints.ts';

/** One handler per operation; the compiler refuses a contract operation without one. */
export type Handlers = { [N in OperationName]: (request: ValidRequest<N>) => OperationResponse<N> | Promise<OperationResponse<N>> };

/** What only the hosting program can do: switch to a demo plant, and reach the demo's simulated controllers. */
export interface DemoHost {
  explore(): Promise<{ home: string }>;
  simulators(): DemoSimulators | null;
}

/** The handlers of a running app (`host`: the program serving it, when it can switch to the demo plant). */
export function appHandlers(app: BaselineApp, host: DemoHost | null = null): Handlers {
  const demoOnly = (what: string): void => {
    if (!app.isDemo()) throw new BaselineError('not-demo', `${what} exists only in the demo plant.`, 'Open the demo plant ("Explore the demo plant" on the first screen, or `baseline web --demo`).');
  };
  return {
    'app.info': () => app.info(),
    'setup.status': () => setupChecklist(app),
    'demo.people': () => {
      demoOnly('The list of demo passwords');
      return { caPassword: DEMO_CA.password, people: DEMO_PEOPLE.map((p) => ({ ...p, roles: [...p.roles] })) };
    },
    'demo.explore': () => {
      if (!host) {
        throw new BaselineError('demo-explore-unavailable', 'This program cannot switch to the demo plant.',
          'Start the demo on its own: `npm start -- --demo` or `baseline web --demo`.');
      }
      if (app.isDemo()) throw new BaselineError('demo-already', 'This is the demo plant already.', 'Walk a change: Changes, then "New change request".');
      if (!setupChecklist(app).steps.every((s) => !s.done)) {
        throw new BaselineError('demo-not-empty-home', 'This data directory already holds your plant, so Baseline does not leave it for the demo here.',
          'Run the demo on its own (`baseline web --demo`); it uses a throw-away data directory.');
      }
      return host.explore();
    },
    'demo.applyProposed': (req) => {
      demoOnly('Setting values on a simulated controller');
      const sims = host?.simulators() ?? null;
      if (!sims) throw new BaselineError('demo-simulators-stopped', 'The demo\'s simulated controllers are not running in this program.', 'Serve the demo with `baseline web --home DIR` or `baseline web --demo`.');
      const pc = app.changes.get(req.changeId).fields.proposedChange;
      if (pc?.kind !== 'diff' || pc.changes.length === 0) {
        throw new BaselineError('demo-no-proposed-diff', 'This change proposes no tag values to set.', 'Give the change a proposed diff (tag, from, to).');
      }
      const controller = app.controllers.get(pc.controllerId).name;
      sims.write(controller, Object.fromEntries(pc.changes.map((c) => [c.tag, c.to])));
      return { controller, tags: pc.changes.map((c) => c.tag) };
    },
    'connectivity.get': () => app.connectivity.current(),
    'sync.status': () => app.sync.status(),
    'sync.now': () => app.sync.syncNow(),
    'sync.bundle.export': async () => {
      const r = await app.bundles.exportBytes();
      return { fileName: r.fileName, bundleBase64: r.bytes.toString('base64'), events: r.events, blobs: r.blobs };
    },
    'sync.bundle.import': async (req) => {
      const r = await app.bundles.importFile(Buffer.from(req.fileBase64, 'base64'));
      return { nothingChanged: r.nothingChanged, message: r.message };
    },
    'sync.backup.status': () => app.bundles.backupStatus(),
    'sync.backup.setFolder': (req) => app.bundles.setBackupFolder(req.folder),
    'sync.conflicts': (req) => ({ conflicts: app.conflicts.list(req.changeId) }),
    'sync.resolveConflict': (req) => app.conflicts.resolve(req.conflictId, req.decision, req.reason, { employeeId: req.employeeId, password: req.password }, app.actor()),
    'sync.enrol': (req) => app.sync.enrol(req.serverUrl, req.code, req.caFingerprint, app.actor()),
    'journal.list': (req) => app.journalService.list(req.limit, req.beforeRowid),
    'journal.verify': () => app.journalService.verifyAndRecord(app.actor()),
    'evidence.verify': (req) => app.evidence.verify(req.fileName, Buffer.from(req.packBase64, 'base64')),
    'evidence.export': async (req) => {
      const pack = await app.evidence.export(req.changeId, app.actor());
      return { fileName: `${req.changeId}.zip`, zipBase64: pack.zip.toString('base64'), manifestSha256: pack.manifestSha256, members: pack.members };
    },
    'profiles.list': () => ({ profiles: app.profiles.list() }),
    'profiles.import': (req) => app.profiles.import(req.name, req.protocol, req.csv, app.actor()),
    'profiles.get': (req) => {
      const row = app.plant.profile(req.sha256);
      const profile = app.profiles.load(req.sha256);
      return {
        sha256: req.sha256, name: row?.name ?? '', protocol: profile.protocol,
        tags: profile.tags.map((t) => ({ tag: t.tag, address: t.address, type: t.type, class: t.class, safety: t.safety, writable: t.writable, description: t.description })),
      };
    },
    'controllers.setProfile': (req) => app.controllers.setProfile(req.controllerId, req.profileSha256, app.actor()),
    'controllers.list': () => ({ controllers: app.controllers.list() }),
    'controllers.register': (req) => app.controllers.register(req.name, req.target, req.profileSha256, app.actor()),
    'controllers.captures': (req) => {
      app.controllers.get(req.controllerId);
      return { captures: app.plant.captures(req.controllerId).map(({ captureSha256, at, complete, tags, good, bad, requests, minimumRequests, actor }) =>
        ({ captureSha256, at, complete, tags, good, bad, requests, minimumRequests, actor })) };
    },
    'capture.start': (req) => {
      const controller = app.controllers.get(req.controllerId);
      if (!controller.profile) {
        throw new BaselineError('controller-no-profile', `${controller.name} has no capture profile, so Baseline does not know what to read.`,
          'Import a profile (CSV) and register the controller with it.');
      }
      const profile = app.profiles.load(controller.profile.sha256);
      const captureId = app.captures.start({
        controllerId: controller.id, target: controller.target, profile, profileName: controller.profile.name,
        options: { timeoutMs: 2000, retries: 2 },
      }, app.actor(), app.hub);
      return { captureId };
    },
    'capture.cancel': (req) => ({ cancelled: app.captures.cancel(req.captureId) }),
    'captures.get': (req) => JSON.parse(app.blobs.get(req.captureSha256).toString('utf8')) as CaptureDocument,
    'captures.diff': (req) => {
      const load = (sha: string) => JSON.parse(app.blobs.get(sha).toString('utf8')) as CaptureDocument;
      return diffDocuments(diffableFromCapture(load(req.beforeSha256)), diffableFromCapture(load(req.afterSha256)), { force: req.force, includeUnchanged: true });
    },
    'controllers.browse': (req) => app.devices.run<{ tags: { address: string; type: string }[]; skipped: { address: string; reason: string }[] }>(
      { kind: 'browse', payload: { target: req.target } }, { deadlineMs: 120_000 }),
    'baselines.get': (req) => ({
      history: app.baselines.history(req.controllerId).map(({ version, snapshotSha256, approvedBy, approvedAt }) => ({ version, snapshotSha256, approvedBy, approvedAt })),
      unauthorizedChanges: app.baselines.unauthorizedChanges(req.controllerId).map(({ id, openedAt, closedAt, closedBy, explanation, differences, moreDifferences }) =>
        ({ id, openedAt, closedAt, closedBy, explanation, differences, moreDifferences })),
    }),
    'baselines.approve': (req) => {
      const p = app.identity.personByEmployeeId(req.employeeId);
      return { version: app.baselines.approve(req.controllerId, req.snapshotSha256, req.employeeId, req.password, { kind: 'person', id: p.employeeId, name: p.name }).version };
    },
    'drift.check': async (req) => {
      const r = await app.baselines.checkDrift(req.controllerId, app.actor());
      return { drifted: r.drifted, configDifferences: r.configDifferences, unauthorizedChangeId: r.unauthorizedChangeId, baselineVersion: r.baselineVersion };
    },
    'drift.clocks': () => {
      const status = app.driftScheduler.status();
      const problems = [...(status.lastRun?.errors ?? []).map((e) => ({ controller: e.controller, message: e.error.message })),
        ...(status.lastError ? [{ controller: '', message: status.lastError.message }] : [])];
      return {
        ...app.baselines.clocks(),
        background: { running: status.running, lastRunAt: status.lastRun?.at ?? null, lastRunChecked: status.lastRun?.checked.length ?? 0, lastRunProblems: problems },
      };
    },
    'unauthorized.close': (req) => {
      const p = app.identity.personByEmployeeId(req.employeeId);
      return { closedAt: app.baselines.closeUnauthorizedChange(req.id, req.explanation, req.employeeId, req.password, { kind: 'person', id: p.employeeId, name: p.name }).closedAt };
    },
    'plant.get': () => app.plantModel.view(),
    'plant.import': (req) => {
      const { sites, lines } = plantSitesAndLines(app.plantModel.importPlant(req.text, req.source, { employeeId: req.employeeId, password: req.password }));
      return { sites: sites.length, lines: lines.length };
    },
    'plant.setSite': (req) => {
      app.plantModel.setSite(req.site, req.reason, { employeeId: req.employeeId, password: req.password });
      return { ok: true as const };
    },
    'plant.setLine': (req) => {
      app.plantModel.setLine({ ...req.line, tier: req.line.tier as 1 | 2 | 3 }, req.reason, { employeeId: req.employeeId, password: req.password });
      return { ok: true as const };
    },
    'plant.removeLine': (req) => {
      app.plantModel.removeLine(req.lineId, req.reason, { employeeId: req.employeeId, password: req.password });
      return { ok: true as const };
    },
    'controllers.setSafety': (req) => {
      app.controllers.get(req.controllerId);
      app.plantModel.setControllerSafety(req.controllerId, req.safety, req.reason, { employeeId: req.employeeId, password: req.password });
      return { ok: true as const };
    },
    'controllers.assignLine': (req) => {
      app.controllers.get(req.controllerId);
      app.plantModel.assignLine(req.controllerId, req.lineId, req.reason, { employeeId: req.employeeId, password: req.password });
      return { ok: true as const };
    },
    'changes.list': () => ({ changes: app.changes.list() }),
    'kpis.report': () => app.kpis.report(),
    'changeCaptures.start': (req) => app.changeCaptures.start(req.changeId, req.controllerId, req.phase, app.actor()),
    'changeCaptures.cancel': (req) => ({ cancelled: app.changeCaptures.cancel(req.captureId) }),
    'changeCaptures.list': (req) => ({ captures: app.changeCaptures.list(req.changeId) }),
    'changeCaptures.record': (req) => {
      const p = app.identity.personByEmployeeId(req.employeeId);
      return app.changeCaptures.record(req.changeId, req.captureSha256, req.employeeId, req.password, { kind: 'person', id: p.employeeId, name: p.name });
    },
    'changes.evaluate': (req) => app.changes.evaluate(req.fields),
    'changes.create': (req) => ({ id: app.changes.create(req.requesterId, req.fields, app.actor()).id }),
    'policy.get': () => ({ ...app.policy.inForce(), timeZone: app.policy.current().plant.timeZone }),
    'policy.adopt': (req) => app.changes.adoptPolicy(req.yaml, req.source, req.employeeId, req.password, app.actor()),
    'changes.edit': (req) => ({ status: app.changes.edit(req.id, req.employeeId, req.fields, app.actor()).status }),
    'changes.get': (req) => {
      const state = app.changes.get(req.id);
      const policy = app.policy.current();
      const live = state.review === null ? app.changes.evaluate(state.fields) : null;
      const restores = app.changes.restores(req.id);
      return {
        outcome: changeOutcome(state, restores), restores,
        proposal: app.changes.proposal(state, (id) => app.identity.snapshots(id)[0] ?? null),
        evaluation: state.review?.evaluation ?? live?.evaluation ?? null, evaluationFrozen: state.review !== null,
        missingFields: (live?.missingFields ?? []).map((f) => CHANGE_FIELD_LABELS[f]),
        state, statusLabel: statusLabel(state), allowed: [...allowedOperations(state)],
        progress: approvalProgressOf(state, (r) => roleName(policy, r)), outstanding: outstandingApprovals(state, policy), timeline: app.changes.timeline(req.id),
        approvalTimeout: approvalTimeoutStatus(state, new Date()), retrospective: retrospectiveStatus(state, new Date()),
        targets: state.fields.targetControllers.map((id) => {
          const b = app.baselines.current(id);
          return { controllerId: id, name: app.plantModel.controllerName(id), snapshots: app.identity.snapshots(id), baseline: b ? { version: b.version, snapshotSha256: b.snapshotSha256 } : null };
        }),
        ...executionCheckpoints(app, state),
      };
    },
    'changes.act': (req) => {
      const p = app.identity.personByEmployeeId(req.employeeId);
      return { status: app.changes.act(req.id, req.employeeId, req.password, req.action, { kind: 'person', id: p.employeeId, name: p.name }).status };
    },
    'changes.windows': () => ({ windows: app.changes.requestedWindows() }),
    'changes.approveBaseline': (req) => {
      const p = app.identity.personByEmployeeId(req.employeeId);
      return app.changes.approveAfterAsBaseline(req.changeId, req.controllerId, req.employeeId, req.password, { kind: 'person', id: p.employeeId, name: p.name });
    },
    'restore.preview': (req) => app.changeRestores.preview(req.changeId, req.controllerId, app.actor()),
    'restore.authorize': (req) => {
      const p = app.identity.personByEmployeeId(req.employeeId);
      return { decisionId: app.changeRestores.authorize(req.changeId, req.controllerId, req.writes, req.reason, req.employeeId, req.password, { kind: 'person', id: p.employeeId, name: p.name }) };
    },
    'restore.run': (req) => app.changeRestores.run(req.changeId, req.controllerId, req.writes, req.decisionId, req.confirmation, app.actor()),
    'windows.calendar': (req) => {
      const from = new Date(req.from);
      const policy = app.policy.current();
      return { timeZone: policy.plant.timeZone, lines: listCalendar(policy, app.plantModel.lines(), { from, to: new Date(from.getTime() + req.days * 86_400_000) }) };
    },
    'people.list': () => ({
      people: app.identity.people().map(({ certificatePem: _pem, ...p }) => p),
      cas: app.identity.cas(),
      hasLocalCa: app.identity.hasLocalCa(),
      roles: app.policy.roles(),
      signatureRoles: { baseline: [...BASELINE_APPROVER_ROLES], plantEngineering: [...PLANT_ENGINEERING], restore: [...RESTORE_AUTHORIZER_ROLES] },
      roster: app.plantModel.roster(),
      sites: app.plantModel.sites(),
    }),
    'people.importRoster': (req) => ({ people: app.plantModel.importRoster(req.text, req.source, { employeeId: req.employeeId, password: req.password }).length }),
    'people.setRosterEntry': (req) => {
      app.plantModel.setRosterEntry(req.entry, req.reason, { employeeId: req.employeeId, password: req.password });
      return { ok: true as const };
    },
    'people.revoke': (req) => {
      app.identity.revokeWithCa(req.employeeId, req.reason, req.caPassword, app.actor());
      return { ok: true as const };
    },
    'people.createCa': (req) => ({ fingerprint: app.identity.createCa(req.name, req.caPassword, app.actor()).fingerprint }),
    'people.enrol': (req) => {
      const { certificatePem: _pem, ...p } = app.identity.enrol({ name: req.name, employeeId: req.employeeId, roles: req.roles, password: req.password }, req.caPassword, app.actor());
      return p;
    },
    'snapshots.sign': (req) => {
      const controller = app.controllers.get(req.controllerId);
      const capture = JSON.parse(app.blobs.get(req.captureSha256).toString('utf8')) as CaptureDocument;
      if (capture.controller.description !== controller.description) {
        throw new BaselineError('capture-other-controller', `That capture is of ${capture.controller.description}, not ${controller.name}.`, 'Sign a capture of this controller.');
      }
      const person = app.identity.personByEmployeeId(req.employeeId);
      const actor = { kind: 'person' as const, id: person.employeeId, name: person.name };
      const { sha256, file } = app.snapshots.sign(capture, req.employeeId, req.password, controller.id, actor);
      return { sha256, controllerId: controller.id, controller: controller.description, signer: file.signatures[0]!.signer.name, at: file.signatures[0]!.at };
    },
    'snapshots.list': (req) => ({ snapshots: app.identity.snapshots(req.controllerId) }),
  };
}

function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(request)'}: ${i.message}`).join('; ');
}

/** Validates and dispatches calls for any transport. */
export class ApiRouter {
  private readonly handlers: Handlers;

  constructor(handlers: Handlers) {
    this.handlers = handlers;
  }

  /** Runs one call from an untrusted client. Never throws. */
  async call(op: unknown, rawRequest: unknown): Promise<Envelope<unknown>> {
    try {
      if (!isOperationName(op)) {
        throw new BaselineError('unknown-operation', `"${String(op)}" is not an operation Baseline offers.`,
          'Update the client: it and the app must be the same version.', { op: String(op) });
      }
      const schema = OPERATIONS[op].request as z.ZodType;
      const parsed = schema.safeParse(rawRequest ?? {});
      if (!parsed.success) {
        throw new BaselineError('invalid-request', `The request for ${op} is malformed: ${describeIssues(parsed.error)}.`,
          'Nothing was changed. Send the fields the API contract declares for this operation.', { op });
      }
      const handler = this.handlers[op] as (req: unknown) => unknown;
      return { ok: true, value: await handler(parsed.data) };
    } catch (err) {
      return { ok: false, error: toErrorData(err) };
    }
  }
}

/** What the change detail shows of an execution's checkpoints. */
function checkpointView(set: CheckpointSet, records: CheckpointRecord[]) {
  const { next, closable } = checkpointProgress(set, records);
  return { signerRoles: set.signerRoles, checkpoints: set.checkpoints, records, next: next?.id ?? null, closable };
}

/** The checkpoints of an executed change, or why they cannot be shown (a missing or malformed checkpoint file). */
function executionCheckpoints(app: BaselineApp, state: ChangeState): { checkpoints: ReturnType<typeof checkpointView> | null; checkpointsError: string | null } {
  if (state.status !== 'in-execution' && state.status !== 'rolled-back' && state.status !== 'closed') return { checkpoints: null, checkpointsError: null };
  try {
    return { checkpoints: checkpointView(app.policy.checkpoints(), state.execution.checkpoints ?? []), checkpointsError: null };
  } catch (err) {
    const e = toErrorData(err);
    return { checkpoints: null, checkpointsError: `${e.message} ${e.hint}` };
  }
}
