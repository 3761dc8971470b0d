/**
 * Evidence packs exported by earlier versions keep their verdict: real packs written by the code at earlier commits
 * (test/fixtures/evidence-packs, formats `baseline.evidence-pack/1` to `/4`), verified today by the library, `baseline verify`
 * and the app, each against the plant CA it was signed under. Each pack is held to the rules of the format it
 * declares, and tampering with one is still found.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BaselineApp } from '../../../src-main/services/baseline-app.ts';
import { filePermissionsProtection } from '../../../src-main/store/device-key-store.ts';
import { verifyPack, type PackFailure } from '../../../src-shared/node/evidence/pack-verifier.ts';
import { PACK_FORMAT } from '../../../src-shared/node/evidence/pack-format.ts';
import { packMembers, rezipConsistently } from '../../helpers/pack-tamper.ts';
import { writeZip } from '../../../src-shared/node/evidence/pack-zip.ts';
import { runBaseline } from '../../helpers/cli.ts';
import { tempHome } from '../../helpers/temp-home.ts';

const fixture = (name: string) => fileURLToPath(new URL(`../../fixtures/evidence-packs/${name}`, import.meta.url));
const read = (name: string) => readFileSync(fixture(name));

interface RecordedVerdict {
  ok: boolean;
  failures: PackFailure[];
  counts: Record<string, number>;
  status: string;
}

const PACKS = ['completed-af26fa3', 'completed-d5f70ec', 'restored-on-laptop-b-d5f70ec'] as const;
/** Packs of format 2 (exported before report.pdf, VERIFY.md and the event roles were recomputed). */
const FORMAT_2 = ['completed-4e88562'] as const;
/**
 * Packs of format 3, whose report.pdf and VERIFY.md the verifier renders again: a change to what the report or the
 * procedure says (or to pdfkit's output) fails here, and needs a new format with this one's renderer kept.
 */
const FORMAT_3 = ['completed-e73fc1f'] as const;
/** Packs of format 4 (roles named as the policy names them): the same holds for them. */
const FORMAT_4 = ['completed-db1da1d'] as const;
const formatOf = (name: string) =>
  (FORMAT_4 as readonly string[]).includes(name)
    ? 'baseline.evidence-pack/4'
    : (FORMAT_3 as readonly string[]).includes(name)
      ? 'baseline.evidence-pack/3'
      : (FORMAT_2 as readonly string[]).includes(name)
        ? 'baseline.evidence-pack/2'
        : 'baseline.evidence-pack/1';

/** The pack's members with the manifest's format replaced, every hash made to agree. */
async function relabelled(zip: Buffer, format: string): Promise<Buffer> {
  const members = await packMembers(zip);
  const manifest = JSON.parse(members.get('manifest.json')!.toString('utf8')) as { format: string };
  manifest.format = format;
  members.set('manifest.json', Buffer.from(JSON.stringify(manifest, null, 2) + '\n'));
  return rezipConsistently(members);
}

