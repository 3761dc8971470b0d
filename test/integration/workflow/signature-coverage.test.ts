/**
 * Issue #15, item 1 (21 CFR 11.70): a person's signature on a change decision covers what the decision relied on:
 * the checklist state (items, ticks, notes, signer), the snapshots, the diffs and the policy revision. A checklist
 * note flipped after signing fails the signature, in `baseline journal verify` (even when the event is re-signed with
 * the laptop's own device key) and in the evidence pack; events signed in the older shape still verify.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { BaselineApp } from '../../../src-main/services/baseline-app.ts';
import { filePermissionsProtection, loadOrCreateDeviceKey } from '../../../src-main/store/device-key-store.ts';
import { canonicalJson, type JsonValue } from '../../../src-shared/common/canonical-json.ts';
import { eventHashInput, type EventBody } from '../../../src-shared/common/journal-event.ts';
import { checkChangeSignatures, decisionDocument, type ReliedOn } from '../../../src-shared/node/change-signature.ts';
import { parseStoredRow, type StoredEventRow } from '../../../src-shared/node/journal-verifier.ts';
import { sha256Hex } from '../../../src-shared/node/hash.ts';
import { verifyPack } from '../../../src-shared/node/evidence/pack-verifier.ts';
import { tempHome } from '../../helpers/temp-home.ts';
import { runBaseline } from '../../helpers/cli.ts';
import { packMembers, rezipConsistently } from '../../helpers/pack-tamper.ts';
import { RACI, emergencyFillerChange, setUpPlant, startLine1Simulator } from '../../helpers/change-fixture.ts';

type Payload = Record<string, JsonValue> & {
  state: { execution: { checkpoints: { items: { text: string; note?: string }[] }[] } };
  relied: ReliedOn;
};

describe('a signature covers the checklist, snapshots, diffs and policy it relied on', () => {
  const t = tempHome();
  let app: BaselineApp;
  let changeId: string;
  let controllerId: string;
  let pack: Buffer;
  let caPem: string;
  const [, , , , sky] = RACI;
  const lastChangeEvent = (): StoredEventRow => {
    const db = new Database(join(t.home, 'baseline.db'), { readonly: true });
    try {
      return db.prepare(`SELECT * FROM events WHERE type = 'change.updated' ORDER BY rowid DESC LIMIT 1`).get() as StoredEventRow;
    } finally {
      db.close();
    }
  };
  const flipNote = (p: Payload): Payload => {
    const copy = JSON.parse(JSON.stringify(p)) as Payload;
    const item = copy.state.execution.checkpoints[0]!.items.find((i) => i.note !== undefined)!;
    item.note = 'Backup NOT checked';
    return copy;
  };

  beforeAll(async () => {
    const line1 = await startLine1Simulator();
    app = BaselineApp.open({ home: t.home, transport: 'in-process', keyProtection: filePermissionsProtection });
    controllerId = setUpPlant(app, line1.sim.port);
    changeId = await emergencyFillerChange(app, controllerId);
    await line1.sim.close();
    caPem = app.identity.trust().caPems[0]!;
  }, 60_000);
  afterAll(() => {
    app?.close();
    t.cleanup();
  });

  it('refuses a note against an item that is not on the checklist, and records nothing', () => {
    const before = app.changes.timeline(changeId).length;
    let error: unknown;
    try {
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
          notes: [{ item: 'Coffee made', note: 'yes' }],
        },
        app.actor(),
      );
    } catch (err) {
      error = err;
    }
    expect(error).toMatchObject({
      code: 'change-invalid-fields',
      message: expect.stringContaining('"Coffee made", which is not on the Pre-execution verification checklist') as unknown,
      hint: expect.any(String) as unknown,
    });
    expect(app.changes.timeline(changeId)).toHaveLength(before);
  });

  it('signs the checklist with its notes, the snapshots, the proposed diff and the policy revision', async () => {
    const items = app.policy.checkpoints().checkpoints[0]!.items;
    app.changes.act(
      changeId,
      sky.employeeId,
      sky.password,
      {
        type: 'checkpoint',
        role: 'shift-supervisor',
        checkpoint: 'pre-execution',
        decision: 'go',
        confirmed: items,
        notes: [{ item: items[0]!, note: 'Backup checked on the engineering laptop, 05:12' }],
      },
      app.actor(),
    );
    const row = lastChangeEvent();
    const p = JSON.parse(row.payload) as Payload;
    expect(p.state.execution.checkpoints[0]!.items[0]).toEqual({
      text: items[0],
      confirmed: true,
      note: 'Backup checked on the engineering laptop, 05:12',
    });
    const before = app.changes.get(changeId);
    const snapshot = 'execution' in before ? before.execution.snapshots![0]!.snapshotSha256 : '';
    expect(p.relied).toMatchObject({
      checklistSha256: sha256Hex(canonicalJson(p.state.execution.checkpoints as unknown as JsonValue)),
      snapshots: [{ phase: 'before', controllerId, sha256: snapshot }],
      proposedSha256: sha256Hex(canonicalJson({ kind: 'diff', controllerId, changes: [{ tag: 'Line1_SpeedSP', from: 12.5, to: 14 }] })),
      proposalBaseSha256: snapshot,
      policy: {
        revision: app.policy.inForce().revision,
        sha256: app.policy.inForce().sha256,
        checkpointsSha256: app.policy.checkpointsSha256(),
      },
    });
    const signature = p['signature'] as { documentSha256: string };
    expect(signature.documentSha256).toBe(
      sha256Hex(
        decisionDocument({
          changeId,
          operation: 'checkpoint',
          fields: (p.state as unknown as { fields: JsonValue }).fields,
          summary: String(p['summary']),
          relied: p.relied,
        }),
      ),
    );
    expect(checkChangeSignatures(p)).toEqual([]);
    expect(app.journalService.verifyQuietly()).toMatchObject({ ok: true, problems: [] });
    pack = (await app.evidence.export(changeId, app.actor())).zip;
    // The pack verifies but for the emergency change's retrospective review, still open.
    expect((await verifyPack(pack, { caPems: [caPem] })).failures.map((f) => f.reason)).toEqual([
      expect.stringMatching(/^the emergency change's retrospective review is not done/),
    ]);
  }, 60_000);

  it('a decision signed in the first shape (before relied-on hashes) still verifies, and still fails when altered', () => {
    const p = JSON.parse(lastChangeEvent().payload) as Payload;
    const { relied: _relied, ...old } = p;
    const fields = (p.state as unknown as { fields: JsonValue }).fields;
    const v1 = decisionDocument({ changeId, operation: 'checkpoint', fields, summary: String(p['summary']), relied: null });
    expect(v1).toContain('"schema":"baseline.change-decision/1"');
    const signature = app.identity.sign(sky.employeeId, sky.password, 'go', sha256Hex(v1));
    expect(checkChangeSignatures({ ...old, signature })).toEqual([]);
    expect(checkChangeSignatures({ ...old, signature, summary: 'GO (nothing checked)' })).toEqual([
      "Sky Supervisor's signature (go) does not cover the change as recorded: the decision's content changed after signing",
    ]);
  });

  it("a note flipped after signing fails the supervisor's signature", () => {
    const p = JSON.parse(lastChangeEvent().payload) as Payload;
    expect(checkChangeSignatures(flipNote(p))).toEqual([
      "Sky Supervisor's signature (go) does not cover the change as recorded: the checklist (items, ticks, notes, signers) changed after signing",
    ]);
    // Recording the new checklist hash as well does not help: the person signed the old one.
    const both = flipNote(p);
    both.relied = { ...both.relied, checklistSha256: sha256Hex(canonicalJson(both.state.execution.checkpoints as unknown as JsonValue)) };
    expect(checkChangeSignatures(both)).toEqual([
      "Sky Supervisor's signature (go) does not cover the change as recorded: the decision's content changed after signing",
    ]);
  });

  it("`baseline journal verify` names it even when the event is re-signed with the laptop's own device key", () => {
    app.close();
    const row = lastChangeEvent();
    const parsed = parseStoredRow(row);
    if (!('body' in parsed)) throw new Error(parsed.error);
    const body: EventBody = { ...parsed.body, payload: flipNote(parsed.body.payload as Payload) as unknown as EventBody['payload'] };
    const input = eventHashInput(body);
    const device = loadOrCreateDeviceKey(t.home, filePermissionsProtection, false).key;
    // Someone with the data directory's files (its database and device key) but not the supervisor's password.
    const db = new Database(join(t.home, 'baseline.db'));
    const triggers = db.prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'events'`).all() as {
      name: string;
      sql: string;
    }[];
    for (const tr of triggers) db.exec(`DROP TRIGGER ${tr.name}`);
    db.prepare('UPDATE events SET payload = ?, hash = ?, sig = ? WHERE id = ?').run(
      canonicalJson(body.payload),
      sha256Hex(input),
      device.sign(input),
      row.id,
    );
    for (const tr of triggers) db.exec(tr.sql);
    db.close();
    const r = runBaseline(['journal', 'verify', '--home', t.home, '--json']);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as { problems: { seq: number; kind: string; message: string }[] };
    expect(report.problems).toEqual([
      {
        device: expect.any(String) as unknown,
        seq: row.seq,
        kind: 'person-signature-invalid',
        message:
          "Sky Supervisor's signature (go) does not cover the change as recorded: the checklist (items, ticks, notes, signers) changed after signing",
      },
    ]);
  }, 60_000);

  it('the evidence pack verifier recomputes it too', async () => {
    const m = await packMembers(pack);
    const index = JSON.parse(m.get('journal/index.json')!.toString('utf8')) as { member: string; type: string }[];
    const last = index.filter((e) => e.type === 'change.updated').at(-1)!;
    const body = JSON.parse(m.get(last.member)!.toString('utf8')) as EventBody;
    m.set(
      last.member,
      Buffer.from(eventHashInput({ ...body, payload: flipNote(body.payload as Payload) as unknown as EventBody['payload'] })),
    );
    const v = await verifyPack(await rezipConsistently(m), { caPems: [caPem] });
    const reasons = v.failures.map((f) => `${f.member} [${f.record ?? ''}] ${f.reason}`);
    expect(reasons).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /\(change\.updated checkpoint\)\] the signed decision relied on other content: the checklist \(items, ticks, notes, signers\) changed after signing$/,
        ),
        expect.stringMatching(/^signatures\/\d+-go\/document\.json \[\] the member differs from the signature as recorded in its event/),
      ]),
    );
  }, 60_000);
});
