import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createServer, type Socket } from 'node:net';
import { createDemoPlant } from '../../../src-main/services/demo-plant.ts';
import { HostedApp } from '../../../src-main/host/hosted-app.ts';
import { filePermissionsProtection } from '../../../src-main/store/device-key-store.ts';
import { runBaselineAsync } from '../../helpers/cli.ts';
import { tempHome } from '../../helpers/temp-home.ts';
import type { Envelope } from '../../../src-shared/common/api/transport.ts';
import type { OperationName, OperationRequest, OperationResponse } from '../../../src-shared/common/api/contract.ts';
import type { ErrorData } from '../../../src-shared/common/errors.ts';

const PAT = { employeeId: 'M200', password: 'demo-pat1' };
const ERIN = { employeeId: 'E100', password: 'demo-erin' };

describe('Plant-scale lists on the demo plant, through the API router: edit and retire controllers, search, line capture, proposal tags, the Audit filter', () => {
  const t = tempHome('baseline-lists-');
  const home = join(t.home, 'demo');
  let hosted: HostedApp;

  async function call<N extends OperationName>(op: N, req: OperationRequest<N>): Promise<OperationResponse<N>> {
    const r = (await hosted.call(op, req)) as Envelope<OperationResponse<N>>;
    if (!r.ok) throw Object.assign(new Error(r.error.message), r.error);
    return r.value;
  }
  async function refusal<N extends OperationName>(op: N, req: OperationRequest<N>): Promise<ErrorData> {
    const r = await hosted.call(op, req);
    if (r.ok) throw new Error(`${op} was accepted`);
    return r.error;
  }
  const idOf = async (name: string) => (await call('controllers.list', {})).controllers.find((c) => c.name === name)!.id;

  beforeAll(async () => {
    await createDemoPlant({ home, keyProtection: filePermissionsProtection });
    hosted = await HostedApp.open({ home, transport: 'in-process', keyProtection: filePermissionsProtection });
  }, 180_000);
  afterAll(async () => {
    await hosted?.close();
    t.cleanup();
  });

  it('an edit of a controller is signed by plant engineering only, and journals the registration before and after', async () => {
    const filler = (await call('controllers.list', {})).controllers.find((c) => c.name === 'PLC-L01-FILLER')!;
    const moved = { ...filler.target, unitId: 2 } as typeof filler.target;
    const byEngineer = await refusal('controllers.edit', { controllerId: filler.id, target: moved, reason: 'unit id is 2', ...ERIN });
    expect(byEngineer.code).toBe('role-not-held');
    expect(byEngineer.hint).toMatch(/plant engineering manager/);
    const noReason = await refusal('controllers.edit', { controllerId: filler.id, target: moved, reason: ' ', ...PAT });
    expect(noReason).toMatchObject({ code: 'reason-missing' });
    const same = await refusal('controllers.edit', { controllerId: filler.id, target: filler.target, reason: 'no change', ...PAT });
    expect(same.code).toBe('controller-unchanged');
    const protocol = await refusal('controllers.edit', {
      controllerId: filler.id,
      target: { protocol: 's7', host: '127.0.0.1', port: 102, rack: 0, slot: 1 },
      reason: 'other protocol',
      ...PAT,
    });
    expect(protocol.code).toBe('controller-protocol-change');

    await call('controllers.edit', { controllerId: filler.id, target: moved, reason: 'the gateway routes unit 2', ...PAT });
    expect((await call('controllers.list', {})).controllers.find((c) => c.id === filler.id)!.target).toMatchObject({ unitId: 2 });
    const edited = (await call('journal.search', { type: 'controller.edited' })).events;
    expect(edited).toHaveLength(1);
    expect(edited[0]!.payload).toMatchObject({
      controllerId: filler.id,
      previous: { target: { unitId: 1 } },
      next: { target: { unitId: 2 } },
      reason: 'the gateway routes unit 2',
    });
    expect(edited[0]!.signers).toEqual([{ name: 'Pat Manager', employeeId: 'M200', as: 'signer' }]);
    // Back as it was (the demo's simulator answers unit 1), again signed.
    await call('controllers.edit', { controllerId: filler.id, target: filler.target, reason: 'back to unit 1', ...PAT });
  });

  it('retiring a controller that an open change targets is refused, naming the change; once it is closed the controller leaves lists, its history stays verifiable', async () => {
    const capper = await idOf('PLC-L05-CAPPER');
    const draft = await call('changes.create', {
      requesterId: 'E101',
      fields: { title: 'Capper torque offset back to 0', targetControllers: [capper] } as never,
    });
    const number = (await call('changes.get', { id: draft.id })).state.number!;
    const refused = await refusal('controllers.retire', { controllerId: capper, reason: 'line 5 capper replaced', ...PAT });
    expect(refused.code).toBe('controller-in-open-change');
    expect(refused.message).toContain(`${number} "Capper torque offset back to 0" (draft)`);
    expect(refused.hint).toMatch(/withdraw/);
    expect((await call('controllers.list', {})).controllers.some((c) => c.id === capper)).toBe(true);

    await call('changes.act', {
      id: draft.id,
      employeeId: 'E101',
      password: 'demo-eli1',
      action: { type: 'withdraw', reason: 'capper is replaced instead' },
    });
    const snapshotsBefore = (await call('snapshots.list', { controllerId: capper })).snapshots;
    const baselinesBefore = await call('baselines.get', { controllerId: capper });
    await call('controllers.retire', { controllerId: capper, reason: 'line 5 capper replaced', ...PAT });

    expect((await call('controllers.list', {})).controllers.some((c) => c.id === capper)).toBe(false);
    expect((await call('plant.get', {})).controllerLines[capper]).toBeUndefined();
    expect((await call('search.global', { query: 'capper' })).controllers).toEqual([]);
    const again = await refusal('controllers.retire', { controllerId: capper, reason: 'twice', ...PAT });
    expect(again.code).toBe('controller-retired');
    expect((await refusal('capture.start', { controllerId: capper })).code).toBe('controller-retired');
    // Its history: snapshots, baselines and the changes that targeted it, all still there and verifiable.
    expect((await call('snapshots.list', { controllerId: capper })).snapshots).toEqual(snapshotsBefore);
    expect(await call('baselines.get', { controllerId: capper })).toEqual(baselinesBefore);
    expect((await call('changes.list', {})).changes.filter((c) => c.title.startsWith('Capper torque 180')).length).toBe(1);
    const verify = await call('journal.verify', {});
    expect(verify.summary).toMatch(/intact/i);
    expect(verify.ok).toBe(true);
    const retired = (await call('journal.search', { type: 'controller.retired' })).events[0]!;
    expect(retired.payload).toMatchObject({ controllerId: capper, name: 'PLC-L05-CAPPER', reason: 'line 5 capper replaced' });
    expect(retired.signers[0]).toMatchObject({ employeeId: 'M200' });
  });

  it('searches changes by CR number and title, controllers, tags of their profiles and people', async () => {
    const byNumber = await call('search.global', { query: 'cr-0001' });
    expect(byNumber.changes.map((c) => c.number)).toEqual(['CR-0001']);
    const byTitle = await call('search.global', { query: 'jam detection' });
    expect(byTitle.changes.map((c) => c.title)).toEqual(['Case packer jamming: raise jam detection delay']);
    const tags = await call('search.global', { query: 'speedsp' });
    expect(tags.tags.map((x) => `${x.controller}/${x.tag}`)).toContain('PLC-L01-FILLER/Filler_SpeedSP');
    const people = await call('search.global', { query: 'pat' });
    expect(people.people.map((p) => p.employeeId)).toEqual(['M200']);
    const controllers = await call('search.global', { query: 'L18' });
    expect(controllers.controllers.map((c) => c.name)).toEqual(['PLC-L18-CASEPACKER']);
    expect(await call('search.global', { query: 'x' })).toMatchObject({ changes: [], controllers: [], tags: [], people: [] });
  });

  it('the tags of a proposed change come from the profile, with values from the latest signed snapshot', async () => {
    const filler = await idOf('PLC-L01-FILLER');
    const values = await call('controllers.currentValues', { controllerId: filler });
    expect(values.source?.signer).toBe('Erin Engineer');
    const speed = values.tags.find((x) => x.tag === 'Filler_SpeedSP')!;
    expect(speed.value).toBe(14); // the completed demo change raised it from 12.5 to 14
    expect(values.tags.length).toBeGreaterThan(3);
  });

  it('captures every controller of a line; one that cannot be reached is reported and the others are still captured', async () => {
    const filler = await idOf('PLC-L01-FILLER');
    const profile = (await call('controllers.list', {})).controllers.find((c) => c.id === filler)!.profile!.sha256;
    // A second controller on line 1 that nothing answers (a closed loopback port).
    const dead = await call('controllers.register', {
      name: 'PLC-L01-LABELER',
      target: { protocol: 'modbus-tcp', host: '127.0.0.1', port: 1, unitId: 1, wordOrder: 'high-first' },
      profileSha256: profile,
    });
    await call('controllers.assignLine', { controllerId: dead.id, lineId: 'L01', reason: 'labeler of line 1', ...PAT });
    const before = (await call('controllers.captures', { controllerId: filler })).captures.length;
    const result = await call('capture.line', { lineId: 'L01' });
    expect(result.results.map((r) => [r.name, r.status])).toEqual([
      ['PLC-L01-FILLER', 'captured'],
      ['PLC-L01-LABELER', 'incomplete'],
    ]);
    expect(result.results[1]!.message).toMatch(/\S/);
    expect((await call('controllers.captures', { controllerId: filler })).captures.length).toBe(before + 1);
    expect((await refusal('capture.line', { lineId: 'L99' })).code).toBe('line-unknown');
    expect((await refusal('capture.line', { lineId: 'L02' })).code).toBe('line-no-controllers');
  }, 60_000);

  it('a line capture is cancelled through the API: the controller being read and the one after are cancelled, never evidence', async () => {
    // Two controllers on line 3 that accept the connection and never answer.
    const held: Socket[] = [];
    const silent = createServer((sock) => {
      held.push(sock);
      sock.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const port = (silent.address() as { port: number }).port;
      const profile = (await call('controllers.list', {})).controllers.find((c) => c.name === 'PLC-L01-FILLER')!.profile!.sha256;
      for (const name of ['PLC-L03-CAPPER', 'PLC-L03-SEALER']) {
        const c = await call('controllers.register', {
          name,
          target: { protocol: 'modbus-tcp', host: '127.0.0.1', port, unitId: 1, wordOrder: 'high-first' },
          profileSha256: profile,
        });
        await call('controllers.assignLine', { controllerId: c.id, lineId: 'L03', reason: `${name} on line 3`, ...PAT });
      }
      expect(await call('capture.lineCancel', { lineId: 'L03' })).toEqual({ cancelled: false });
      const running = call('capture.line', { lineId: 'L03' });
      await new Promise((resolve) => setTimeout(resolve, 800));
      expect(await call('capture.lineCancel', { lineId: 'L03' })).toEqual({ cancelled: true });
      const result = await running;
      expect(result.results.map((r) => [r.name, r.status])).toEqual([
        ['PLC-L03-CAPPER', 'cancelled'],
        ['PLC-L03-SEALER', 'cancelled'],
      ]);
      expect(result.results[1]!.captureSha256).toBeNull();
      expect(result.results[0]!.message).toMatch(/never evidence/);
      // The capture cut off by the cancel is kept as an incomplete capture; the sealer was never read.
      const controllers = (await call('controllers.list', {})).controllers;
      expect(controllers.find((c) => c.name === 'PLC-L03-CAPPER')!.lastCapture?.complete).toBe(false);
      expect(controllers.find((c) => c.name === 'PLC-L03-SEALER')!.lastCapture ?? null).toBeNull();
    } finally {
      for (const sock of held) sock.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  }, 60_000);

  it('the Audit filter attributes events to the person who signed them, and narrows by change, type and date', async () => {
    const erin = await call('journal.search', { signer: 'E100', limit: 1000 });
    expect(erin.total).toBeGreaterThan(5);
    for (const e of erin.events) expect(e.signers.some((s) => s.employeeId === 'E100')).toBe(true);
    // Captures recorded in her session but not signed by her are not hers.
    expect(erin.events.some((e) => e.type === 'capture.recorded' || e.type === 'app.started')).toBe(false);
    expect(erin.events.some((e) => e.type === 'snapshot.captured')).toBe(true);
    // The witness of a start-execution (a co-signer) finds that decision under their name.
    const eli = await call('journal.search', { signer: 'E101', type: 'change.updated', limit: 1000 });
    expect(eli.events.some((e) => e.signers.some((s) => s.employeeId === 'E101' && s.as === 'co-signer'))).toBe(true);
    const cr1 = await call('journal.search', { change: 'CR-0001', limit: 1000 });
    expect(cr1.total).toBeGreaterThan(5);
    for (const e of cr1.events) expect((e.payload as { changeId?: string }).changeId).toBe(cr1.changeId);
    expect((await refusal('journal.search', { change: 'CR-0999' })).code).toBe('change-unknown');
    const future = await call('journal.search', { from: new Date(Date.now() + 86_400_000).toISOString() });
    expect(future.total).toBe(0);
    const window = await call('journal.search', {
      type: 'controller.retired',
      from: new Date(Date.now() - 3_600_000).toISOString(),
      to: new Date(Date.now() + 60_000).toISOString(),
    });
    expect(window.total).toBe(1);
  });

  it('the evidence command takes the plant change number', async () => {
    await hosted.close();
    const out = join(t.home, 'cr1.zip');
    const r = await runBaselineAsync(['evidence', 'export', 'CR-0001', '--out', out, '--home', home]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^Evidence pack of change CR-0001 \([0-9a-f-]{36}\) written to/);
    expect(existsSync(out)).toBe(true);
    const unknown = await runBaselineAsync(['evidence', 'export', 'CR-0042', '--out', join(t.home, 'x.zip'), '--home', home]);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toMatch(/There is no change CR-0042/);
    hosted = await HostedApp.open({ home, transport: 'in-process', keyProtection: filePermissionsProtection });
  }, 60_000);
});
