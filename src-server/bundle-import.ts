/**
 * Sync by file for air-gapped plants, the server's side: importing a laptop's bundle (through `ingestPush`, the
 * very path online push takes), writing the signed acknowledgement, and exporting a bundle for a laptop with
 * what online pull would give it.
 *
 * The server's bundle key (pki/bundle.pem, pki/bundle.key.pem) is an RSA key whose certificate the plant CA
 * issues: laptops encrypt their bundles to it and check the server's bundles and acknowledgements against it.
 * What the server learnt from a laptop's bundles (its bundle-encryption certificate and where its pull stands)
 * is kept in bundle-devices/<device>.json in the data directory.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { BaselineError, type ErrorData } from '../src-shared/common/errors.ts';
import { MAX_BATCH_EVENTS, type WireEvent } from '../src-shared/common/sync/sync-protocol.ts';
import type { ClockAttestation } from '../src-shared/common/sync/clock-flags.ts';
import { writeFileAtomic } from '../src-shared/node/atomic-file.ts';
import { publicKeyFromPem, verifyText } from '../src-shared/node/ed25519.ts';
import { signWithKey } from '../src-shared/node/pki.ts';
import {
  DeviceEventsSchema,
  SERVER_BUNDLE_OU,
  ServerEventsSchema,
  blobMember,
  writeAckFile,
  type Ack,
} from '../src-shared/node/sync-bundle/bundle-content.ts';
import {
  bundleJson,
  createBundleKeyPair,
  openBundle,
  sealBundle,
  sha256,
  type BundleKeyPair,
} from '../src-shared/node/sync-bundle/bundle-envelope.ts';
import { ingestPush, pullPage } from './sync-operations.ts';
import type { ServerPki } from './server-home.ts';
import { ServerBlobStore } from './store/server-blob-store.ts';
import type { SyncStore } from './store/sync-store.ts';

/** The server's bundle key, created (issued by the plant CA) on first use. */
export function serverBundleKey(home: string, pki: ServerPki): BundleKeyPair {
  const cert = join(home, 'pki', 'bundle.pem');
  const key = join(home, 'pki', 'bundle.key.pem');
  if (!existsSync(cert) || !existsSync(key)) {
    const pair = createBundleKeyPair(
      { commonName: 'Baseline server', unit: SERVER_BUNDLE_OU },
      { certPem: pki.caCertPem, keyPem: pki.caKeyPem },
    );
    writeFileAtomic(key, pair.keyPem, 0o600);
    writeFileAtomic(cert, pair.certPem, 0o644);
  }
  return { certPem: readFileSync(cert, 'utf8'), keyPem: readFileSync(key, 'utf8') };
}

/** What the server keeps about a laptop that syncs by file. */
export interface BundleDeviceFile {
  recipientCertificatePem: string;
  pullCursor: number;
  lastBundleId: string;
  lastBundleCreatedAt: string;
}

/** Where the server keeps what it learnt about a laptop that syncs by file. */
export function deviceFile(home: string, deviceId: string): string {
  if (!/^[A-Za-z0-9._-]{1,100}$/.test(deviceId))
    throw new BaselineError(
      'bundle-device-unknown',
      `"${deviceId.slice(0, 100)}" is not a device id.`,
      'Import a bundle written by Baseline.',
    );
  return join(home, 'bundle-devices', `${deviceId}.json`);
}

/** What an import did. */
export interface BundleImportResult {
  deviceId: string;
  bundleId: string;
  /** True when the server already held everything in the bundle (the same bundle twice, or an older one). */
  nothingChanged: boolean;
  accepted: number;
  duplicates: number;
  blobsStored: number;
  acknowledgedSeq: number;
  refusal: ErrorData | null;
  /** The signed acknowledgement file's bytes (to carry back to the laptop). */
  ack: Buffer;
  message: string;
  /** Milliseconds spent opening the bundle (decrypting, checking the manifest and members) and in the verified ingest (for the benchmark). */
  timings: { openMs: number; ingestMs: number };
}

