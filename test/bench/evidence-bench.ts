// Evidence pack benchmark (issue #14). Targets: one change with before/after snapshots of 10,000 tags exported and
// verified in under 2 s; an auditor's sample of 30 changes exported in under 10 s. Setting up the changes (real
// captures over the Modbus simulator, every decision signed) is not timed.
import { rmSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BaselineApp } from '../../src-main/services/baseline-app.ts';
import { filePermissionsProtection } from '../../src-main/store/device-key-store.ts';
import { startModbusSimulator } from '../../src-main/devices/simulator/modbus-simulator.ts';
import { modbusImageFromProfile } from '../../src-main/devices/simulator/modbus-profile-image.ts';
import { importProfileCsv } from '../../src-shared/common/profile/profile-csv.ts';
import type { ModbusProfile } from '../../src-shared/common/profile/capture-profile.ts';
import { verifyPack } from '../../src-shared/node/evidence/pack-verifier.ts';
import { RACI, setUpPlant, startLine1Simulator } from '../helpers/change-fixture.ts';
import { completedFillerChange, testClock } from '../helpers/completed-change.ts';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const home = mkdtempSync(join(tmpdir(), 'baseline-evidence-bench-'));
const clock = testClock();
const app = BaselineApp.open({ home, transport: 'in-process', keyProtection: filePermissionsProtection, clock: clock.now });

