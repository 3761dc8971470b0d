/**
 * Issue #15, item 3: the checklist runner on a real data directory. A plant adopts a revision of its checklist
 * templates with a plant engineering signature (a malformed file refused by line, nothing lost); an engineer ticks an
 * item with a note and a photo (a content-addressed blob); the supervisor's checkpoint signature relies on the
 * checklist hash that covers the photo's hash; the photo's bytes altered afterwards fail verification by item, in the
 * store and in the evidence pack, which otherwise carries and verifies the photo.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BaselineApp } from '../../../src-main/services/baseline-app.ts';
import { filePermissionsProtection } from '../../../src-main/store/device-key-store.ts';
import { canonicalJson, type JsonValue } from '../../../src-shared/common/canonical-json.ts';
import { ATTACHMENT_MAX_BYTES, type TickRecord } from '../../../src-shared/common/workflow/checklists.ts';
import { checkChangeSignatures, reliedOn, type ReliedOn } from '../../../src-shared/node/change-signature.ts';
import { sha256Hex } from '../../../src-shared/node/hash.ts';
import { verifyPack } from '../../../src-shared/node/evidence/pack-verifier.ts';
import { contentMembers } from '../../../src-shared/node/evidence/pack-format.ts';
import { tempHome } from '../../helpers/temp-home.ts';
import { packMembers, rezipConsistently } from '../../helpers/pack-tamper.ts';
import { RACI, emergencyFillerChange, setUpPlant, startLine1Simulator } from '../../helpers/change-fixture.ts';

const PHOTO = Buffer.from('\x89PNG\r\n\x1a\n backup checksum screen of the filler PLC, 05:12', 'binary');
const ITEM = 'Backup integrity verified (checksums)';

describe('the checklist runner: templates adopted by signature, ticks with attachments, covered by the checkpoint signature', () => {
  const t = tempHome();
  let app: BaselineApp;
  let changeId: string;
  let caPem: string;
  let photoSha: string;
  const [eng, pat, , , sky] = RACI;
  const lastChangePayload = (): Record<string, JsonValue> & { state: { execution: { ticks: TickRecord[] } }; relied: ReliedOn } => {
    const db = new Database(join(t.home, 'baseline.db'), { readonly: true });
    try {
      return JSON.parse(
        (db.prepare(`SELECT payload FROM events WHERE type = 'change.updated' ORDER BY rowid DESC LIMIT 1`).get() as { payload: string })
          .payload,
      ) as never;
    } finally {
      db.close();
    }
  };

  beforeAll(async () => {
    const line1 = await startLine1Simulator();
    app = BaselineApp.open({ home: t.home, transport: 'in-process', keyProtection: filePermissionsProtection });
    changeId = await emergencyFillerChange(app, setUpPlant(app, line1.sim.port));
    await line1.sim.close();
    caPem = app.identity.trust().caPems[0]!;
  }, 60_000);
  afterAll(() => {
    app?.close();
    t.cleanup();
  });

  it("ships revision 1 with the change guide's four missing checklists", () => {
    const inForce = app.checklistTemplates.inForce();
    expect(inForce).toMatchObject({ revision: 1, adoptedBy: null });
    expect(inForce.templates.templates.map((x) => [x.name, x.checkpoint])).toEqual([
      ['Rollback plan verification', 'pre-execution'],
      ['Post-change functional tests', 'post-change'],
      ['Safety system (SIS) verification', 'post-change'],
      ['Performance validation', 'post-change'],
    ]);
  });

  it('refuses a malformed revision by line and field, and keeps the templates in force', () => {
    const shipped = app.checklistTemplates.yamlOf(1)!;
    const bad = shipped
      .replace('revision: 1', 'revision: 2')
      .replace(
        'checkpoint: post-change\n    required: false\n    appliesTo: safety-critical',
        'checkpoint: after-work\n    required: false\n    appliesTo: safety-critical',
      );
    const before = app.journalService.verifyQuietly().events;
    expect(before).toBeGreaterThan(10);
    expect(() => app.checklistTemplates.adopt(bad, 'plant-checklists.yaml', pat.employeeId, pat.password, app.actor())).toThrow(
      expect.objectContaining({
        code: 'checklists-invalid',
        hint: expect.stringContaining('the templates in force stay as they are') as unknown,
        message: expect.stringContaining('template 3 (safety-system), checkpoint: "after-work" is not a go/no-go checkpoint') as unknown,
      }) as Error,
    );
    expect(() =>
      app.checklistTemplates.adopt(
        shipped.replace('required: false', 'required: maybe'),
        'plant-checklists.yaml',
        pat.employeeId,
        pat.password,
        app.actor(),
      ),
    ).toThrow(/plant-checklists\.yaml line 19, templates\.0\.required: /);
    expect(() => app.checklistTemplates.adopt(shipped, 'plant-checklists.yaml', pat.employeeId, pat.password, app.actor())).toThrow(
      expect.objectContaining({ code: 'checklists-revision' }) as Error,
    );
    expect(() =>
      app.checklistTemplates.adopt(
        shipped.replace('revision: 1', 'revision: 2'),
        'plant-checklists.yaml',
        eng.employeeId,
        eng.password,
        app.actor(),
      ),
    ).toThrow(expect.objectContaining({ code: 'role-not-held' }) as Error);
    expect(app.journalService.verifyQuietly().events).toBe(before);
    expect(app.checklistTemplates.inForce().revision).toBe(1);
  });

  it('adopts revision 2 with a plant engineering signature: the rollback plan now binds GO', () => {
    const yaml = app.checklistTemplates
      .yamlOf(1)!
      .replace('revision: 1', 'revision: 2')
      .replace('checkpoint: pre-execution\n    required: false', 'checkpoint: pre-execution\n    required: true');
    expect(app.checklistTemplates.adopt(yaml, 'plant-checklists.yaml', pat.employeeId, pat.password, app.actor())).toEqual({
      revision: 2,
      name: 'Execution checklists (the change guide)',
    });
    expect(app.checklistTemplates.inForce()).toMatchObject({
      revision: 2,
      sha256: sha256Hex(yaml),
      adoptedBy: 'Pat Manager',
      source: 'plant-checklists.yaml',
    });
    const items = app.policy.checkpoints().checkpoints[0]!.items;
    expect(() =>
      app.changes.act(
        changeId,
        sky.employeeId,
        sky.password,
        { type: 'checkpoint', role: 'shift-supervisor', checkpoint: 'pre-execution', decision: 'go', confirmed: items },
        app.actor(),
      ),
    ).toThrow(
      expect.objectContaining({
        code: 'change-checklist-incomplete',
        message: expect.stringContaining('not ticked: Rollback plan verification: Rollback procedure documented;') as unknown,
      }) as Error,
    );
  });

  it('refuses an attachment over the size limit with nothing recorded', () => {
    const before = app.changes.timeline(changeId).length;
    expect(() =>
      app.checklists.tick(
        changeId,
        eng.employeeId,
        {
          template: 'rollback-plan',
          item: ITEM,
          ticked: true,
          attachments: [{ name: 'huge.jpg', mediaType: 'image/jpeg', bytes: Buffer.alloc(ATTACHMENT_MAX_BYTES + 1) }],
        },
        app.actor(),
      ),
    ).toThrow(
      expect.objectContaining({
        code: 'attachment-too-large',
        message: 'huge.jpg is 10.0 MiB; a checklist attachment is at most 10 MiB.',
      }) as Error,
    );
    expect(() =>
      app.checklists.tick(changeId, eng.employeeId, { template: 'rollback-plan', item: 'Coffee made', ticked: true }, app.actor()),
    ).toThrow(
      expect.objectContaining({
        code: 'change-tick-invalid',
        message: expect.stringContaining('"Coffee made" is not an item of the Rollback plan verification checklist') as unknown,
      }) as Error,
    );
    expect(app.changes.timeline(changeId)).toHaveLength(before);
  });

  it('records a tick with a note and a photo stored as a blob, by whom and when', () => {
    app.checklists.tick(
      changeId,
      eng.employeeId,
      {
        template: 'rollback-plan',
        item: ITEM,
        ticked: true,
        note: 'Checksums match the backup server',
        attachments: [{ name: 'checksum screen.png', mediaType: 'image/png', bytes: PHOTO }],
      },
      app.actor(),
    );
    photoSha = sha256Hex(PHOTO);
    const tick = lastChangePayload().state.execution.ticks.at(-1)!;
    expect(tick).toMatchObject({
      template: 'rollback-plan',
      item: ITEM,
      ticked: true,
      by: { id: eng.employeeId, name: eng.name },
      revision: 2,
      note: 'Checksums match the backup server',
      attachments: [{ name: 'checksum screen.png', sha256: photoSha, size: PHOTO.length, mediaType: 'image/png' }],
    });
    expect(app.blobs.get(photoSha).equals(PHOTO)).toBe(true);
    const view = app.checklists.view(changeId).templates.find((x) => x.id === 'rollback-plan')!;
    expect(view).toMatchObject({ ticked: 1, total: 19, required: true, closedBy: null });
    expect(view.sections[1]!.items[1]).toMatchObject({
      text: ITEM,
      tick: { ticked: true, by: { name: eng.name }, note: 'Checksums match the backup server' },
      attachments: [{ name: 'checksum screen.png', by: eng.name, intact: true }],
    });
    expect(app.checklists.attachment(changeId, photoSha).bytes.equals(PHOTO)).toBe(true);
  });

  it("the GO signature relies on the checklist hash that covers the photo's hash", () => {
    const rollbackItems = app.checklistTemplates
      .current()
      .templates[0]!.sections.flatMap((s) => s.items)
      .filter((i) => i !== ITEM);
    for (const item of rollbackItems)
      app.checklists.tick(changeId, eng.employeeId, { template: 'rollback-plan', item, ticked: true }, app.actor());
    app.changes.act(
      changeId,
      sky.employeeId,
      sky.password,
      {
        type: 'checkpoint',
        role: 'shift-supervisor',
        checkpoint: 'pre-execution',
        decision: 'go',
        confirmed: app.policy.checkpoints().checkpoints[0]!.items,
      },
      app.actor(),
    );
    const p = lastChangePayload();
    const execution = p.state.execution as unknown as { checkpoints: JsonValue; ticks: TickRecord[] };
    expect(p.relied.checklistSha256).toBe(
      sha256Hex(canonicalJson({ checkpoints: execution.checkpoints, ticks: execution.ticks as unknown as JsonValue })),
    );
    expect(p.relied.policy.checklists).toEqual({ revision: 2, sha256: app.checklistTemplates.inForce().sha256 });
    expect(checkChangeSignatures(p)).toEqual([]);
    // The hash the signature relied on changes with the photo's hash: a swapped photo is a different checklist.
    const swapped = JSON.parse(JSON.stringify(p)) as typeof p;
    swapped.state.execution.ticks.find((x) => x.item === ITEM)!.attachments![0]!.sha256 = sha256Hex(Buffer.from('another photo'));
    expect(reliedOn(swapped.state, { policy: p.relied.policy, proposalBaseSha256: p.relied.proposalBaseSha256 }).checklistSha256).not.toBe(
      p.relied.checklistSha256,
    );
    expect(checkChangeSignatures(swapped)).toEqual([
      "Sky Supervisor's signature (go) does not cover the change as recorded: the checklist (items, ticks, notes, signers) changed after signing",
    ]);
    // The checklist the GO closed takes no more ticks.
    expect(() =>
      app.checklists.tick(changeId, eng.employeeId, { template: 'rollback-plan', item: ITEM, ticked: false }, app.actor()),
    ).toThrow(
      expect.objectContaining({
        code: 'change-tick-invalid',
        message: expect.stringContaining('prepared Pre-execution verification, which Sky Supervisor already decided (GO)') as unknown,
      }) as Error,
    );
  });

  it('the evidence pack carries the photo and verifies it; a photo altered in the pack fails by item', async () => {
    const { zip } = await app.evidence.export(changeId, app.actor());
    const members = await packMembers(zip);
    const member = contentMembers.attachment(photoSha, 'checksum screen.png');
    expect(member).toBe(`attachments/${photoSha}/checksum_screen.png`);
    expect(members.get(member)!.equals(PHOTO)).toBe(true);
    const clean = await verifyPack(zip, { caPems: [caPem] });
    expect(clean.failures.filter((f) => f.member.startsWith('attachments/') || f.member.startsWith('policy/'))).toEqual([]);
    // The templates revision the GO relied on travels with its adoption, signed by the plant engineering manager.
    const templates = members.get('policy/checklist-templates.yaml')!;
    expect(sha256Hex(templates)).toBe(app.checklistTemplates.inForce().sha256);
    expect(clean.context!.signatures.filter((x) => x.meaning === 'approved').map((x) => [x.signer.name, x.document])).toContainEqual([
      'Pat Manager',
      'policy/checklist-templates.yaml',
    ]);
    const swappedTemplates = new Map(members);
    swappedTemplates.set(
      'policy/checklist-templates.yaml',
      Buffer.from(templates.toString('utf8').replace('required: true', 'required: false')),
    );
    const t2 = await verifyPack(await rezipConsistently(swappedTemplates), { caPems: [caPem] });
    expect(t2.failures.map((f) => `${f.member}: ${f.reason}`)).toContain(
      'policy/checklist-templates.yaml: the checklist templates are not revision 2 that the signatures relied on (its SHA-256 differs)',
    );
    members.set(member, Buffer.from(PHOTO.toString('binary').replace('05:12', '07:40'), 'binary'));
    const v = await verifyPack(await rezipConsistently(members), { caPems: [caPem] });
    expect(v.ok).toBe(false);
    expect(v.failures).toContainEqual({
      member,
      record: 'checklist tick',
      reason: expect.stringMatching(
        new RegExp(
          `^the attachment "checksum screen\\.png" of "Backup integrity verified \\(checksums\\)" \\(rollback-plan\\), ticked by Erin Engineer was altered after it was attached: its bytes hash to [0-9a-f]{12}…, not to ${photoSha.slice(0, 12)}… that the checklist recorded and the signatures relied on$`,
        ),
      ) as unknown,
    });
  }, 60_000);

  it('the photo altered in the blob store after signing fails verification naming the item, and no pack is written from it', async () => {
    writeFileSync(join(t.home, 'blobs', photoSha.slice(0, 2), photoSha.slice(2)), Buffer.from('a different picture'));
    const problems = app.checklists.verifyAttachments(changeId);
    expect(problems).toEqual([
      expect.objectContaining({
        item: ITEM,
        message: expect.stringContaining(
          'the attachment "checksum screen.png" of "Backup integrity verified (checksums)" (Rollback plan verification), ticked by Erin Engineer was altered after it was attached',
        ) as unknown,
      }),
    ]);
    expect(app.checklists.view(changeId).templates[0]!.sections[1]!.items[1]!.attachments[0]!.intact).toBe(false);
    await expect(app.evidence.export(changeId, app.actor())).rejects.toMatchObject({
      code: 'evidence-attachment-damaged',
      message: expect.stringContaining('Backup integrity verified (checksums)') as unknown,
    });
    expect(() => app.checklists.attachment(changeId, photoSha)).toThrow(expect.objectContaining({ code: 'attachment-damaged' }) as Error);
  });
});
