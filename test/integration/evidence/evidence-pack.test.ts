/**
 * Issue #14, "must show": a change completed over the Modbus simulator, its evidence pack exported with the
 * `baseline` command, verified on a second data directory that holds only the plant CA certificate, and then,
 * for every member, one flipped byte that the verifier names.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BaselineApp } from '../../../src-main/services/baseline-app.ts';
import { filePermissionsProtection } from '../../../src-main/store/device-key-store.ts';
import { readZip, writeZip } from '../../../src-shared/node/evidence/pack-zip.ts';
import { eventHashInput, type EventBody } from '../../../src-shared/common/journal-event.ts';
import { packMembers, rezipConsistently, zipWithPatchedName } from '../../helpers/pack-tamper.ts';
import { verifyPack, type PackVerdict } from '../../../src-shared/node/evidence/pack-verifier.ts';
import { tempHome } from '../../helpers/temp-home.ts';
import { runBaseline } from '../../helpers/cli.ts';
import { setUpPlant, startLine1Simulator } from '../../helpers/change-fixture.ts';
import { completedFillerChange, testClock } from '../../helpers/completed-change.ts';

describe('the evidence pack of a change completed over the simulator', () => {
  const t = tempHome();
  const auditor = tempHome('baseline-auditor-');
  const clock = testClock();
  let app: BaselineApp;
  let line1: Awaited<ReturnType<typeof startLine1Simulator>>;
  let changeId: string;
  let pack: Buffer;
  const caFile = join(auditor.home, 'plant-ca.pem');
  const packFile = join(t.home, 'pack.zip');

  beforeAll(async () => {
    line1 = await startLine1Simulator();
    app = BaselineApp.open({ home: t.home, transport: 'in-process', keyProtection: filePermissionsProtection, clock: clock.now });
    const controllerId = setUpPlant(app, line1.sim.port);
    changeId = await completedFillerChange(app, controllerId, clock, line1);
    // The auditor's data directory holds the plant CA certificate and nothing else.
    mkdirSync(auditor.home, { recursive: true });
    writeFileSync(caFile, app.identity.cas().length > 0 ? app.identity.trust().caPems[0]! : '');
    app.close();
    await line1.sim.close();
  }, 120_000);
  afterAll(() => {
    t.cleanup();
    auditor.cleanup();
  });

  it('is exported by `baseline evidence export` and verified by `baseline verify` with only the CA certificate', () => {
    const exported = runBaseline(['evidence', 'export', changeId, '--out', packFile, '--home', t.home]);
    expect(exported.stderr).toBe('');
    expect(exported.code).toBe(0);
    expect(exported.stdout).toMatch(/manifest.json SHA-256: [0-9a-f]{64}/);
    pack = readFileSync(packFile);
    const verified = runBaseline(['verify', packFile, '--ca', caFile], { BASELINE_HOME: auditor.home });
    expect(verified.stdout).toMatch(/^Evidence pack verified: change .* "Raise filler speed setpoint to 14 m\/min" \(closed\)/);
    expect(verified.code).toBe(0);
    const json = JSON.parse(runBaseline(['verify', packFile, '--ca', caFile, '--json']).stdout) as PackVerdict;
    expect(json).toMatchObject({ ok: true, changeId, status: 'closed', failures: [] });
    // Two CAB approvals, the submit, schedule, start (with the witness's co-signature), two snapshots recorded,
    // four checkpoints, the close, the new baseline, and the two snapshots' own "captured by" signatures.
    expect(json.counts).toMatchObject({ approvals: 2, checkpoints: 4, snapshots: 2 });
    expect(json.counts.signatures).toBeGreaterThanOrEqual(14);
  }, 120_000);

  it("an auditor's sample by period and line: one pack per change and index.csv with each pack's hashes", () => {
    const dir = join(t.home, 'sample');
    const r = runBaseline([
      'evidence',
      'export',
      '--from',
      '2026-11-20',
      '--to',
      '2026-11-30',
      '--line',
      'L01',
      '--out',
      dir,
      '--home',
      t.home,
    ]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(`1 evidence pack and index.csv written to ${dir}.\n`);
    const index = readFileSync(join(dir, 'index.csv'), 'utf8').trim().split('\n');
    expect(index[0]).toBe('change_id,title,class,status,lines,requester,created_at,updated_at,pack,pack_sha256,manifest_sha256');
    expect(index).toHaveLength(2);
    const cells = index[1]!.split(',');
    expect(cells.slice(0, 6)).toEqual([changeId, 'Raise filler speed setpoint to 14 m/min', 'normal', 'closed', 'L01', 'Erin Engineer']);
    expect(cells[9]).toBe(
      createHash('sha256')
        .update(readFileSync(join(dir, `${changeId}.zip`)))
        .digest('hex'),
    );
    const none = runBaseline([
      'evidence',
      'export',
      '--from',
      '2026-11-20',
      '--to',
      '2026-11-30',
      '--line',
      'L20',
      '--out',
      join(t.home, 'sample-l20'),
      '--home',
      t.home,
    ]);
    expect(none.stdout).toBe(`0 evidence packs and index.csv written to ${join(t.home, 'sample-l20')}.\n`);
    const again = runBaseline(['evidence', 'export', '--from', '2026-11-20', '--to', '2026-11-30', '--out', dir, '--home', t.home]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`The folder ${dir} is not empty.`);
    const bad = runBaseline([
      'evidence',
      'export',
      '--from',
      '2026-12-01',
      '--to',
      '2026-11-01',
      '--out',
      join(t.home, 'sample-bad'),
      '--home',
      t.home,
    ]);
    expect(bad.stderr).toContain('The period 2026-12-01 to 2026-11-01 is not a valid period.');
  }, 120_000);

  it('without a trusted CA the pack is not verified, and says what to pass', () => {
    const r = runBaseline(['verify', packFile]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/no trusted plant CA was given: pass --ca CA.pem/);
  }, 60_000);

  it("VERIFY.md's procedure, run with the real sha256sum and openssl, passes on the pack and fails on an altered one", () => {
    const dir = join(t.home, 'unzipped');
    mkdirSync(dir);
    execFileSync('unzip', ['-q', packFile, '-d', dir]);
    const md = readFileSync(join(dir, 'VERIFY.md'), 'utf8');
    const block = /```sh\n([\s\S]*?)```/.exec(md)![1]!;
    expect(block).not.toMatch(/\b(node|baseline|python)\b/);
    const run = () => spawnSync('sh', ['-s', '--', caFile], { cwd: dir, input: block, encoding: 'utf8' });
    const good = run();
    expect(good.stdout).toContain('ALL CHECKS PASSED');
    expect(good.status).toBe(0);
    // One altered journal event: its hash, its signature and the next event's link all fail.
    const event = readdirSync(join(dir, 'journal'))
      .filter((d) => !d.endsWith('.json'))
      .flatMap((d) =>
        readdirSync(join(dir, 'journal', d))
          .filter((f) => f.endsWith('.json'))
          .map((f) => join(dir, 'journal', d, f)),
      )[3]!;
    writeFileSync(event, readFileSync(event, 'utf8').replace('"at":"2', '"at":"3'));
    const bad = run();
    expect(bad.status).toBe(1);
    expect(bad.stdout).toMatch(/FAILED: device signature of journal\/.*\.json/);
    expect(bad.stdout).toMatch(/FAILED: a member's SHA-256 differs from SHA256SUMS/);
    expect(bad.stdout).not.toContain('ALL CHECKS PASSED');
    rmSync(dir, { recursive: true });
  }, 180_000);

  it('report.pdf prints the manifest hash and the page number on every page; pages rendered to PNG for a person to look at', async () => {
    const { members } = await readZip(pack);
    const out = fileURLToPath(new URL('../../../test-results/evidence-report/', import.meta.url));
    rmSync(out, { recursive: true, force: true });
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, 'report.pdf'), members.get('report.pdf')!);
    writeFileSync(join(out, 'pack.zip'), pack);
    writeFileSync(join(out, 'plant-ca.pem'), readFileSync(caFile));
    const manifestSha = createHash('sha256').update(members.get('manifest.json')!).digest('hex');
    const pages = execFileSync('pdftotext', ['-layout', join(out, 'report.pdf'), '-'], { encoding: 'utf8' })
      .split('\f')
      .filter((p) => p.trim() !== '');
    expect(pages.length).toBeGreaterThanOrEqual(4);
    pages.forEach((text, i) => {
      expect(text).toContain(`manifest.json SHA-256 ${manifestSha}`);
      expect(text).toContain(`Page ${i + 1} of ${pages.length}`);
    });
    const all = pages.join('\n');
    expect(all).toMatch(/Sky Supervisor \(SV500\)/);
    expect(all).toMatch(/2026-11-26 23:1\d:\d\d CST \(UTC-06:00\)/);
    expect(all).toContain('Backup completed and verified (signed before-snapshot)');
    expect(all).toContain('IEC 62443-3-3 SR 7.6');
    expect(all).toMatch(/not-applicable/);
    execFileSync('pdftoppm', ['-png', '-r', '70', join(out, 'report.pdf'), join(out, 'page')]);
    expect(readdirSync(out).filter((f) => f.endsWith('.png')).length).toBe(pages.length);
  }, 60_000);

  it("refuses a forger's pack with every hash list made to agree: swapped snapshot, event re-signed with another key, member removed or added", async () => {
    const ca = readFileSync(caFile, 'utf8');
    const reasons = (v: PackVerdict) => v.failures.map((f) => `${f.member} [${f.record ?? ''}] ${f.reason}`).join('\n');
    // Swapped snapshot: the after-snapshot's member holds the before-snapshot's file.
    let m = await packMembers(pack);
    const snaps = [...m.keys()].filter((k) => /^snapshots\/[0-9a-f]{64}\.json$/.test(k));
    expect(snaps).toHaveLength(2);
    m.set(snaps[0]!, m.get(snaps[1]!)!);
    let v = await verifyPack(await rezipConsistently(m), { caPems: [ca] });
    expect(v.ok).toBe(false);
    expect(reasons(v)).toContain(
      `${snaps[0]} [] the member holds snapshot ${snaps[1]!.slice(10, 22)}…, not snapshot ${snaps[0]!.slice(10, 22)}… that its name and the change record (swapped)`,
    );
    // An event altered and re-signed with another Ed25519 key.
    m = await packMembers(pack);
    const index = JSON.parse(m.get('journal/index.json')!.toString('utf8')) as {
      member: string;
      type: string;
      hash: string;
      sig: string;
    }[];
    const bodyOf = (e: { member: string }) => JSON.parse(m.get(e.member)!.toString('utf8')) as EventBody;
    // The CLOSE (the post-implementation review follows it).
    const close = index
      .filter((e) => e.type === 'change.updated' && (bodyOf(e).payload as Record<string, unknown>)['operation'] === 'close')
      .at(-1)!;
    const body = bodyOf(close);
    (body.payload as Record<string, unknown>)['summary'] = 'closed: all fine, nothing to see';
    const text = eventHashInput(body);
    const forger = generateKeyPairSync('ed25519');
    const forged = sign(null, Buffer.from(text), forger.privateKey);
    m.set(close.member, Buffer.from(text));
    m.set(close.member.replace(/\.json$/, '.sig'), forged);
    close.hash = createHash('sha256').update(text).digest('hex');
    close.sig = forged.toString('base64');
    m.set('journal/index.json', Buffer.from(JSON.stringify(index, null, 2) + '\n'));
    v = await verifyPack(await rezipConsistently(m), { caPems: [ca] });
    expect(reasons(v)).toContain(
      `${close.member.replace(/\.json$/, '.sig')} [seq ${body.seq} (change.updated close)] the device signature does not verify with device ${body.device}'s key (altered, or re-signed with another key)`,
    );
    // A member removed, and one added, with the lists made to agree: the removed snapshot is still named by the change.
    m = await packMembers(pack);
    m.delete(snaps[1]!);
    m.set('notes/extra.txt', Buffer.from('added later'));
    v = await verifyPack(await rezipConsistently(m), { caPems: [ca] });
    expect(reasons(v)).toMatch(
      new RegExp(`${snaps[1]!.replace('.', '\\.')} \\[.*-snapshot of .*\\] the snapshot the change records is missing from the pack`),
    );
    expect(reasons(v)).toContain('notes/extra.txt [] the member is not listed in manifest.json (added after export)');
    // And without the lists made to agree, plainly.
    m = await packMembers(pack);
    m.delete('pki/revocations.json');
    v = await verifyPack(await writeZip([...m]), { caPems: [ca] });
    expect(reasons(v)).toContain('pki/revocations.json [SHA256SUMS line');
  }, 120_000);

  it('refuses what no signed record accounts for, even listed in manifest.json and SHA256SUMS: an added member, a forged verify.sh, an edited policy line', async () => {
    const ca = readFileSync(caFile, 'utf8');
    const reasons = (v: PackVerdict) => v.failures.map((f) => `${f.member} ${f.reason}`).join('\n');
    /** The members with `added` put into the manifest's list, then every hash list made to agree. */
    const forge = async (m: Map<string, Buffer>, added: string[], edit?: (manifest: Record<string, unknown>) => void) => {
      const manifest = JSON.parse(m.get('manifest.json')!.toString('utf8')) as Record<string, unknown> & {
        members: { path: string; sha256: string; size: number }[];
      };
      for (const path of added) manifest.members.push({ path, sha256: '0'.repeat(64), size: 0 });
      edit?.(manifest);
      m.set('manifest.json', Buffer.from(JSON.stringify(manifest, null, 2) + '\n'));
      return verifyPack(await rezipConsistently(m), { caPems: [ca] });
    };
    // A note that reads like evidence, and a signature directory no signed record holds.
    let m = await packMembers(pack);
    m.set('notes/qa-approval.txt', Buffer.from('Quality approved this change. Quinn Quality, Q400\n'));
    m.set('signatures/099-approved/statement.json', Buffer.from('{"meaning":"approved"}'));
    let v = await forge(m, ['notes/qa-approval.txt', 'signatures/099-approved/statement.json']);
    expect(v.ok).toBe(false);
    expect(reasons(v)).toContain("notes/qa-approval.txt the member is not part of this change's evidence");
    expect(reasons(v)).toContain("signatures/099-approved/statement.json the member is not part of this change's evidence");
    // The offline procedure replaced by one that passes anything.
    m = await packMembers(pack);
    m.set('verify.sh', Buffer.from('#!/bin/sh\necho "ALL CHECKS PASSED"\n'));
    v = await forge(m, []);
    expect(v.ok).toBe(false);
    expect(reasons(v)).toMatch(/^verify\.sh the member is not the procedure Baseline writes .*do not run it/m);
    // The policy line of the manifest (printed by the Audit screen) edited.
    m = await packMembers(pack);
    v = await forge(m, [], (manifest) => {
      manifest['policy'] = { ...(manifest['policy'] as object), revision: 99, name: 'Relaxed plant policy' };
    });
    expect(v.ok).toBe(false);
    expect(reasons(v)).toMatch(
      /^manifest\.json the manifest names policy "Relaxed plant policy" revision 99, but policy\/policy\.yaml is ".+" revision \d+/m,
    );
  }, 120_000);

  it('refuses broken containers with their exact reason: truncated, ../ and absolute names, duplicates, zip bombs', async () => {
    const ca = readFileSync(caFile, 'utf8');
    const reasons = async (zip: Buffer) => (await verifyPack(zip, { caPems: [ca] })).failures.map((f) => `${f.member}: ${f.reason}`);
    expect(await reasons(pack.subarray(0, Math.floor(pack.length * 0.7)))).toEqual([
      '(pack): the file is not a complete zip (truncated, or not a zip at all): its central directory is missing',
    ]);
    const members = [...(await packMembers(pack))];
    expect(
      await reasons(await zipWithPatchedName([...members, ['xx/evil.sh', Buffer.from('rm -rf /')]], 'xx/evil.sh', '../evil.sh')),
    ).toContain('../evil.sh: the entry name "../evil.sh" climbs out of the pack with ../');
    expect(
      await reasons(await zipWithPatchedName([...members, ['Xetc/cron.d', Buffer.from('x')]], 'Xetc/cron.d', '/etc/cron.d')),
    ).toContain('/etc/cron.d: the entry name "/etc/cron.d" is an absolute path');
    expect(await reasons(await writeZip([...members, ['VERIFY.md', Buffer.from('# trust me')]]))).toContain(
      'VERIFY.md: the entry "VERIFY.md" appears twice in the zip (which copy is the evidence?)',
    );
    const bomb = await reasons(await writeZip([...members, ['snapshots/bomb.json', Buffer.alloc(40 * 1024 * 1024)]]));
    expect(bomb.find((r) => r.startsWith('snapshots/bomb.json'))).toMatch(
      /inflates \d+ bytes to 41943040 \(ratio over 200:1, a decompression bomb\?\)/,
    );
    expect(await reasons(Buffer.from('not a zip at all'))).toEqual([
      '(pack): the file is not a complete zip (truncated, or not a zip at all): its central directory is missing',
    ]);
    // The command line says the same, writes nothing where it runs, and exits 1.
    const cwd = join(auditor.home, 'cwd');
    mkdirSync(cwd);
    writeFileSync(join(auditor.home, 'truncated.zip'), pack.subarray(0, 1000));
    const r = spawnSync(
      process.execPath,
      [fileURLToPath(new URL('../../../bin/baseline.js', import.meta.url)), 'verify', join(auditor.home, 'truncated.zip'), '--ca', caFile],
      { cwd, encoding: 'utf8' },
    );
    expect(r.stdout).toContain('(pack): the file is not a complete zip');
    expect(r.status).toBe(1);
    expect(readdirSync(cwd)).toEqual([]);
  }, 120_000);

  it('a signer whose certificate was revoked after signing fails the pack, by name', async () => {
    const reopened = BaselineApp.open({
      home: t.home,
      transport: 'in-process',
      keyProtection: filePermissionsProtection,
      clock: clock.now,
    });
    try {
      reopened.identity.revokeWithCa('S300', 'laptop stolen', 'plant-ca-secret-1', reopened.actor());
      const again = await reopened.evidence.export(changeId, reopened.actor());
      const v = await verifyPack(again.zip, { caPems: [readFileSync(caFile, 'utf8')] });
      expect(v.ok).toBe(false);
      const revoked = v.failures.filter((f) => /revoked/.test(f.reason));
      expect(revoked.map((f) => f.record)).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^seq \d+ \(change.updated approve\): Sam Security \(approved\)$/),
          expect.stringMatching(/co-signature: Sam Security \(reviewed\)$/),
        ]),
      );
      expect(revoked[0]!.reason).toMatch(/^the signer's certificate is revoked \(2026-11-2\dT.*, pki\/revocations.json\)$/);
    } finally {
      reopened.close();
    }
  }, 120_000);

  it('names the member when any one byte of any member is flipped', async () => {
    const { members } = await readZip(pack);
    const ca = readFileSync(caFile, 'utf8');
    const names = [...members.keys()];
    expect(names).toEqual(
      expect.arrayContaining([
        'manifest.json',
        'SHA256SUMS',
        'VERIFY.md',
        'journal/index.json',
        'signatures/index.json',
        'pki/revocations.json',
        'policy/policy.yaml',
      ]),
    );
    expect(names.some((n) => /^snapshots\/[0-9a-f]{64}\.json$/.test(n))).toBe(true);
    expect(names.some((n) => /^diffs\/.*\/proposed-vs-actual\.json$/.test(n))).toBe(true);
    const missed: string[] = [];
    for (const name of names) {
      const altered = new Map(members);
      const bytes = Buffer.from(members.get(name)!);
      const at = Math.floor(bytes.length / 2);
      bytes[at] = bytes[at]! ^ 0x01;
      altered.set(name, bytes);
      const v = await verifyPack(await writeZip([...altered]), { caPems: [ca] });
      const named = v.failures.some(
        (f) =>
          f.member === name ||
          f.record?.includes(name) ||
          (name === 'SHA256SUMS' && (f.record ?? '').length > 0 && f.member === 'SHA256SUMS'),
      );
      if (v.ok || !named) missed.push(`${name}: ${v.ok ? 'verified' : v.failures.map((f) => `${f.member} ${f.reason}`).join(' | ')}`);
    }
    expect(missed).toEqual([]);
  }, 600_000);
});