// One controller with 10,000 holding-register tags (the filler's speed setpoint first).
const csv = ['tag,address,type,class,safety,writable', 'Line1_SpeedSP,hr:0,FLOAT32,config,false,true'];
for (let i = 1; i < 10_000; i++) csv.push(`HR_${i},hr:${i + 1},UINT16,config,${i % 500 === 0},${i % 3 === 0}`);
const profileCsv = csv.join('\n') + '\n';
const profile = importProfileCsv(Buffer.from(profileCsv), 'modbus') as ModbusProfile;
const values = Object.fromEntries([['Line1_SpeedSP', 12.5], ...Array.from({ length: 9_999 }, (_, i) => [`HR_${i + 1}`, (i * 7) % 65_536])]);
const big = await startModbusSimulator({ image: modbusImageFromProfile(profile, values), unitId: 1 });
const line1 = await startLine1Simulator();
const rows: string[] = [];
try {
  const small = setUpPlant(app, line1.sim.port);
  const p = app.profiles.import('tags10k', 'modbus', profileCsv, app.actor());
  const c = app.controllers.register(
    'PLC-L01-PALLETISER',
    { protocol: 'modbus-tcp', host: '127.0.0.1', port: big.port, unitId: 1, wordOrder: 'high-first' },
    p.sha256,
    app.actor(),
  );
  app.plantModel.assignLine(c.id, 'L01', 'palletiser of line 1', { employeeId: 'M200', password: 'pat-password-1' });
  const setBig = (v: Record<string, unknown>) => big.image.hr.set(modbusImageFromProfile(profile, { ...values, ...v }).hr);
  const bigChange = await completedFillerChange(app, c.id, clock, { set: setBig });

  // 30 emergency changes to the small filler, each carried to its close with its retrospective review.
  const [eng, , sec, quinn, sky] = RACI;
  // Captures with the patience a busy shared machine needs (the benchmark times exports, not captures).
  const captureAndSign = async (controllerId: string) => {
    const controller = app.controllers.get(controllerId);
    const capture = await app.captures.capture(
      {
        controllerId,
        target: controller.target,
        profile: app.profiles.load(controller.profile!.sha256),
        profileName: controller.profile!.name,
        options: { timeoutMs: 10_000, retries: 3 },
      },
      app.actor(),
    );
    return app.snapshots.sign(capture, eng.employeeId, eng.password, controllerId, app.actor()).sha256;
  };
  const checklist = (id: string) => app.policy.checkpoints().checkpoints.find((x) => x.id === id)!.items;
  for (let k = 0; k < 30; k++) {
    const { id } = app.changes.create(
      eng.employeeId,
      {
        title: `Filler jammed (${k + 1}): raise speed setpoint`,
        description: 'Filler starves at 12.5 m/min; line down.',
        justification: 'Line L01 stopped.',
        class: 'emergency',
        targetControllers: [small],
        proposedChange: { kind: 'diff', controllerId: small, changes: [{ tag: 'Line1_SpeedSP', from: 12.5, to: 14 }] },
      },
      app.actor(),
    );
    app.changes.act(
      id,
      eng.employeeId,
      eng.password,
      {
        type: 'break-glass',
        approverEmployeeId: sky.employeeId,
        approverPassword: sky.password,
        approverRole: 'shift-supervisor',
        method: 'phone',
        reason: 'Line down',
      },
      app.actor(),
    );
    line1.set({ Line1_SpeedSP: 12.5 });
    app.changes.act(
      id,
      eng.employeeId,
      eng.password,
      { type: 'record-snapshot', phase: 'before', controllerId: small, snapshotSha256: await captureAndSign(small) },
      app.actor(),
    );
    for (const [cp, d] of [
      ['pre-execution', 'go'],
      ['mid-change', 'continue'],
      ['pre-cutover', 'cutover'],
    ] as const) {
      app.changes.act(
        id,
        sky.employeeId,
        sky.password,
        { type: 'checkpoint', role: 'shift-supervisor', checkpoint: cp, decision: d, confirmed: checklist(cp) },
        app.actor(),
      );
    }
    line1.set({ Line1_SpeedSP: 14 }); // the download the change proposed, so CLOSE finds no unexplained row
    app.changes.act(
      id,
      eng.employeeId,
      eng.password,
      { type: 'record-snapshot', phase: 'after', controllerId: small, snapshotSha256: await captureAndSign(small) },
      app.actor(),
    );
    app.changes.act(
      id,
      sky.employeeId,
      sky.password,
      { type: 'checkpoint', role: 'shift-supervisor', checkpoint: 'post-change', decision: 'close', confirmed: checklist('post-change') },
      app.actor(),
    );
    app.changes.act(id, eng.employeeId, eng.password, { type: 'close', comment: 'line running' }, app.actor());
    app.changes.act(
      id,
      eng.employeeId,
      eng.password,
      { type: 'emergency-report', rootCause: 'Jammed infeed.', lessonsLearned: 'Check the infeed guide.', permanentFix: 'CHG0042400' },
      app.actor(),
    );
    app.changes.act(
      id,
      quinn.employeeId,
      quinn.password,
      { type: 'retrospective-review', role: 'quality-compliance', comment: 'Justified.' },
      app.actor(),
    );
    app.changes.act(
      id,
      sec.employeeId,
      sec.password,
      { type: 'retrospective-review', role: 'ot-security', comment: 'No security impact.' },
      app.actor(),
    );
  }
  const ca = app.identity.trust().caPems;

  // Wall time, and this process's CPU time (user + system): on a shared machine the second shows the work itself.
  const cpu = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  const times: { exp: number; ver: number; expCpu: number; verCpu: number; bytes: number }[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    const c0 = cpu();
    const pack = await app.evidence.export(bigChange, app.actor());
    const t1 = performance.now();
    const c1 = cpu();
    const v = await verifyPack(pack.zip, { caPems: ca });
    const t2 = performance.now();
    const c2 = cpu();
    if (!v.ok) throw new Error(`the 10,000-tag pack did not verify: ${v.failures.map((f) => `${f.member} ${f.reason}`).join('; ')}`);
    times.push({ exp: t1 - t0, ver: t2 - t1, expCpu: c1 - c0, verCpu: c2 - c1, bytes: pack.zip.length });
  }
  const m = (k: keyof (typeof times)[number]) => Math.round(median(times.map((x) => x[k])));
  rows.push(
    `| one change, before/after snapshots of 10,000 tags | export + verify | ${m('exp')} + ${m('ver')} = ${m('exp') + m('ver')} | ${m('expCpu')} + ${m('verCpu')} = ${m('expCpu') + m('verCpu')} | < 2000 | ${(times[0]!.bytes / 1e6).toFixed(1)} MB pack |`,
  );

  const t0 = performance.now();
  const c0 = cpu();
  const written: Buffer[] = [];
  const sample = await app.evidence.exportSample({ from: '2026-11-01', to: '2027-12-31' }, app.actor(), (name, bytes) => {
    if (name.endsWith('.zip')) written.push(bytes);
  });
  const t1 = performance.now();
  const c1 = cpu();
  rows.push(
    `| auditor's sample (${sample.changes} changes: 30 emergency, 1 normal 10,000-tag) | export | ${Math.round(t1 - t0)} | ${Math.round(c1 - c0)} | < 10000 | ${(written.reduce((s, b) => s + b.length, 0) / 1e6).toFixed(1)} MB in ${written.length} packs |`,
  );
} finally {
  app.close();
  await big.close();
  await line1.sim.close();
  rmSync(home, { recursive: true, force: true });
}
console.log('| what | step | wall ms (median of 5 for one change) | CPU ms | target ms | size |');
console.log('| --- | --- | ---: | ---: | ---: | --- |');
for (const r of rows) console.log(r);