/** Imports a laptop's bundle: the same checks and store as online push; returns the acknowledgement to carry back. */
export async function importDeviceBundle(o: {
  home: string;
  store: SyncStore;
  pki: ServerPki;
  bytes: Buffer;
  now?: Date;
}): Promise<BundleImportResult> {
  const now = o.now ?? new Date();
  const key = serverBundleKey(o.home, o.pki);
  const started = performance.now();
  const bundle = await openBundle(o.bytes, [key]);
  const opened = performance.now();
  const m = bundle.manifest;
  if (m.plantCaFingerprint !== o.pki.caFingerprint) {
    throw new BaselineError(
      'bundle-other-plant',
      `This bundle was written for the plant whose CA fingerprint is ${m.plantCaFingerprint.slice(0, 16)}…, not this server's plant (${o.pki.caFingerprint.slice(0, 16)}…).`,
      "Take it to its own plant's server; nothing was imported.",
    );
  }
  if (m.from.kind !== 'device' || m.to.kind !== 'server' || !m.device) {
    throw new BaselineError(
      'bundle-wrong-direction',
      "This bundle was written by the server for a laptop; the server imports only laptops' bundles.",
      'Import it on the laptop it names (`baseline sync import`).',
    );
  }
  const device = await o.store.device(m.from.id);
  if (!device) {
    throw new BaselineError(
      'bundle-device-unknown',
      `The bundle comes from device ${m.from.id}, which is not enrolled with this server.`,
      'Enrol the laptop first (one-time code), then import its bundles. Nothing was imported.',
    );
  }
  const devKey = publicKeyFromPem(device.public_key_pem);
  if (!devKey || !verifyText(devKey, bundle.manifestText, bundle.signature)) {
    await o.store.recordRefusal(device.device_id, now, {
      code: 'bundle-signature-invalid',
      message: 'bundle manifest signature invalid',
      hint: '',
    });
    throw new BaselineError(
      'bundle-signature-invalid',
      `The bundle's manifest (member manifest.sig) is not signed by device ${device.name} (${device.device_id}): it was altered or written by someone else.`,
      'Write a new bundle on the laptop; nothing was imported.',
      { member: 'manifest.sig' },
    );
  }
  const items = bundleJson(bundle, 'events.json', DeviceEventsSchema);
  const range = m.device;
  const ackedBefore = Number(device.acked_seq);

  // An older bundle (the same one again, or one written before bundles the server already took: a stick imported
  // late) goes through the same ingest, its content not stored again. Its head is the laptop's journal as it was then,
  // not a journal that went back: the same chain stops nothing; a forked one is refused, recorded and flagged with
  // online push's words (a copy of the data directory that went its own way).
  const older = range.head.seq < ackedBefore || (items.length > 0 && range.lastSeq <= ackedBefore);
  let blobsStored = 0;
  if (!older) {
    const blobs = new ServerBlobStore(o.home);
    for (const hash of new Set(items.flatMap((i) => i.blobs))) {
      const bytes = bundle.members.get(blobMember(hash));
      if (!bytes) continue; // the server held it already when the laptop wrote the bundle; ingest says if not
      if (sha256(bytes) !== hash)
        throw new BaselineError(
          'bundle-altered',
          `The bundle's member ${blobMember(hash)} does not hash to its name.`,
          'Write a new bundle; nothing was imported.',
          { member: blobMember(hash) },
        );
      if (blobs.put(hash, bytes).stored === 'new') blobsStored++;
      await o.store.addBlob(hash, bytes.length, now);
    }
  }
  let result: { acknowledgedSeq: number; accepted: number; duplicates: number; refusal: ErrorData | null } = {
    acknowledgedSeq: ackedBefore,
    accepted: 0,
    duplicates: 0,
    refusal: null,
  };
  // The same batches online push sends, through the same ingest.
  for (let i = 0; i < Math.max(1, items.length); i += MAX_BATCH_EVENTS) {
    const out = await ingestPush(
      o.store,
      device,
      { events: items.slice(i, i + MAX_BATCH_EVENTS), head: range.head, deviceTime: range.deviceTime },
      now,
      o.pki,
      'bundle',
    );
    result = {
      acknowledgedSeq: out.acknowledgedSeq,
      accepted: result.accepted + out.accepted,
      duplicates: result.duplicates + out.duplicates,
      refusal: out.refusal,
    };
    if (out.refusal) break;
  }
  const ingested = performance.now();
  const nothingChanged = result.accepted === 0 && blobsStored === 0 && result.refusal === null;
  if (!result.refusal) {
    const file: BundleDeviceFile = {
      recipientCertificatePem: range.recipientCertificatePem,
      pullCursor: range.pullCursor,
      lastBundleId: m.bundleId,
      lastBundleCreatedAt: m.createdAt,
    };
    const path = deviceFile(o.home, device.device_id);
    const prior = existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as BundleDeviceFile) : null;
    // The newest bundle is the one whose laptop had pulled furthest (its cursor only grows); the laptop's clock
    // only breaks a tie, since a clock once set a year ahead would otherwise freeze this file until that date.
    if (
      !prior ||
      prior.pullCursor < range.pullCursor ||
      (prior.pullCursor === range.pullCursor && prior.lastBundleCreatedAt <= m.createdAt)
    ) {
      mkdirSync(join(o.home, 'bundle-devices'), { recursive: true, mode: 0o700 });
      writeFileAtomic(path, JSON.stringify(file, null, 1) + '\n', 0o600);
    }
  }
  const acked = (await o.store.device(device.device_id))!;
  const ack: Ack = {
    format: 'baseline.sync-ack/1',
    bundleId: m.bundleId,
    plantCaFingerprint: o.pki.caFingerprint,
    serverId: (await o.store.info('server-id')) ?? '',
    deviceId: device.device_id,
    acknowledgedSeq: Number(acked.acked_seq),
    acknowledgedHash: acked.acked_hash,
    accepted: result.accepted,
    duplicates: result.duplicates,
    refusal: result.refusal ? { code: result.refusal.code, message: result.refusal.message, hint: result.refusal.hint } : null,
    writtenAt: now.toISOString(),
  };
  const message = result.refusal
    ? `Refused part of the bundle: ${result.refusal.message} What to do: ${result.refusal.hint} The server holds this laptop's events up to seq ${ack.acknowledgedSeq}; ${result.accepted} were accepted from this bundle.`
    : nothingChanged
      ? `Nothing changed: the server already holds every event in this bundle (device ${device.name}, up to seq ${range.lastSeq}; acknowledged ${ack.acknowledgedSeq}).`
      : `Imported ${result.accepted} events and ${blobsStored} content files from ${device.name}; the server now holds its events up to seq ${ack.acknowledgedSeq}.`;
  return {
    deviceId: device.device_id,
    bundleId: m.bundleId,
    nothingChanged,
    accepted: result.accepted,
    duplicates: result.duplicates,
    blobsStored,
    acknowledgedSeq: ack.acknowledgedSeq,
    refusal: result.refusal,
    ack: writeAckFile(ack, key),
    message,
    timings: { openMs: opened - started, ingestMs: ingested - opened },
  };
}

