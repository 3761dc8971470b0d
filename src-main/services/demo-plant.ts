/**
 * The demo plant: a complete demo data directory made through the real services (signed events, real signatures,
 * real captures of simulated controllers), for newcomers, training and scripts. Its `device.created` event carries
 * `demo: true` and its plant CA is named DEMO, so nothing in it can pass for evidence.
 *
 * Event times are the time of creation: the journal is never back-dated. The history's business dates (when each
 * change was filed, approved, scheduled, executed) are months back and live inside the changes' states, judged by
 * the workflow clock (`BaselineAppOptions.workflowClock`); docs/formats.md says so.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument, isSeq, isMap } from 'yaml';
import { BaselineError } from '../../src-shared/common/errors.ts';
import { ChangeRequestFieldsSchema } from '../../src-shared/common/workflow/change-request.ts';
import { nextAllowedStart } from '../../src-shared/common/workflow/change-windows.ts';
import type { Role } from '../../src-shared/node/pki.ts';
import type { KeyProtection } from '../store/device-key-store.ts';
import { BaselineApp } from './baseline-app.ts';
import { defaultResourcesDir } from './policy-service.ts';
import { DEMO_CONTROLLERS, DemoSimulators, demoTarget } from './demo-simulators.ts';

/** A demo person: name, employee id, roles of the policy, and the demo password shown on the demo's screens. */
export interface DemoPerson {
  name: string;
  employeeId: string;
  roles: Role[];
  password: string;
}

/** The plant CA's name and password in the demo. */
export const DEMO_CA = { name: 'Baseline DEMO plant CA (demo data, not evidence)', password: 'demo-plant-ca' } as const;

/** Someone for every role of the default policy's RACI: engineers, supervisors, CAB members, managers, safety. */
export const DEMO_PEOPLE: readonly DemoPerson[] = [
  { name: 'Erin Engineer', employeeId: 'E100', roles: ['controls-engineer'], password: 'demo-erin' },
  { name: 'Eli Engineer', employeeId: 'E101', roles: ['controls-engineer'], password: 'demo-eli1' },
  { name: 'Pat Manager', employeeId: 'M200', roles: ['plant-engineering-manager'], password: 'demo-pat1' },
  { name: 'Sam Security', employeeId: 'S300', roles: ['ot-security'], password: 'demo-sam1' },
  { name: 'Quinn Quality', employeeId: 'Q400', roles: ['quality-compliance'], password: 'demo-quinn' },
  { name: 'Sky Supervisor', employeeId: 'SV500', roles: ['shift-supervisor'], password: 'demo-sky1' },
  { name: 'Nico Nightshift', employeeId: 'SV501', roles: ['shift-supervisor'], password: 'demo-nico' },
  { name: 'Morgan Plant', employeeId: 'PM600', roles: ['plant-manager', 'on-call-manager'], password: 'demo-morgan' },
  { name: 'Robin Safety', employeeId: 'SF700', roles: ['safety-manager', 'process-safety'], password: 'demo-robin' },
  { name: 'Alex Admin', employeeId: 'A900', roles: ['admin'], password: 'demo-alex' },
];

const person = (employeeId: string): DemoPerson => DEMO_PEOPLE.find((p) => p.employeeId === employeeId)!;
const ERIN = person('E100'),
  ELI = person('E101'),
  PAT = person('M200'),
  SAM = person('S300'),
  QUINN = person('Q400'),
  SKY = person('SV500'),
  NICO = person('SV501'),
  MORGAN = person('PM600');

/** What `createDemoPlant` made. */
export interface DemoReport {
  home: string;
  events: number;
  controllers: string[];
  changes: number;
  milliseconds: number;
}

/** The roster CSV of the demo people. */
function rosterCsv(site: string): string {
  return (
    ['employee_id,name,roles,site', ...DEMO_PEOPLE.map((p) => `${p.employeeId},${p.name},${p.roles.join(';')},${site}`)].join('\n') + '\n'
  );
}

