/**
 * `baseline restore`: rebuilds a laptop's store from its evidence backups (sync bundles written to removable
 * media) into an empty data directory, for when the laptop was lost, stolen or died before it synced.
 *
 * Every backup is opened with a recipient key (the server's bundle key, which the administrator holds, or the
 * laptop's own), checked member by member, and its manifest signature checked with the device key the journal's
 * first event announces. The events must form the device's chain from its first event without a gap; they are
 * stored by the same code that stores pulled events (chain, hash and signature checked on the way in) and the
 * projections are rebuilt from them. The restored directory holds the device's public key only: it is evidence
 * to read, verify and export, not a laptop that can sign as that device again.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BaselineError } from '../../src-shared/common/errors.ts';
import type { WireEvent } from '../../src-shared/common/sync/sync-protocol.ts';
import { writeFileAtomic } from '../../src-shared/node/atomic-file.ts';
import { arrivingRowProblems } from '../../src-shared/node/chain-ingest.ts';
import { verifyText } from '../../src-shared/node/ed25519.ts';
import { deviceKeyFromGenesis } from '../../src-shared/node/journal-verifier.ts';
import { BackupJournalSchema, DeviceEventsSchema, blobMember } from '../../src-shared/node/sync-bundle/bundle-content.ts';
import {
  bundleJson,
  openBundle,
  sha256,
  type BundleKeyPair,
  type OpenedBundle,
} from '../../src-shared/node/sync-bundle/bundle-envelope.ts';
import { BlobStore } from '../store/blob-store.ts';
import { openStore } from '../store/database.ts';
import { DEVICE_KEY_FILE, RESTORED_PUBLIC_KEY_ONLY } from '../store/device-key-store.ts';
import { JournalRepository } from '../store/journal-repository.ts';
import { SyncRepository } from '../store/sync-repository.ts';
import { IdentityRepository } from '../store/identity-repository.ts';
import { readClockAttestation } from '../../src-shared/common/sync/clock-flags.ts';
import { verifyWithCertificate } from '../../src-shared/node/pki.ts';

/** What a restore did. */
export interface RestoreResult {
  home: string;
  deviceId: string;
  events: number;
  /** Other devices' events the laptop held (approvals, people, plant), restored with it. */
  otherEvents: number;
  blobs: number;
  /** Content the events reference that the backups do not hold (the server acknowledged those events, so it holds it). */
  blobsOnServer: number;
  files: number;
  verified: boolean;
  problems: number;
}