describe('evidence packs exported by earlier versions (formats 1 to 4) keep the verdict they had', () => {
  for (const name of [...PACKS, ...FORMAT_2, ...FORMAT_3, ...FORMAT_4]) {
    it(`${name}: the same verdict as the verifier of its own commit gave`, async () => {
      const then = JSON.parse(read(`${name}-verdict.json`).toString('utf8')) as RecordedVerdict;
      const now = await verifyPack(read(`${name}.zip`), { caPems: [read(`${name}-ca.pem`).toString('utf8')] });
      expect(now.format).toBe(formatOf(name));
      expect({ ok: now.ok, failures: now.failures, counts: now.counts, status: now.status }).toEqual({
        ok: then.ok,
        failures: then.failures,
        counts: then.counts,
        status: then.status,
      });
    });
  }

  it('a completed change exported before declared tolerances verifies; its proposed-vs-actual diff altered, it does not', async () => {
    const zip = read('completed-d5f70ec.zip');
    const caPems = [read('completed-d5f70ec-ca.pem').toString('utf8')];
    expect((await verifyPack(zip, { caPems })).ok).toBe(true);
    const members = await packMembers(zip);
    const path = [...members.keys()].find((p) => p.endsWith('/proposed-vs-actual.json'))!;
    const diff = JSON.parse(members.get(path)!.toString('utf8')) as Record<string, unknown>;
    // A forger claims a live value was within its tolerance (a field the format allows, but not with this content).
    members.set(path, Buffer.from(JSON.stringify({ ...diff, liveWithin: ['Line1_Temp'] }, null, 2) + '\n'));
    const v = await verifyPack(await rezipConsistently(members), { caPems });
    expect(v.ok).toBe(false);
    expect(v.failures).toContainEqual({
      member: path,
      record: null,
      reason: 'the member differs from the diff of the snapshots, recomputed from the signed members',
    });
  });

  it('a pack is held to the rules of the format it declares: the same bytes labelled format 2 fail what format 2 promises', async () => {
    const caPems = [read('restored-on-laptop-b-d5f70ec-ca.pem').toString('utf8')];
    const asTwo = await verifyPack(await relabelled(read('restored-on-laptop-b-d5f70ec.zip'), 'baseline.evidence-pack/2'), { caPems });
    expect(asTwo.format).toBe('baseline.evidence-pack/2');
    expect(asTwo.failures.map((f) => f.reason)).toEqual(
      expect.arrayContaining([
        'the restore reports Line1_SpeedSP as written-verified, but the pack holds no restore.written event for it (the value-by-value record is missing)',
        'the restore reports Line1_Recipe as written-verified, but the pack holds no restore.written event for it (the value-by-value record is missing)',
      ]),
    );
    const completed = await verifyPack(await relabelled(read('completed-d5f70ec.zip'), 'baseline.evidence-pack/2'), {
      caPems: [read('completed-d5f70ec-ca.pem').toString('utf8')],
    });
    expect(completed.failures.map((f) => f.member)).toEqual([expect.stringMatching(/\/proposed-vs-actual\.json$/)]);
  });

  it('a format 2 pack labelled format 3 is held to format 3: its report and VERIFY.md, rendered again from its signed members, are not the ones it carries', async () => {
    const caPems = [read('completed-4e88562-ca.pem').toString('utf8')];
    const v = await verifyPack(await relabelled(read('completed-4e88562.zip'), 'baseline.evidence-pack/3'), { caPems });
    expect(v.format).toBe('baseline.evidence-pack/3');
    expect(new Set(v.failures.map((f) => f.member))).toEqual(new Set(['report.pdf', 'VERIFY.md']));
    // Labelled format 4, its crosswalk (which names the approvers' roles) is not format 4's either.
    const four = await verifyPack(await relabelled(read('completed-4e88562.zip'), PACK_FORMAT), { caPems });
    expect(four.format).toBe(PACK_FORMAT);
    expect(new Set(four.failures.map((f) => f.member))).toEqual(new Set(['report.pdf', 'VERIFY.md', 'crosswalk.json']));
  });

  it("formats 3 and 4 differ only in the report's and the crosswalk's words: each fixture relabelled as the other fails on those two", async () => {
    for (const [name, as] of [
      ['completed-e73fc1f', 'baseline.evidence-pack/4'],
      ['completed-db1da1d', 'baseline.evidence-pack/3'],
    ] as const) {
      const v = await verifyPack(await relabelled(read(`${name}.zip`), as), { caPems: [read(`${name}-ca.pem`).toString('utf8')] });
      expect(v.format).toBe(as);
      expect(new Set(v.failures.map((f) => f.member))).toEqual(new Set(['report.pdf', 'crosswalk.json']));
    }
  });

  it('format 2 still finds tampering: an altered journal event, or report.pdf with SHA256SUMS left as exported', async () => {
    const caPems = [read('completed-4e88562-ca.pem').toString('utf8')];
    const members = await packMembers(read('completed-4e88562.zip'));
    const event = [...members.keys()].find((p) => /^journal\/.+\/\d{8}\.json$/.test(p))!;
    members.set(event, Buffer.from(members.get(event)!.toString('utf8').replace('"seq":', '"seq": ')));
    const altered = await verifyPack(await rezipConsistently(members), { caPems });
    expect(altered.ok).toBe(false);
    expect(altered.failures.map((f) => f.member)).toContain(event);
    const again = await packMembers(read('completed-4e88562.zip'));
    again.set('report.pdf', Buffer.concat([again.get('report.pdf')!, Buffer.from('%')]));
    const report = await verifyPack(await writeZip([...again]), { caPems });
    expect(report.failures.map((f) => `${f.member}: ${f.reason}`)).toEqual([
      expect.stringMatching(/^report\.pdf: the member's SHA-256 is not the one SHA256SUMS lists/),
    ]);
  });

  it("every format's index is in device and seq order (every writer sorted it): one reordered is named, whatever the format", async () => {
    for (const [name, format] of [
      ['completed-d5f70ec', 'baseline.evidence-pack/1'],
      ['completed-4e88562', 'baseline.evidence-pack/2'],
    ] as const) {
      const members = await packMembers(read(`${name}.zip`));
      const index = JSON.parse(members.get('journal/index.json')!.toString('utf8')) as unknown[];
      members.set('journal/index.json', Buffer.from(JSON.stringify(index.reverse(), null, 2) + '\n'));
      const v = await verifyPack(await rezipConsistently(members), { caPems: [read(`${name}-ca.pem`).toString('utf8')] });
      expect(v.format).toBe(format);
      expect(v.failures.map((f) => `${f.member}: ${f.reason}`)).toContainEqual(
        expect.stringMatching(/^journal\/index\.json: the events are not in device and seq order/),
      );
    }
  });

  it('a format this verifier does not know is refused, naming the formats it reads', async () => {
    const v = await verifyPack(await relabelled(read('completed-d5f70ec.zip'), 'baseline.evidence-pack/5'), {
      caPems: [read('completed-d5f70ec-ca.pem').toString('utf8')],
    });
    expect(v.ok).toBe(false);
    expect(v.failures[0]).toEqual({
      member: 'manifest.json',
      record: null,
      reason:
        'the manifest\'s format is "baseline.evidence-pack/5"; this verifier reads baseline.evidence-pack/1 and baseline.evidence-pack/2 and baseline.evidence-pack/3 and baseline.evidence-pack/4 (a newer pack needs a newer Baseline to verify it)',
    });
  });

  it('`baseline verify` gives each the same verdict and names the format it checked it by', () => {
    for (const name of [...PACKS, ...FORMAT_2, ...FORMAT_3, ...FORMAT_4]) {
      const then = JSON.parse(read(`${name}-verdict.json`).toString('utf8')) as RecordedVerdict;
      const r = runBaseline(['verify', fixture(`${name}.zip`), '--ca', fixture(`${name}-ca.pem`)]);
      expect(r.code).toBe(then.ok ? 0 : 1);
      expect(r.stdout).toMatch(then.ok ? /^Evidence pack verified: change / : /^Evidence pack NOT verified/);
      expect(r.stdout).toContain(
        {
          'baseline.evidence-pack/1': 'Pack format: baseline.evidence-pack/1, exported before restore writes travelled value by value',
          'baseline.evidence-pack/2': 'Pack format: baseline.evidence-pack/2, exported before the report was checked',
          'baseline.evidence-pack/3': 'Pack format: baseline.evidence-pack/3, exported before the report named roles in words',
          'baseline.evidence-pack/4': 'Pack format: baseline.evidence-pack/4 (this version writes it)',
        }[formatOf(name)],
      );
      if (!['baseline.evidence-pack/3', 'baseline.evidence-pack/4'].includes(formatOf(name)))
        expect(r.stdout).toContain('report.pdf and VERIFY.md are signed by no one in this format, so read the verdict, not the report');
      for (const f of then.failures) expect(r.stdout).toContain(f.reason);
    }
  }, 120_000);

  describe('in the app (evidence.verify, the Audit screen)', () => {
    const t = tempHome();
    let app: BaselineApp;
    beforeAll(() => {
      app = BaselineApp.open({ home: t.home, transport: 'in-process', keyProtection: filePermissionsProtection });
      app.identity.trustCa(read('completed-d5f70ec-ca.pem').toString('utf8'), null, app.actor());
    });
    afterAll(() => {
      app.close();
      t.cleanup();
    });

    it('verifies the earlier pack against the plant CA this laptop trusts and says which format it checked', async () => {
      const v = await app.evidence.verify('CR-0001.zip', read('completed-d5f70ec.zip'));
      expect(v).toMatchObject({ ok: true, failures: [], status: 'closed', format: 'baseline.evidence-pack/1' });
      expect(v.checks[0]).toMatch(
        /^the pack's format: baseline\.evidence-pack\/1, exported before restore writes travelled value by value/,
      );
    });
  });
});