/**
 * The default policy as the demo's revision 2: the same rules, without the year-end freeze, so that a newcomer can
 * walk a normal change on any day of the year.
 */
function demoPolicyYaml(defaultYaml: string): string {
  const doc = parseDocument(defaultYaml);
  doc.set('revision', Number(doc.get('revision')) + 1);
  doc.set('name', 'Demo plant policy');
  doc.set('description', 'The default plant policy without the year-end production freeze, so the demo can be walked any day (DEMO).');
  const blackouts = doc.get('blackouts');
  if (isSeq(blackouts)) blackouts.items = blackouts.items.filter((b) => !(isMap(b) && b.get('name') === 'year-end-freeze'));
  return doc.toString();
}

/** `hours` after `t`. */
const after = (t: Date, hours: number): Date => new Date(t.getTime() + hours * 3_600_000);

/**
 * Writes a complete demo data directory into `home` (new or empty): the 24-line packaging plant, a DEMO plant CA,
 * the demo people, three simulated controllers with profiles and approved baselines, and a few months of history.
 * The simulators run only while it is made; the program that serves the directory starts them again.
 */
export async function createDemoPlant(options: {
  home: string;
  keyProtection: KeyProtection;
  resourcesDir?: string;
  log?: (line: string) => void;
  /** The instant the history is made back from (now by default; tests pass other times of day). */
  now?: Date;
}): Promise<DemoReport> {
  const started = performance.now();
  const { home } = options;
  if (existsSync(home) && readdirSync(home).length > 0) {
    throw new BaselineError(
      'demo-home-not-empty',
      `${home} is not empty, so the demo plant cannot be written there.`,
      'Give a new or empty folder: the demo must never mix with real records.',
    );
  }
  const resourcesDir = options.resourcesDir ?? defaultResourcesDir();
  const log = (line: string) => options.log?.(`${((performance.now() - started) / 1000).toFixed(1).padStart(5)} s  ${line}`);
  let business = options.now ?? new Date();
  const app = BaselineApp.open({
    home,
    transport: 'cli',
    keyProtection: options.keyProtection,
    demo: true,
    resourcesDir,
    workflowClock: () => business,
  });
  const sims = await DemoSimulators.start(home, resourcesDir).catch((err: unknown) => {
    app.close();
    throw err;
  });
  try {
    await app.identity.withKeystoresOpenedOnce(async () => {
      const actor = app.actor();
      const now = options.now ?? new Date();
      app.identity.createCa(DEMO_CA.name, DEMO_CA.password, actor);
      for (const p of DEMO_PEOPLE)
        app.identity.enrol({ name: p.name, employeeId: p.employeeId, roles: p.roles, password: p.password }, DEMO_CA.password, actor);
      log(`plant CA and ${DEMO_PEOPLE.length} people`);
      const pem = { employeeId: PAT.employeeId, password: PAT.password };
      app.plantModel.importPlant(readFileSync(join(resourcesDir, 'plant', 'demo-plant.yaml'), 'utf8'), 'demo-plant.yaml', pem);
      app.plantModel.importRoster(rosterCsv(app.plantModel.sites()[0]!.id), 'demo-roster.csv', pem);
      app.policy.adopt(
        demoPolicyYaml(readFileSync(join(resourcesDir, 'policy', 'default-policy.yaml'), 'utf8')),
        'demo-policy.yaml',
        PAT.employeeId,
        PAT.password,
        actor,
      );

      // Controllers with their profiles, placed on their lines, captured and approved as baseline v1.
      const ids: Record<string, string> = {};
      for (const spec of DEMO_CONTROLLERS) {
        const profile = app.profiles.import(
          spec.profileName,
          spec.protocol === 'modbus-tcp' ? 'modbus' : spec.protocol,
          readFileSync(join(resourcesDir, 'demo', spec.profileFile), 'utf8'),
          actor,
        );
        const c = app.controllers.register(spec.name, demoTarget(spec, sims.port(spec.name)), profile.sha256, actor);
        app.plantModel.assignLine(c.id, spec.line, spec.role, pem);
        ids[spec.name] = c.id;
      }
      const snapshot = async (controllerId: string, signer: DemoPerson): Promise<string> => {
        const c = app.controllers.get(controllerId);
        const capture = await app.captures.capture(
          {
            controllerId,
            target: c.target,
            profile: app.profiles.load(c.profile!.sha256),
            profileName: c.profile!.name,
            options: { timeoutMs: 2000, retries: 1 },
          },
          actor,
        );
        if (!capture.complete)
          throw new BaselineError(
            'demo-capture-failed',
            `The demo controller ${c.name} could not be captured completely.`,
            'Run `baseline demo create` again; if it persists, report it.',
          );
        return app.snapshots.sign(capture, signer.employeeId, signer.password, controllerId, actor).sha256;
      };
      for (const spec of DEMO_CONTROLLERS)
        app.baselines.approve(ids[spec.name]!, await snapshot(ids[spec.name]!, ERIN), PAT.employeeId, PAT.password, actor);
      log('three controllers captured, baselines approved');

      const filler = ids['PLC-L01-FILLER']!,
        capper = ids['PLC-L05-CAPPER']!,
        casePacker = ids['PLC-L18-CASEPACKER']!;
      const act = (id: string, who: DemoPerson, action: Parameters<typeof app.changes.act>[3]) =>
        app.changes.act(id, who.employeeId, who.password, action, actor);
      const checkpoint = (id: string, checkpointId: string, decision: string, who: DemoPerson = SKY, comment?: string) => {
        const set = app.policy.checkpoints().checkpoints.find((c) => c.id === checkpointId)!;
        act(id, who, {
          type: 'checkpoint',
          role: 'shift-supervisor',
          checkpoint: checkpointId,
          decision,
          confirmed: set.items,
          ...(comment ? { comment } : {}),
        });
      };
      /** Files a change at the business time `at`, its requested window the first slot of `hours` after the notice that fits in a window. */
      const file = (
        at: Date,
        who: DemoPerson,
        fields: Record<string, unknown>,
        hours = 2,
      ): { id: string; slot: { start: string; end: string } } => {
        business = at;
        const e = app.changes.evaluate(ChangeRequestFieldsSchema.parse(fields)).evaluation!;
        // The first window may already be open with less than the slot left in it: the slot must fit whole.
        const fits = nextAllowedStart(app.policy.current(), e.lines, e.class, new Date(e.earliestStart), 62, hours * 60);
        const start = fits ?? new Date(e.earliestStart);
        const slot = { start: start.toISOString(), end: after(start, hours).toISOString() };
        const c = app.changes.create(who.employeeId, { ...fields, requestedWindow: slot }, actor);
        return { id: c.id, slot };
      };
      const diff = (controllerId: string, tag: string, from: unknown, to: unknown) => ({
        kind: 'diff',
        controllerId,
        changes: [{ tag, from, to }],
      });

      // 1. Completed, about three months ago: the filler's speed, a tier-1 normal change with the full CAB.
      const c1 = file(after(now, -24 * 95), ERIN, {
        title: 'Raise filler speed setpoint to 14 m/min',
        description: 'Increase Filler_SpeedSP from 12.5 to 14 after the new infeed conveyor.',
        justification: 'Throughput target for Q3; infeed conveyor upgraded under MOC-2291.',
        class: 'normal',
        targetControllers: [filler],
        impactAssessment: {
          summary: 'Line L01 stops for 10 minutes during the download.',
          impact: 2,
          probability: 2,
          safetyImpact: 'none',
        },
        rollbackPlan: 'Restore Filler_SpeedSP = 12.5 from the before-snapshot.',
        testPlan: 'Run 30 minutes at 14 m/min; reject rate below 0.5%.',
        proposedChange: diff(filler, 'Filler_SpeedSP', 12.5, 14),
        itsmTicket: 'CHG0042311',
        mocReference: 'MOC-2291',
      });
      act(c1.id, ERIN, { type: 'submit' });
      business = after(business, 3);
      act(c1.id, QUINN, {
        type: 'approve',
        role: 'quality-compliance',
        comment: 'Conveyor commissioning report seen.',
        diffReviewed: true,
      });
      act(c1.id, SAM, { type: 'approve', role: 'ot-security', diffReviewed: true });
      act(c1.id, ERIN, { type: 'schedule', ...c1.slot });
      business = after(new Date(c1.slot.start), 0.1);
      act(c1.id, ERIN, {
        type: 'start-execution',
        stagingRecord: 'STG-0815: validated on the line-1 simulator',
        witnessEmployeeId: ELI.employeeId,
        witnessPassword: ELI.password,
      });
      act(c1.id, ERIN, { type: 'record-snapshot', phase: 'before', controllerId: filler, snapshotSha256: await snapshot(filler, ERIN) });
      checkpoint(c1.id, 'pre-execution', 'go', NICO);
      sims.write('PLC-L01-FILLER', { Filler_SpeedSP: 14 });
      checkpoint(c1.id, 'mid-change', 'continue', NICO);
      checkpoint(c1.id, 'pre-cutover', 'cutover', NICO);
      act(c1.id, ERIN, { type: 'record-snapshot', phase: 'after', controllerId: filler, snapshotSha256: await snapshot(filler, ERIN) });
      business = after(business, 1);
      checkpoint(c1.id, 'post-change', 'close', NICO);
      act(c1.id, ERIN, { type: 'close', comment: 'Ran a full shift at 14 m/min.' });
      business = after(business, 20);
      act(c1.id, PAT, {
        type: 'post-implementation-review',
        role: 'plant-engineering-manager',
        objectivesMet: true,
        findings: 'Throughput up 11 %, reject rate 0.3 %; no alarms in the first week.',
        lessonsLearned: 'The simulator run caught the ramp time; keep it for speed changes.',
      });

      // 2. Rolled back, about two months ago: the capper's torque, tier 2, single approver with diff review.
      const c2 = file(after(now, -24 * 62), ELI, {
        title: 'Capper torque 180 to 195 Ncm for the new closures',
        description: 'New supplier closures need more torque (Capper_TorqueSP).',
        justification: 'Leakers at final inspection with the new closures.',
        class: 'normal',
        targetControllers: [capper],
        impactAssessment: { summary: 'Line L05 capper only; 15 minutes.', impact: 2, probability: 1, safetyImpact: 'none' },
        rollbackPlan: 'Restore Capper_TorqueSP = 180 from the before-snapshot.',
        testPlan: 'Removal torque check on 20 bottles.',
        proposedChange: diff(capper, 'Capper_TorqueSP', 180, 195),
        itsmTicket: 'CHG0043007',
      });
      act(c2.id, ELI, { type: 'submit' });
      business = after(business, 2);
      act(c2.id, PAT, { type: 'approve', role: 'plant-engineering-manager', diffReviewed: true });
      act(c2.id, ELI, { type: 'schedule', ...c2.slot });
      business = after(new Date(c2.slot.start), 0.1);
      act(c2.id, ELI, { type: 'start-execution' });
      act(c2.id, ELI, { type: 'record-snapshot', phase: 'before', controllerId: capper, snapshotSha256: await snapshot(capper, ELI) });
      checkpoint(c2.id, 'pre-execution', 'go');
      checkpoint(c2.id, 'mid-change', 'rollback', SKY, 'Cap skew alarms at 195 Ncm; back to 180.');
      act(c2.id, ELI, { type: 'close', comment: 'Rolled back; closure supplier to be consulted.' });

      // 3. Emergency, about six weeks ago: the case packer jams, started under break-glass, reviewed the next morning.
      business = after(now, -24 * 41);
      const c3 = app.changes.create(
        ERIN.employeeId,
        {
          title: 'Case packer jamming: raise jam detection delay',
          description: 'False jam stops every few minutes; CasePacker_JamDelay 400 to 600 ms.',
          justification: 'Line L18 stopped on night shift.',
          class: 'emergency',
          targetControllers: [casePacker],
          proposedChange: diff(casePacker, 'CasePacker_JamDelay', 400, 600),
        },
        actor,
      ).id;
      act(c3, ERIN, {
        type: 'break-glass',
        approverEmployeeId: MORGAN.employeeId,
        approverPassword: MORGAN.password,
        approverRole: 'plant-manager',
        method: 'phone',
        reason: 'Line L18 down on night shift',
      });
      act(c3, ERIN, {
        type: 'record-snapshot',
        phase: 'before',
        controllerId: casePacker,
        snapshotSha256: await snapshot(casePacker, ERIN),
      });
      checkpoint(c3, 'pre-execution', 'go', NICO);
      sims.write('PLC-L18-CASEPACKER', { CasePacker_JamDelay: 600 });
      checkpoint(c3, 'mid-change', 'continue', NICO);
      checkpoint(c3, 'pre-cutover', 'cutover', NICO);
      act(c3, ERIN, {
        type: 'record-snapshot',
        phase: 'after',
        controllerId: casePacker,
        snapshotSha256: await snapshot(casePacker, ERIN),
      });
      checkpoint(c3, 'post-change', 'close', NICO);
      act(c3, ERIN, { type: 'close', comment: 'No false jams for the rest of the shift.' });
      act(c3, ERIN, {
        type: 'emergency-report',
        rootCause: 'Jam detection delay too short for the new case blanks.',
        contributingFactors: 'New blank supplier; no trial run.',
        lessonsLearned: 'Trial new packaging material on one line before the plant switches.',
        permanentFix: 'Standard change template for jam delays',
      });
      business = after(business, 9);
      act(c3, SAM, {
        type: 'retrospective-review',
        role: 'ot-security',
        comment: 'Reviewed at the morning CAB: justified; make it a standard change.',
      });
      act(c3, QUINN, { type: 'retrospective-review', role: 'quality-compliance', comment: 'No product impact.' });
      app.changes.approveAfterAsBaseline(c3, casePacker, PAT.employeeId, PAT.password, actor);

      // 4. Rejected, three weeks ago: a tier-1 change the CAB turned down.
      const c4 = file(after(now, -24 * 21), ELI, {
        title: 'Disable filler high-temperature trip during CIP',
        description: 'Set Filler_MaxTemp to 120 while cleaning in place.',
        justification: 'Nuisance trips during the hot CIP rinse.',
        class: 'normal',
        targetControllers: [filler],
        impactAssessment: { summary: 'Removes a protection during CIP.', impact: 4, probability: 3, safetyImpact: 'medium' },
        rollbackPlan: 'Restore Filler_MaxTemp = 85.',
        testPlan: 'Run one CIP cycle.',
        proposedChange: diff(filler, 'Filler_MaxTemp', 85, 120),
        itsmTicket: 'CHG0044120',
      });
      act(c4.id, ELI, { type: 'submit' });
      business = after(business, 20);
      act(c4.id, SAM, {
        type: 'reject',
        role: 'ot-security',
        reason: 'A protection is not switched off for convenience; fix the CIP temperature profile instead.',
      });

      // 5. An unauthorized change found by drift: someone changed the capper's torque offset at the HMI.
      sims.write('PLC-L05-CAPPER', { Capper_TorqueOffset: 12 });
      const drift = await app.baselines.checkDrift(capper, actor);
      if (!drift.drifted)
        throw new BaselineError(
          'demo-drift-missing',
          'The demo capper did not show its drift.',
          'Report this: the demo plant is incomplete.',
        );
      log('history: completed, rolled-back, emergency and rejected changes; one unauthorized change');
    });
    return {
      home,
      events: app.journal.count(),
      controllers: DEMO_CONTROLLERS.map((c) => c.name),
      changes: app.changes.list().length,
      milliseconds: Math.round(performance.now() - started),
    };
  } finally {
    await sims.close();
    app.close();
  }
}
