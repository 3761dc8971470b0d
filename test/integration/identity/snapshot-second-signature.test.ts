import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BaselineApp } from '../../../src-main/services/baseline-app.ts';
import { filePermissionsProtection } from '../../../src-main/store/device-key-store.ts';
import type { CaptureDocument } from '../../../src-shared/common/capture/capture-document.ts';
import type { SnapshotFile } from '../../../src-shared/common/snapshot/snapshot.ts';
import { verifySnapshotBytes } from '../../../src-shared/node/snapshot-verifier.ts';
import { verifyPack } from '../../../src-shared/node/evidence/pack-verifier.ts';
import { packMembers } from '../../helpers/pack-tamper.ts';
import { tempHome } from '../../helpers/temp-home.ts';
import { RACI, emergencyFillerChange, setUpPlant, startLine1Simulator } from '../../helpers/change-fixture.ts';

/**
 * A snapshot signed twice: a second person's "captured by" signature on the same captured document (a colleague who
 * read the controller with the engineer) is kept beside the first, in the stored file, the list, the evidence pack
 * and after the projections are rebuilt; the same person signing the same meaning again is told it is already signed.
 */
describe('a second signature of the same snapshot', () => {
  const t = tempHome();
  let app: BaselineApp;
  let line1: Awaited<ReturnType<typeof startLine1Simulator>>;
  let controllerId: string;
  let changeId: string;
  let capture: CaptureDocument;
  let snapshotSha256: string;
  const [erin, , sam] = RACI;

  const storedFile = (): SnapshotFile => app.baselines.verifiedSnapshot(snapshotSha256).file;
  const signerNames = (f: SnapshotFile) => f.signatures.map((s) => `${s.signer.name} ${s.meaning}`);

  beforeAll(async () => {
    line1 = await startLine1Simulator();
    app = BaselineApp.open({ home: t.home, transport: 'in-process', keyProtection: filePermissionsProtection });
    controllerId = setUpPlant(app, line1.sim.port);
    changeId = await emergencyFillerChange(app, controllerId);
    snapshotSha256 = app.snapshots.list(controllerId)[0]!.sha256;
    const controller = app.controllers.get(controllerId);
    const profile = app.profiles.load(controller.profile!.sha256);
    capture = await app.captures.capture(
      { controllerId, target: controller.target, profile, profileName: controller.profile!.name, options: { timeoutMs: 1000, retries: 0 } },
      app.actor(),
    );
  }, 90_000);
  afterAll(async () => {
    app?.close();
    await line1?.sim.close();
    t.cleanup();
  });

  it('a different person signing the same document is kept beside the first signer', () => {
    const first = app.snapshots.sign(capture, erin.employeeId, erin.password, controllerId, app.actor());
    expect(signerNames(first.file)).toEqual(['Erin Engineer captured by']);
    const second = app.snapshots.sign(capture, sam.employeeId, sam.password, controllerId, app.actor());
    expect(second.sha256).toBe(first.sha256);
    expect(signerNames(second.file)).toEqual(['Erin Engineer captured by', 'Sam Security captured by']);
    snapshotSha256 = first.sha256;
    // The stored file the app uses (and verifies) carries both signatures, each valid.
    expect(signerNames(storedFile())).toEqual(['Erin Engineer captured by', 'Sam Security captured by']);
    const row = app.snapshots.list(controllerId).find((s) => s.sha256 === first.sha256)!;
    expect(row).toMatchObject({ signer: 'Erin Engineer', cosigners: ['Sam Security'] });
  });

  it('the same person signing the same meaning again is told who signed it and when; nothing is recorded', () => {
    const before = app.journalService.list(1).total;
    const at = storedFile().signatures[0]!.at;
    const err = (() => {
      try {
        app.snapshots.sign(capture, erin.employeeId, erin.password, controllerId, app.actor());
        return null;
      } catch (e) {
        return e as { code: string; message: string; hint: string };
      }
    })();
    expect(err?.code).toBe('snapshot-already-signed');
    expect(err?.message).toContain(`is already signed "captured by" by Erin Engineer (E100) at ${at}`);
    expect(err?.hint).toMatch(/Nothing was signed again/);
    expect(app.journalService.list(1).total).toBe(before);
    expect(signerNames(storedFile())).toEqual(['Erin Engineer captured by', 'Sam Security captured by']);
  });

  it('both signatures survive rebuilding the projections, and the stored file verifies with both signers', () => {
    app.journal.rebuildProjections();
    const f = storedFile();
    expect(signerNames(f)).toEqual(['Erin Engineer captured by', 'Sam Security captured by']);
    const verdict = verifySnapshotBytes(Buffer.from(JSON.stringify(f)), app.identity.trust());
    expect(verdict.valid).toBe(true);
    expect(verdict.signers.map((s) => [s.name, s.valid])).toEqual([
      ['Erin Engineer', true],
      ['Sam Security', true],
    ]);
    expect(app.snapshots.list(controllerId).find((s) => s.sha256 === snapshotSha256)).toMatchObject({
      signer: 'Erin Engineer',
      cosigners: ['Sam Security'],
    });
  });

  it("a change's before-snapshot signed again by a second person: the pack carries both signatures and verifies", async () => {
    const before = app.changes.get(changeId);
    const sha = 'execution' in before ? before.execution.snapshots![0]!.snapshotSha256 : '';
    const doc = app.baselines.verifiedSnapshot(sha).file.document as unknown as CaptureDocument;
    // The snapshot's document is the capture plus its artefacts: the capture it was made from signs to the same hash.
    const { artefacts: _artefacts, ...fromCapture } = doc as unknown as Record<string, unknown>;
    const recaptured = { ...(fromCapture as unknown as CaptureDocument), schema: 'baseline.capture/1' } as CaptureDocument;
    const again = app.snapshots.sign(recaptured, sam.employeeId, sam.password, controllerId, app.actor());
    expect(again.sha256).toBe(sha);
    const { zip } = await app.evidence.export(changeId, app.actor());
    const verdict = await verifyPack(zip, { caPems: app.identity.trust().caPems });
    expect(verdict.failures.map((f) => f.reason).filter((r) => /snapshot/.test(r))).toEqual([]);
    const index = JSON.parse((await packMembers(zip)).get('signatures/index.json')!.toString('utf8')) as {
      meaning: string;
      signer: { name: string };
    }[];
    expect(index.filter((s) => s.meaning === 'captured by').map((s) => s.signer.name)).toEqual(['Erin Engineer', 'Sam Security']);
  }, 60_000);
});