/** What an export wrote. */
export interface BundleExportResult {
  bytes: Buffer;
  deviceId: string;
  events: number;
  blobs: number;
  after: number;
  cursor: number;
}

/** A bundle for one laptop: other devices' events after its pull cursor (as online pull gives them), their content, and its acknowledgement. */
export async function exportDeviceBundle(o: {
  home: string;
  store: SyncStore;
  pki: ServerPki;
  deviceId: string;
  after?: number;
  now?: Date;
}): Promise<BundleExportResult> {
  const now = o.now ?? new Date();
  const device = await o.store.device(o.deviceId);
  if (!device)
    throw new BaselineError(
      'bundle-device-unknown',
      `Device ${o.deviceId} is not enrolled with this server.`,
      'List enrolled laptops with the central view; use the device id the laptop shows under Sync.',
    );
  const path = deviceFile(o.home, device.device_id);
  if (!existsSync(path)) {
    throw new BaselineError(
      'bundle-device-no-key',
      `The server has no bundle certificate for ${device.name} yet: it has not imported a bundle from that laptop.`,
      'Import a bundle from the laptop first (`baseline sync export` there, `baseline server import` here); its bundle carries the certificate to encrypt to.',
    );
  }
  const known = JSON.parse(readFileSync(path, 'utf8')) as BundleDeviceFile;
  const after = o.after ?? known.pullCursor;
  const events: WireEventPulled[] = [];
  const devices = new Map<string, { deviceId: string; name: string; publicKeyPem: string; certificatePem: string }>();
  const clockFlags = new Map<string, ClockAttestation>();
  let cursor = after;
  for (;;) {
    const page = await pullPage(o.store, device.device_id, cursor, MAX_BATCH_EVENTS);
    events.push(...page.events);
    for (const d of page.devices) devices.set(d.deviceId, d);
    for (const a of page.clockFlags) clockFlags.set(a.id, a);
    cursor = page.cursor;
    if (!page.more) break;
  }
  const blobs = new ServerBlobStore(o.home);
  const members: [string, Buffer][] = [
    [
      'events.json',
      Buffer.from(
        JSON.stringify(ServerEventsSchema.parse({ events, devices: [...devices.values()], clockFlags: [...clockFlags.values()] })),
      ),
    ],
  ];
  for (const h of new Set(events.flatMap((e) => e.blobs))) {
    const bytes = blobs.get(h);
    if (!bytes)
      throw new BaselineError(
        'blob-not-held',
        `The server lacks content ${h.slice(0, 12)}… that an event references.`,
        "Check the server's blob directory against its database; the bundle was not written.",
      );
    members.push([blobMember(h), bytes]);
  }
  const key = serverBundleKey(o.home, o.pki);
  const { bytes } = await sealBundle(
    {
      bundleId: randomUUID(),
      createdAt: now.toISOString(),
      plantCaFingerprint: o.pki.caFingerprint,
      from: { kind: 'server', id: (await o.store.info('server-id')) ?? 'server' },
      to: { kind: 'device', id: device.device_id },
      signerCertificatePem: key.certPem,
      server: { after, cursor, acknowledgedSeq: Number(device.acked_seq), acknowledgedHash: device.acked_hash },
    },
    members,
    (text) => signWithKey(key.keyPem, text),
    [known.recipientCertificatePem],
  );
  return { bytes, deviceId: device.device_id, events: events.length, blobs: members.length - 1, after, cursor };
}

type WireEventPulled = { globalSeq: number; event: WireEvent; blobs: string[] };
