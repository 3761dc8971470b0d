/**
 * The air-gap suite's refusals (air-gap-suite.ts runs them once laptop B has synced by file): a flipped byte names
 * its member, a truncated bundle, one encrypted to someone else, another plant's, acknowledgements for events never
 * sent, for another device or signed outside the plant CA, and an older server bundle after a newer one. Also the
 * suite's small helpers.
 */
import { expect } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import forge from 'node-forge';
import type { BaselineApp } from '../../../src-main/services/baseline-app.ts';
import { exportDeviceBundle, importDeviceBundle, serverBundleKey } from '../../../src-server/bundle-import.ts';
import { prepareServerHome, defaultServerNames } from '../../../src-server/server-home.ts';
import { writeAckFile } from '../../../src-shared/node/sync-bundle/bundle-content.ts';
import { createCa } from '../../../src-shared/node/pki.ts';
import { createBundleKeyPair, openBundle, type BundleKeyPair } from '../../../src-shared/node/sync-bundle/bundle-envelope.ts';
import type { RACI } from '../../helpers/change-fixture.ts';
import { captureAndSign } from '../../helpers/change-fixture.ts';
import { openServerStore } from '../../helpers/sync-fixture.ts';
import { tempHome } from '../../helpers/temp-home.ts';

/** A CLI's output, collected. */
export function io() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: {
      out: (t: string) => {
        out.push(t);
      },
      err: (t: string) => {
        err.push(t);
      },
    },
    text: () => out.join('') + err.join(''),
  };
}

/** Flips one byte of the ciphertext where the zip inside holds `member`'s data (CBC: that block decrypts to garbage). */
export function flipInMember(bundle: Buffer, key: BundleKeyPair, member: string): Buffer {
  const msg = forge.pkcs7.messageFromAsn1(
    forge.asn1.fromDer(forge.util.createBuffer(bundle.toString('binary'))),
  ) as forge.pkcs7.PkcsEnvelopedData;
  msg.decrypt(msg.findRecipient(forge.pki.certificateFromPem(key.certPem))!, forge.pki.privateKeyFromPem(key.keyPem));
  const zip = Buffer.from((msg as unknown as { content: forge.util.ByteStringBuffer }).content.getBytes(), 'binary');
  // The member's local header: signature PK\3\4, 26 bytes, then the name, the extra field, then the data.
  const nameAt = zip.indexOf(Buffer.from(member));
  expect(zip.readUInt32LE(nameAt - 30)).toBe(0x04034b50);
  const dataAt = nameAt + member.length + zip.readUInt16LE(nameAt - 2);
  const cipherLength = (Math.floor(zip.length / 16) + 1) * 16;
  const at = bundle.length - cipherLength + dataAt + 2;
  const copy = Buffer.from(bundle);
  copy[at] = copy[at]! ^ 0x5a;
  return copy;
}

/**
 * Mounts a 1 MB tmpfs on `dir`: a real small drive that fills up and can be remounted read-only. Needs root (or
 * CAP_SYS_ADMIN), as the test machine runs; anywhere else the test fails saying so rather than pretending.
 */
export function mountSmallDrive(dir: string): void {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m,mode=0700', 'tmpfs', dir], { stdio: 'pipe' });
  } catch (err) {
    throw new Error(
      `This test mounts a 1 MB tmpfs as a small removable drive and needs root (or CAP_SYS_ADMIN) for it: ${(err as Error).message}`,
      { cause: err },
    );
  }
}

/** What the refusals need of the suite's story: the server's data directory and database, both laptops, the stick. */
export interface RefusalContext {
  serverHome: string;
  postgresUrl: string | null;
  a: BaselineApp;
  b: BaselineApp;
  usb: (file: string) => string;
  eng: (typeof RACI)[number];
  now: Date;
}

