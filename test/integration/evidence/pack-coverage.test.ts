/**
 * What an evidence pack proves beyond its hash lists (which no one signs): report.pdf and VERIFY.md are recomputed
 * from the signed members and compared byte for byte, the role of every event in journal/index.json is recomputed
 * from the signed events, and the report names each controller as the plant model does (its registered name and
 * line, carried in the pack as the signed events that set them). A forger who re-renders the report with false
 * words, edits the procedure or relabels an event, with every hash list made to agree, is named.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BaselineApp } from '../../../src-main/services/baseline-app.ts';
import { filePermissionsProtection } from '../../../src-main/store/device-key-store.ts';
import { verifyPack, type PackVerdict } from '../../../src-shared/node/evidence/pack-verifier.ts';
import { renderReport } from '../../../src-shared/node/evidence/report-pdf.ts';
import { evaluateCrosswalk, parseCrosswalk } from '../../../src-shared/node/evidence/crosswalk.ts';
import { PACK_FORMAT, findSignatures, jsonMember, signatureIndex } from '../../../src-shared/node/evidence/pack-format.ts';
import type { SnapshotFile } from '../../../src-shared/common/snapshot/snapshot.ts';
import { sha256Hex } from '../../../src-shared/node/hash.ts';
import { packMembers, rezipConsistently } from '../../helpers/pack-tamper.ts';
import { tempHome } from '../../helpers/temp-home.ts';
import { runBaseline } from '../../helpers/cli.ts';
import { setUpPlant, startLine1Simulator } from '../../helpers/change-fixture.ts';
import { completedFillerChange, testClock } from '../../helpers/completed-change.ts';

const reasons = (v: PackVerdict) => v.failures.map((f) => `${f.member} [${f.record ?? ''}] ${f.reason}`).join('\n');

describe('what the evidence pack signs: report.pdf, VERIFY.md, the event roles, the controller names', () => {
  const t = tempHome();
  const clock = testClock();
  let pack: Buffer;
  let ca: string;
  let controllerId: string;

  beforeAll(async () => {
    const line1 = await startLine1Simulator();
    const app = BaselineApp.open({ home: t.home, transport: 'in-process', keyProtection: filePermissionsProtection, clock: clock.now });
    try {
      controllerId = setUpPlant(app, line1.sim.port);
      const changeId = await completedFillerChange(app, controllerId, clock, line1);
      pack = (await app.evidence.export(changeId, app.actor())).zip;
      ca = app.identity.trust().caPems[0]!;
    } finally {
      app.close();
      await line1.sim.close();
    }
  }, 120_000);
  afterAll(() => t.cleanup());

  it('the pack as exported verifies, in the format this version writes', async () => {
    const v = await verifyPack(pack, { caPems: [ca] });
    expect(reasons(v)).toBe('');
    expect(v.ok).toBe(true);
    expect(v.format).toBe(PACK_FORMAT);
  }, 60_000);

  it("verifies with `baseline verify` on a machine set to another language and time zone: the report's bytes follow neither, nor the machine's zlib", async () => {
    const file = join(t.home, 'pack.zip');
    const caFile = join(t.home, 'plant-ca.pem');
    writeFileSync(file, pack);
    writeFileSync(caFile, ca);
    // No stream of the report is deflated: zlib builds (Electron's, Node's, with or without the CPU's CRC32 hashing)
    // may deflate the same text to other bytes; the pack's zip deflates the report as a whole anyway.
    const report = (await packMembers(pack)).get('report.pdf')!;
    expect(report.toString('latin1')).toContain('/Type /Page');
    expect(report.toString('latin1')).not.toContain('/FlateDecode');
    for (const locale of ['de_DE.UTF-8', 'fr_FR.UTF-8']) {
      const r = runBaseline(['verify', file, '--ca', caFile], { LANG: locale, LC_ALL: locale, TZ: 'Asia/Tokyo' });
      expect(r.stdout).toMatch(/^Evidence pack verified: /);
      expect(r.code).toBe(0);
    }
  }, 60_000);

  it('report.pdf re-rendered with false words, every hash list made to agree, fails naming report.pdf', async () => {
    const v = await verifyPack(pack, { caPems: [ca] });
    const m = await packMembers(pack);
    // The forger renders the report again from the pack's own data, with one claim changed, and this manifest's hash.
    const ctx = structuredClone(v.context!);
    ctx.state.fields.title = 'Lower filler speed setpoint to 10 m/min';
    const crosswalk = evaluateCrosswalk(parseCrosswalk(m.get('compliance/crosswalk.yaml')!.toString('utf8')), ctx);
    m.set('report.pdf', await renderReport(ctx, sha256Hex(m.get('manifest.json')!), crosswalk));
    const forged = await verifyPack(await rezipConsistently(m), { caPems: [ca] });
    expect(forged.ok).toBe(false);
    expect(reasons(forged)).toMatch(
      /^report\.pdf \[\] the report is not the one the signed members of this pack give .*: do not rely on it; .*`baseline verify`/m,
    );
    // One byte appended: the same.
    const m2 = await packMembers(pack);
    m2.set('report.pdf', Buffer.concat([m2.get('report.pdf')!, Buffer.from('\n')]));
    expect(reasons(await verifyPack(await rezipConsistently(m2), { caPems: [ca] }))).toMatch(/^report\.pdf \[\] the report is not/m);
  }, 60_000);

  it('VERIFY.md altered, every hash list made to agree, fails naming VERIFY.md', async () => {
    const m = await packMembers(pack);
    const text = m.get('VERIFY.md')!.toString('utf8');
    expect(text).toContain('sha256sum');
    m.set(
      'VERIFY.md',
      Buffer.from(text.replace(/## What the pack holds/, '## What the pack holds\n\nNo need to check signatures: the hashes suffice.\n')),
    );
    const v = await verifyPack(await rezipConsistently(m), { caPems: [ca] });
    expect(v.ok).toBe(false);
    expect(reasons(v)).toMatch(/^VERIFY\.md \[\] the procedure is not the one Baseline writes for this pack .*: do not follow it;/m);
  }, 60_000);

  it('a role in journal/index.json altered is named: the verifier recomputes each role from the signed events', async () => {
    const m = await packMembers(pack);
    const index = JSON.parse(m.get('journal/index.json')!.toString('utf8')) as { role: string; type: string; seq: number }[];
    const snapshotEvent = index.find((e) => e.role === 'snapshot')!;
    expect(snapshotEvent).toBeDefined();
    snapshotEvent.role = 'link';
    m.set('journal/index.json', Buffer.from(JSON.stringify(index, null, 2) + '\n'));
    const v = await verifyPack(await rezipConsistently(m), { caPems: [ca] });
    expect(v.ok).toBe(false);
    expect(reasons(v)).toContain(
      `journal/index.json [seq ${snapshotEvent.seq} (${snapshotEvent.type})] the index gives the event the role "link", but the signed events make it "snapshot" (journal/index.json was altered)`,
    );
  }, 60_000);

  it('the events of journal/index.json out of their device and seq order are named', async () => {
    const m = await packMembers(pack);
    const index = JSON.parse(m.get('journal/index.json')!.toString('utf8')) as unknown[];
    m.set('journal/index.json', Buffer.from(JSON.stringify(index.reverse(), null, 2) + '\n'));
    const v = await verifyPack(await rezipConsistently(m), { caPems: [ca] });
    expect(v.ok).toBe(false);
    expect(reasons(v)).toMatch(/^journal\/index\.json \[.*\] the events are not in device and seq order/m);
  }, 60_000);

  it("an index reordered so that an earlier decision reads as the change's last, the derived members made to agree, is named", async () => {
    // Formats 1 and 2 took the index's order: this forgery made a closed change verify as "scheduled".
    const m = await packMembers(pack);
    const index = JSON.parse(m.get('journal/index.json')!.toString('utf8')) as { type: string; member: string }[];
    const op = (e: { member: string }) =>
      (JSON.parse(m.get(e.member)!.toString('utf8')) as { payload: { operation?: string } }).payload.operation;
    const schedule = index.find((e) => e.type === 'change.updated' && op(e) === 'schedule')!;
    m.set('journal/index.json', Buffer.from(JSON.stringify([...index.filter((e) => e !== schedule), schedule], null, 2) + '\n'));
    // What a forger with the library recomputes from the new order: the signatures, the crosswalk; no diffs before execution.
    const ctx = (await verifyPack(await rezipConsistently(new Map(m)), { caPems: [ca] })).context!;
    for (const k of [...m.keys()]) if (k.startsWith('signatures/') || k.startsWith('diffs/')) m.delete(k);
    const snapshots = [...m.keys()]
      .filter((k) => /^snapshots\/[0-9a-f]{64}\.json$/.test(k))
      .map((k) => ({
        member: k,
        snapshotSha256: k.slice(10, 74),
        signatures: (JSON.parse(m.get(k)!.toString('utf8')) as SnapshotFile).signatures,
      }));
    const sigs = signatureIndex(findSignatures(ctx.events, snapshots));
    for (const [path, bytes] of sigs.members) m.set(path, bytes);
    m.set('signatures/index.json', jsonMember(sigs.index));
    ctx.signatures = sigs.index;
    const crosswalk = evaluateCrosswalk(parseCrosswalk(m.get('compliance/crosswalk.yaml')!.toString('utf8')), ctx);
    m.set('crosswalk.json', jsonMember(crosswalk));
    const manifest = JSON.parse(m.get('manifest.json')!.toString('utf8')) as { members: { path: string; sha256: string; size: number }[] };
    manifest.members = [...m.keys()]
      .filter((k) => !['manifest.json', 'report.pdf', 'SHA256SUMS'].includes(k))
      .map((path) => ({ path, sha256: '', size: 0 }));
    m.set('manifest.json', Buffer.from(JSON.stringify(manifest, null, 2) + '\n'));
    await rezipConsistently(m); // the manifest's hashes made to agree; then the report printing its hash
    m.set('report.pdf', await renderReport(ctx, sha256Hex(m.get('manifest.json')!), crosswalk));
    const v = await verifyPack(await rezipConsistently(m), { caPems: [ca] });
    expect(v.ok).toBe(false);
    expect(reasons(v)).toContain(
      `journal/index.json [seq ${(JSON.parse(m.get(schedule.member)!.toString('utf8')) as { seq: number }).seq} (change.updated schedule)] the events are not in device and seq order`,
    );
  }, 60_000);

  it("the report names the controller by its registered name and its line, from the pack's signed events", async () => {
    const m = await packMembers(pack);
    const index = JSON.parse(m.get('journal/index.json')!.toString('utf8')) as { role: string; type: string }[];
    expect(index.filter((e) => e.role === 'plant').map((e) => e.type)).toEqual(
      expect.arrayContaining(['controller.registered', 'controller.line-assigned', 'plant.imported']),
    );
    const out = fileURLToPath(new URL('../../../test-results/evidence-coverage/', import.meta.url));
    rmSync(out, { recursive: true, force: true });
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, 'report.pdf'), m.get('report.pdf')!);
    const text = execFileSync('pdftotext', ['-layout', join(out, 'report.pdf'), '-'], { encoding: 'utf8' });
    expect(text).toMatch(new RegExp(`Where\\s+PLC-L01-FILLER on line L01 \\(Packaging line 1\\)\\s*\\n\\s+id ${controllerId}`));
    expect(text).toContain('Before/after diff of PLC-L01-FILLER on line L01: 1 configuration difference(s)');
    // The id's first part, up to its first hyphen: the table may wrap the id there, depending on the id's characters.
    expect(text).toMatch(new RegExp(`before\\s+PLC-L01-FILLER on line L01\\s+[0-9a-f]+\\s.*\\n\\s+${controllerId.split('-')[0]}`));
    execFileSync('pdftoppm', ['-png', '-r', '60', join(out, 'report.pdf'), join(out, 'page')]);
  }, 60_000);
});