/** Restores backups into an empty data directory; the journal is verified afterwards. */
export async function restoreFromBackups(files: readonly string[], home: string, keys: readonly BundleKeyPair[]): Promise<RestoreResult> {
  if (files.length === 0)
    throw new BaselineError(
      'restore-no-files',
      'No backup files were given.',
      'Name the backup bundles to restore (baseline-backup-…​.baseline-bundle from the backup drive).',
    );
  if (existsSync(home) && readdirSync(home).length > 0) {
    throw new BaselineError(
      'restore-home-not-empty',
      `The data directory ${home} is not empty.`,
      'Restore into a new, empty folder; an existing store is never overwritten.',
    );
  }
  const opened: { file: string; bundle: OpenedBundle }[] = [];
  for (const file of files) {
    try {
      opened.push({ file, bundle: await openBundle(readFileSync(file), keys, 'backup') });
    } catch (err) {
      if (err instanceof BaselineError) throw new BaselineError(err.code, `${file}: ${err.message}`, err.hint, err.details);
      throw err;
    }
  }
  const devices = new Set(opened.map((o) => o.bundle.manifest.from.id));
  if (devices.size !== 1 || opened.some((o) => o.bundle.manifest.from.kind !== 'device')) {
    throw new BaselineError(
      'restore-mixed-devices',
      `The backups come from ${devices.size} devices (${[...devices].join(', ')}); one restore rebuilds one laptop.`,
      "Restore each laptop's backups into its own folder.",
    );
  }
  const deviceId = [...devices][0]!;
  const bySeq = new Map<number, { event: WireEvent; from: string }>();
  const blobs = new Map<string, Buffer>();
  const referenced = new Set<string>();
  for (const { file, bundle } of opened) {
    for (const item of bundleJson(bundle, 'events.json', DeviceEventsSchema)) {
      const held = bySeq.get(item.event.seq);
      if (held && held.event.hash !== item.event.hash) {
        throw new BaselineError(
          'restore-backups-disagree',
          `Event ${item.event.seq} differs between ${held.from} and ${file}: one of them is not this laptop's journal.`,
          "Restore from one laptop's backups only; nothing was written.",
        );
      }
      bySeq.set(item.event.seq, { event: item.event, from: file });
      for (const h of item.blobs) {
        referenced.add(h);
        const b = bundle.members.get(blobMember(h));
        if (b && sha256(b) === h) blobs.set(h, b);
      }
    }
  }
  // The other devices' events and the stored order, from the newest backup (it holds the most). Newest by what the
  // laptop's journal held when it was written (its own head, then the size of journal.json: both only grow), not by
  // its clock, which may have been wrong; a sync bundle given with the backups holds no journal.json.
  const journalSize = (b: OpenedBundle) => b.manifest.members.find((m) => m.name === 'journal.json')?.size ?? -1;
  const newest = opened
    .map((o) => o.bundle)
    .filter((b) => journalSize(b) >= 0)
    .sort(
      (x, y) =>
        (x.manifest.device?.head.seq ?? 0) - (y.manifest.device?.head.seq ?? 0) ||
        journalSize(x) - journalSize(y) ||
        x.manifest.createdAt.localeCompare(y.manifest.createdAt),
    )
    .at(-1);
  const journal = newest ? bundleJson(newest, 'journal.json', BackupJournalSchema) : { others: [], ownOrder: [] };
  const seqs = [...bySeq.keys()].sort((a, b) => a - b);
  const missing = seqs.length === 0 ? 1 : seqs.findIndex((s, i) => s !== i + 1) + 1;
  if (seqs.length === 0 || missing > 0) {
    throw new BaselineError(
      'restore-incomplete',
      `The backups do not hold this laptop's chain from its first event: event ${missing || 1} is missing.`,
      'Add the earlier backups (or those the server acknowledged: the server holds them), then restore again. Nothing was written.',
      { missingSeq: missing || 1 },
    );
  }
  const genesis = bySeq.get(1)!.event;
  const key = deviceKeyFromGenesis(genesis);
  if (!key)
    throw new BaselineError(
      'restore-no-device-key',
      'The first event in the backups does not announce a device key.',
      'The backups are damaged; nothing was written.',
    );
  for (const { file, bundle } of opened) {
    if (!verifyText(key, bundle.manifestText, bundle.signature)) {
      throw new BaselineError(
        'bundle-signature-invalid',
        `${file}: the backup's manifest (member manifest.sig) is not signed by the device its journal announces: it was altered or written by someone else.`,
        'Nothing was written.',
        { member: 'manifest.sig' },
      );
    }
  }
  const store = openStore({ home, purpose: 'baseline restore' });
  try {
    const repo = new SyncRepository(store.db);
    const ownOrder = new Map(journal.ownOrder);
    const maxOrder = Math.max(0, ...journal.others.map((o) => o.order), ...ownOrder.values());
    const ordered = [...seqs.map((s) => ({ order: ownOrder.get(s) ?? maxOrder + s, event: bySeq.get(s)!.event })), ...journal.others].sort(
      (x, y) => x.order - y.order,
    );
    const events = ordered.map((o, i) => ({ globalSeq: i + 1, event: o.event }));
    // Each device's chain is checked against the key its own first event announces (certification is checked by verify).
    const keys = new Map<string, ReturnType<typeof deviceKeyFromGenesis>>([[deviceId, key]]);
    for (const o of journal.others) if (o.event.seq === 1) keys.set(o.event.device, deviceKeyFromGenesis(o.event));
    const outcome = repo.storePulled(events, 0, (ev, head) => {
      const k = keys.get(ev.device);
      if (!k)
        return [
          {
            device: ev.device,
            seq: ev.seq,
            kind: 'unknown-device',
            message: "the backup holds no first event announcing this device's key",
          },
        ];
      return arrivingRowProblems(ev, k, head);
    });
    repo.set('pull-cursor', '0');
    if (outcome.refusal)
      throw new BaselineError(
        outcome.refusal.code,
        `The backups hold a damaged event: ${outcome.refusal.message}`,
        'The restored folder is incomplete; delete it.',
        outcome.refusal.details,
      );
    const blobStore = new BlobStore(home);
    for (const b of blobs.values()) blobStore.put(b);
    const payload = JSON.parse(genesis.payload) as { name?: string; publicKeyPem: string };
    // The public key only: the restored store verifies as this device's, and cannot sign as it.
    writeFileAtomic(
      join(home, DEVICE_KEY_FILE),
      JSON.stringify(
        {
          format: 'baseline.device-key/1',
          deviceId,
          name: payload.name ?? deviceId,
          algorithm: 'Ed25519',
          publicKeyPem: payload.publicKeyPem,
          protection: RESTORED_PUBLIC_KEY_ONLY,
          privateKey: '',
          createdAt: genesis.at,
        },
        null,
        2,
      ) + '\n',
      0o600,
    );
    const journalRepo = new JournalRepository(store.db, null, undefined, { id: deviceId, publicKeyPem: payload.publicKeyPem });
    // The events went in as pulled ones (a pulled CA trust never adds trust); the tables are now replayed from the
    // journal as this device's own store, whose own CA trust counts.
    journalRepo.rebuildProjections();
    // The server's clock flags the laptop held, each checked against the plant CAs the restored journal trusts.
    const caPems = new IdentityRepository(store.db, journalRepo).trustedCas().map((c) => c.certificatePem);
    for (const a of journal.clockFlags ?? []) {
      if (readClockAttestation(a) === null || !caPems.some((pem) => verifyWithCertificate(pem, a.statement, a.signature)))
        throw new BaselineError(
          'restore-clock-flags-invalid',
          `The backup holds clock flags (${a.id.slice(0, 13)}…) that no plant CA of the restored journal signed.`,
          'The backup is damaged or was altered; the restored folder is incomplete: delete it and restore from other backups.',
        );
      repo.addClockAttestation(a, new Date().toISOString());
    }
    const report = journalRepo.verifyAll();
    const problems = report.problems.length + report.projections.length;
    return {
      home,
      deviceId,
      events: seqs.length,
      otherEvents: journal.others.length,
      blobs: blobs.size,
      blobsOnServer: [...referenced].filter((h) => !blobs.has(h)).length,
      files: files.length,
      verified: report.ok,
      problems,
    };
  } finally {
    store.close();
  }
}