/** Every refusal of a bad bundle or acknowledgement, on the server and on the laptops; nothing stored changes. */
export async function expectBundleRefusals({ serverHome, postgresUrl, a, b, usb, eng, now }: RefusalContext): Promise<void> {
  const serverBundleKeyPair = () => serverBundleKey(serverHome, prepareServerHome(serverHome, defaultServerNames()));
  const srvKey = serverBundleKeyPair();
  b.journal.append('journal.verified', { ok: true, eventsChecked: 1, problems: 0, firstProblem: null }, b.actor());
  await captureAndSign(b, b.controllers.list()[0]!.id, eng);
  const good = readFileSync((await b.bundles.exportBundle(usb('b-2.baseline-bundle'))).file);
  const members = [...(await openBundle(good, [srvKey])).members.keys()];
  const blobName = members.find((m) => m.startsWith('blobs/'))!;
  expect(blobName).toBeDefined();
  const srv = await openServerStore(serverHome, postgresUrl);
  const pki = prepareServerHome(serverHome, defaultServerNames());
  try {
    const before = await srv.store.eventCount();
    for (const member of ['events.json', blobName, 'manifest.json']) {
      await expect(
        importDeviceBundle({ home: serverHome, store: srv.store, pki, bytes: flipInMember(good, srvKey, member) }),
      ).rejects.toMatchObject({ code: 'bundle-altered', details: { member } });
    }
    // The last block of the ciphertext: its padding no longer decrypts.
    const tail = Buffer.from(good);
    tail[tail.length - 1] = tail[tail.length - 1]! ^ 1;
    await expect(importDeviceBundle({ home: serverHome, store: srv.store, pki, bytes: tail })).rejects.toMatchObject({
      code: 'bundle-altered',
      details: { member: '(envelope)' },
    });
    await expect(
      importDeviceBundle({ home: serverHome, store: srv.store, pki, bytes: good.subarray(0, good.length - 1000) }),
    ).rejects.toMatchObject({ code: 'bundle-truncated' });
    // A bundle written for B (by the server) is encrypted to B, not to the server.
    const forB = readFileSync(usb('for-b.baseline-bundle'));
    await expect(importDeviceBundle({ home: serverHome, store: srv.store, pki, bytes: forB })).rejects.toMatchObject({
      code: 'bundle-not-for-you',
    });
    await expect(a.bundles.importBundle(forB)).rejects.toMatchObject({ code: 'bundle-not-for-you' });
    expect(await srv.store.eventCount()).toBe(before);

    // Another plant's server cannot open this plant's bundle.
    const other = tempHome('baseline-other-server-');
    try {
      const otherPki = prepareServerHome(other.home, ['localhost']);
      const otherDb = await openServerStore(other.home, null);
      try {
        await expect(importDeviceBundle({ home: other.home, store: otherDb.store, pki: otherPki, bytes: good })).rejects.toMatchObject({
          code: 'bundle-not-for-you',
        });
      } finally {
        await otherDb.close();
      }
    } finally {
      other.cleanup();
    }

    // An acknowledgement for events B never sent (signed by the server's real key) and one for A, on B.
    const head = b.sync.status().acknowledgedSeq + b.sync.status().waiting;
    const forged = writeAckFile(
      {
        format: 'baseline.sync-ack/1',
        bundleId: 'x',
        plantCaFingerprint: pki.caFingerprint,
        serverId: 's',
        deviceId: b.deviceKey.deviceId,
        acknowledgedSeq: head + 5,
        acknowledgedHash: 'f'.repeat(64),
        accepted: 5,
        duplicates: 0,
        refusal: null,
        writtenAt: now.toISOString(),
      },
      srvKey,
    );
    const ackBefore = b.sync.status().acknowledgedSeq;
    expect(() => b.bundles.importAck(forged)).toThrow(expect.objectContaining({ code: 'ack-unknown-events' }));
    expect(() => b.bundles.importAck(readFileSync(usb('a-1.baseline-bundle.ack')))).toThrow(
      expect.objectContaining({ code: 'ack-other-device' }),
    );
    // Signed by a key the plant CA never issued: refused.
    const rogue = createBundleKeyPair({ commonName: 'Baseline server', unit: 'Baseline server bundles' }, createCa('Rogue CA'));
    const rogueAck = writeAckFile(
      {
        format: 'baseline.sync-ack/1',
        bundleId: 'x',
        plantCaFingerprint: pki.caFingerprint,
        serverId: 's',
        deviceId: b.deviceKey.deviceId,
        acknowledgedSeq: ackBefore,
        acknowledgedHash: null,
        accepted: 0,
        duplicates: 0,
        refusal: null,
        writtenAt: now.toISOString(),
      },
      rogue,
    );
    expect(() => b.bundles.importAck(rogueAck)).toThrow(expect.objectContaining({ code: 'ack-signer-untrusted' }));
    expect(b.sync.status().acknowledgedSeq).toBe(ackBefore);

    // A newer server bundle for B, then the older one again: the older changes nothing and says so.
    const newer = await exportDeviceBundle({ home: serverHome, store: srv.store, pki, deviceId: b.deviceKey.deviceId });
    await b.bundles.importBundle(newer.bytes);
    const r = await b.bundles.importBundle(readFileSync(usb('for-b.baseline-bundle')));
    expect(r).toMatchObject({ nothingChanged: true });
    expect(r.message).toMatch(/Nothing changed: this laptop already holds every event in this bundle/);
  } finally {
    await srv.close();
  }
}
