/**
 * Issue #15, item 3: a checklist attachment syncs like any other blob. Laptop A ticks an item with a photo and pushes;
 * the server receives the photo under its hash; laptop B pulls the tick and the photo, and verifies it against the
 * hash its checklist recorded (SQLite server; the blob path is the one every event's content takes).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enrolBoth, startTwoLaptopRig, type TwoLaptopRig } from '../../helpers/sync-fixture.ts';
import { RACI, emergencyFillerChange, setUpPlant } from '../../helpers/change-fixture.ts';
import { sha256Hex } from '../../../src-shared/node/hash.ts';

const PHOTO = Buffer.from('photo of the rollback procedure on the cabinet door');

describe('checklist attachments sync between laptops through the server', () => {
  let now = new Date('2026-12-07T15:00:00Z');
  let rig: TwoLaptopRig;

  beforeAll(async () => {
    rig = await startTwoLaptopRig(
      { postgresUrl: null },
      (at) => {
        now = at;
      },
      () => now,
      now,
    );
    await enrolBoth(rig);
  }, 60_000);
  afterAll(async () => {
    await rig?.close();
  });

  it('laptop B pulls the tick and the photo, intact', { timeout: 120_000 }, async () => {
    const { a, b } = rig;
    const changeId = await emergencyFillerChange(a, setUpPlant(a, rig.line1.sim.port));
    a.checklists.tick(
      changeId,
      RACI[0].employeeId,
      {
        template: 'rollback-plan',
        item: 'Rollback procedure documented',
        ticked: true,
        note: 'On the cabinet door',
        attachments: [{ name: 'door.jpg', mediaType: 'image/jpeg', bytes: PHOTO }],
      },
      a.actor(),
    );
    const sha = sha256Hex(PHOTO);
    expect(b.blobs.has(sha)).toBe(false);
    expect((await a.sync.syncNow()).lastError).toBeNull();
    expect((await b.sync.syncNow()).lastError).toBeNull();
    expect(b.blobs.get(sha).equals(PHOTO)).toBe(true);
    expect(b.checklists.verifyAttachments(changeId)).toEqual([]);
    const item = b.checklists.view(changeId).templates[0]!.sections[0]!.items[0]!;
    expect(item).toMatchObject({
      text: 'Rollback procedure documented',
      tick: { ticked: true, by: { name: RACI[0].name }, note: 'On the cabinet door' },
      attachments: [{ name: 'door.jpg', sha256: sha, intact: true }],
    });
  });
});
