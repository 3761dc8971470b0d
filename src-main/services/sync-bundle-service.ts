/**
 * Sync by file for air-gapped plants, the laptop's side (ARCHITECTURE §8, another transport for the same events):
 *
 *  - export: every event of this laptop the server has not acknowledged (or all with `all`) and the content they
 *    reference, signed with the device key and encrypted to the server's bundle certificate;
 *  - import-ack: the server's signed acknowledgement moves the acknowledged seq exactly as a push answer does;
 *  - import: a server's bundle (other devices' events: approvals, baselines, policy, people, revocations) is
 *    checked and stored by the same code as an online pull (`trustedDeviceKeys`, `storePulled`, `arrivingRowProblems`);
 *  - the bundles evidence backup writes (evidence-backup-service.ts): the whole chain, openable by the server or
 *    by this laptop's bundle key.
 *
 * The laptop's bundle key is an RSA key with a self-signed certificate (RSA because CMS key transport wraps the
 * content key with it; the Ed25519 device key cannot). Its authenticity comes from the device's signature over
 * the manifest that carries it. It is kept in sync-bundle-key.json (0600), its private key sealed by the same
 * protection as the device key (OS keychain under Electron, else the device-key passphrase when one is set), so a
 * copy of the file without that secret opens no bundle or backup.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { BaselineError } from '../../src-shared/common/errors.ts';
import type { WireEvent } from '../../src-shared/common/sync/sync-protocol.ts';
import { writeFileAtomic } from '../../src-shared/node/atomic-file.ts';
import { arrivingRowProblems } from '../../src-shared/node/chain-ingest.ts';
import { verifyWithCertificate } from '../../src-shared/node/pki.ts';
import { isEnrolResponseFile } from '../../src-shared/node/sync-bundle/enrol-file.ts';
import type { Actor } from '../../src-shared/common/journal-event.ts';
import {
  DEVICE_BUNDLE_OU,
  ServerEventsSchema,
  blobMember,
  readAckFile,
  serverBundleCertificateProblem,
} from '../../src-shared/node/sync-bundle/bundle-content.ts';
import {
  BUNDLE_SUFFIX,
  bundleJson,
  createBundleKeyPair,
  openBundle,
  sealBundle,
  sha256,
  type BundleKeyPair,
} from '../../src-shared/node/sync-bundle/bundle-envelope.ts';
import type { BlobStore } from '../store/blob-store.ts';
import type { DeviceKey, KeyProtection } from '../store/device-key-store.ts';
import type { JournalRepository } from '../store/journal-repository.ts';
import type { SyncRepository } from '../store/sync-repository.ts';
import type { EventHub } from './event-hub.ts';
import type { IdentityService } from './identity-service.ts';
import type { SyncService } from './sync-service.ts';
import { importEnrolResponse, writeEnrolRequest, type EnrolByFileContext } from './enrol-by-file.ts';
import { BUNDLE_KEY_FILE, readBundleKeyFile, writeBundleKeyFile } from './sync-bundle-files.ts';
import {
  acknowledgedProblem,
  acknowledgedSeq,
  recordAcknowledged,
  type AcknowledgementContext,
  type ImportResult,
} from './sync-acknowledgement.ts';

export { BUNDLE_KEY_FILE, backupFilesIn, isBundleName, readBundleKeyFile } from './sync-bundle-files.ts';
export { waitingWords, type ImportResult } from './sync-acknowledgement.ts';

/** The server's bundle certificate, once known (from a server bundle, an acknowledgement, or given by hand). */
export const SERVER_BUNDLE_CERT_FILE = 'sync-bundle-server.pem';

const HEX64 = /"([0-9a-f]{64})"/g;

/** What the bundle service needs. */
export interface SyncBundleDeps {
  home: string;
  journal: JournalRepository;
  repo: SyncRepository;
  blobs: BlobStore;
  hub: EventHub;
  deviceKey: DeviceKey;
  /** Seals the bundle key's private half as the device key's is sealed. */
  keyProtection: KeyProtection;
  sync: SyncService;
  identity: IdentityService;
  clock?: () => Date;
}

/** What an export wrote. */
export interface ExportResult {
  file: string;
  bytes: number;
  events: number;
  blobs: number;
  firstSeq: number;
  lastSeq: number;
}

/** Laptop side of sync bundles (evidence backups are written with them: evidence-backup-service.ts). */
export class SyncBundleService {
  private readonly deps: SyncBundleDeps;
  private readonly clock: () => Date;

  constructor(deps: SyncBundleDeps) {
    this.deps = deps;
    this.clock = deps.clock ?? (() => new Date());
  }

  /** A progress callback that pushes `sync.bundle.progress` to every window (the buttons show it). */
  progressTo(operation: 'export' | 'import'): (done: number, total: number, detail?: string) => void {
    return (done, total, detail) => this.deps.hub.emit('sync.bundle.progress', { operation, done, total, detail: detail ?? '' });
  }

  private get own(): string {
    return this.deps.deviceKey.deviceId;
  }

  /** This laptop's bundle key (created on first use). */
  bundleKey(): BundleKeyPair {
    const path = join(this.deps.home, BUNDLE_KEY_FILE);
    const protection = this.deps.keyProtection;
    if (!existsSync(path)) {
      const pair = createBundleKeyPair({ commonName: `${this.deps.deviceKey.name} (${this.own})`, unit: DEVICE_BUNDLE_OU }, null);
      writeBundleKeyFile(path, pair, protection);
      return pair;
    }
    const raw = JSON.parse(readFileSync(path, 'utf8')) as { format?: string; keyPem?: string; certPem?: string };
    if (raw.format === 'baseline.bundle-key/1' && typeof raw.keyPem === 'string' && typeof raw.certPem === 'string') {
      // A key written before it was sealed: seal it now with the device key's protection.
      const pair = { certPem: raw.certPem, keyPem: raw.keyPem };
      writeBundleKeyFile(path, pair, protection);
      return pair;
    }
    return readBundleKeyFile(path, protection);
  }

  private plant(): { caCertificatePem: string; caFingerprint: string; serverId: string } {
    const ca = this.deps.sync.enrolmentCa();
    if (!ca) {
      throw new BaselineError(
        'sync-not-enrolled',
        'This laptop is not enrolled with a central server, so there is no server to write a bundle for.',
        'Enrol it once (Sync > Enrol, with a one-time code); after that it can sync by file without a network.',
      );
    }
    return ca;
  }

  /** The server's bundle certificate, if this laptop knows it. */
  serverCertificate(): string | null {
    const path = join(this.deps.home, SERVER_BUNDLE_CERT_FILE);
    return existsSync(path) ? readFileSync(path, 'utf8') : null;
  }

  /** Records the server's bundle certificate after checking it against the plant CA (`baseline server bundle-cert` prints it). */
  setServerCertificate(certPem: string): void {
    const problem = serverBundleCertificateProblem(certPem, [this.plant().caCertificatePem], this.clock());
    if (problem)
      throw new BaselineError(
        'server-bundle-cert-untrusted',
        `That is not this plant's server bundle certificate: ${problem}.`,
        "Use the file `baseline server bundle-cert` prints on your plant's server.",
      );
    writeFileAtomic(join(this.deps.home, SERVER_BUNDLE_CERT_FILE), certPem, 0o644);
  }

  private blobsOf(e: WireEvent): string[] {
    const out = new Set<string>();
    for (const m of e.payload.matchAll(HEX64)) if (this.deps.blobs.has(m[1]!)) out.add(m[1]!);
    return [...out];
  }

  /** This laptop's events the server acknowledged holding (by seq). */
  acknowledgedSeq(): number {
    return acknowledgedSeq(this.deps.repo);
  }

  /** Writes a bundle of this laptop's unacknowledged events (all with `all`) to `out`. */
  async exportBundle(
    out: string,
    options: { all?: boolean; backup?: boolean; onProgress?: (done: number, total: number, detail?: string) => void } = {},
  ): Promise<ExportResult> {
    const r = await this.exportBytes(options);
    writeFileAtomic(out, r.bytes, 0o600);
    return { ...r, file: out, bytes: r.bytes.length };
  }

  /** The bundle's bytes and a file name for it (the screen's "Export bundle" saves them where the person chooses). */
  async exportBytes(
    options: { all?: boolean; backup?: boolean; onProgress?: (done: number, total: number, detail?: string) => void } = {},
  ): Promise<Omit<ExportResult, 'bytes' | 'file'> & { bytes: Buffer; fileName: string }> {
    const plant = this.plant();
    const serverCert = this.serverCertificate();
    if (!serverCert && !options.backup) {
      throw new BaselineError(
        'server-bundle-cert-missing',
        "This laptop does not know the server's bundle certificate yet, so it cannot encrypt a bundle to the server.",
        'Get it once from the administrator (`baseline server bundle-cert --out server-bundle.pem`) and run `baseline sync export --to server-bundle.pem`, or import any bundle from the server.',
      );
    }
    // A backup holds the whole chain (events are small) so it restores on its own, but only the content of events
    // the server has not acknowledged: the rest is on the server already.
    const acknowledged = this.acknowledgedSeq();
    const from = options.all || options.backup ? 0 : acknowledged;
    const events = this.deps.repo.eventsAfter(this.own, from, Number.MAX_SAFE_INTEGER);
    const items = events.map((event) => ({ event, blobs: this.blobsOf(event) }));
    const members: [string, Buffer][] = [['events.json', Buffer.from(JSON.stringify(items))]];
    if (options.backup) {
      const ownOrder = [...this.deps.repo.storedOrder(this.own).entries()];
      members.push([
        'journal.json',
        Buffer.from(
          JSON.stringify({
            others: this.deps.repo.foreignEventsInStoredOrder(this.own),
            ownOrder,
            // The server's clock flags this laptop holds: a restored laptop shows them beside the events again.
            clockFlags: this.deps.repo.clockAttestations(),
          }),
        ),
      ]);
    }
    const hashes = [...new Set(items.filter((i) => options.all || i.event.seq > acknowledged).flatMap((i) => i.blobs))];
    options.onProgress?.(0, hashes.length + 1, `${events.length} events; content files`);
    hashes.forEach((h, i) => {
      members.push([blobMember(h), this.deps.blobs.get(h)]);
      options.onProgress?.(i + 1, hashes.length + 1, 'content files, then signing and encrypting');
    });
    const head = this.deps.repo.head(this.own);
    const key = this.bundleKey();
    const { bytes } = await sealBundle(
      {
        bundleId: randomUUID(),
        createdAt: this.clock().toISOString(),
        plantCaFingerprint: plant.caFingerprint,
        from: { kind: 'device', id: this.own },
        to: { kind: 'server', id: plant.serverId },
        signerCertificatePem: this.deviceCertificate() ?? '',
        device: {
          firstSeq: events[0]?.seq ?? 0,
          lastSeq: events[events.length - 1]?.seq ?? head.seq,
          head: { seq: head.seq, hash: head.seq === 0 ? null : head.hash },
          deviceTime: this.clock().toISOString(),
          pullCursor: Number(this.deps.repo.get('pull-cursor') ?? '0'),
          recipientCertificatePem: key.certPem,
          backup: options.backup ?? false,
        },
      },
      members,
      (text) => this.deps.deviceKey.sign(text),
      serverCert ? [serverCert, key.certPem] : [key.certPem],
    );
    options.onProgress?.(hashes.length + 1, hashes.length + 1, 'written');
    const fileName = `baseline-${this.deps.deviceKey.name.replace(/[^A-Za-z0-9._-]+/g, '-')}-to-server-${String(head.seq).padStart(8, '0')}${BUNDLE_SUFFIX}`;
    return {
      fileName,
      bytes,
      events: events.length,
      blobs: hashes.length,
      firstSeq: events[0]?.seq ?? 0,
      lastSeq: events[events.length - 1]?.seq ?? 0,
    };
  }

  private deviceCertificate(): string | null {
    const row = [...this.deps.journal.events()].reverse().find((e) => e.type === 'device.certified' && e.device === this.own);
    return (row?.payload as { certificatePem?: string } | undefined)?.certificatePem ?? null;
  }

  /** Records the server's acknowledgement of a bundle: moves the acknowledged seq as a push answer would. */
  importAck(bytes: Buffer): ImportResult {
    const plant = this.plant();
    const { ack, signerCertificatePem } = readAckFile(bytes, [plant.caCertificatePem], this.clock());
    if (ack.plantCaFingerprint !== plant.caFingerprint) {
      throw new BaselineError(
        'ack-other-plant',
        "The acknowledgement comes from another plant's server.",
        'Import acknowledgements from the server this laptop enrolled with; nothing was recorded.',
      );
    }
    if (ack.deviceId !== this.own) {
      throw new BaselineError(
        'ack-other-device',
        `The acknowledgement is for device ${ack.deviceId}, not this laptop (${this.own}).`,
        'Carry it to the laptop it names; nothing was recorded.',
      );
    }
    this.learnServerCertificate(signerCertificatePem);
    return recordAcknowledged(this.ackContext(), {
      seq: ack.acknowledgedSeq,
      hash: ack.acknowledgedHash,
      refusal: ack.refusal,
      writtenAt: ack.writtenAt,
      bundleId: ack.bundleId,
    });
  }

  private learnServerCertificate(certPem: string): void {
    if (this.serverCertificate() !== certPem) writeFileAtomic(join(this.deps.home, SERVER_BUNDLE_CERT_FILE), certPem, 0o644);
  }

  private ackContext(): AcknowledgementContext {
    return { repo: this.deps.repo, hub: this.deps.hub, sync: this.deps.sync, own: this.own, clock: this.clock };
  }

  /** Imports a file from the server: its acknowledgement (JSON text) or a bundle for this laptop (CMS, binary). */
  async importFile(
    bytes: Buffer,
    actor?: Actor,
    onProgress?: (done: number, total: number, detail?: string) => void,
  ): Promise<ImportResult> {
    if (bytes[0] !== 0x7b /* { */) return this.importBundle(bytes, onProgress);
    return isEnrolResponseFile(bytes) ? this.importEnrolResponse(bytes, actor ?? this.deviceActor()) : this.importAck(bytes);
  }

  private deviceActor(): Actor {
    return { kind: 'device', id: this.own, name: this.deps.deviceKey.name };
  }

  /** Writes an enrolment request file for a laptop with no network path to the server (enrol-by-file.ts). */
  enrolRequest(code: string, caFingerprint: string | null): { fileName: string; bytes: Buffer } {
    return writeEnrolRequest(this.enrolContext(), code, caFingerprint);
  }

  /** Imports the server's enrolment response and records the enrolment (enrol-by-file.ts). */
  importEnrolResponse(bytes: Buffer, actor: Actor): ImportResult {
    return importEnrolResponse(this.enrolContext(), bytes, actor);
  }

  private enrolContext(): EnrolByFileContext {
    return {
      ...this.deps,
      clock: this.clock,
      bundleCertificatePem: () => this.bundleKey().certPem,
      deviceCertificate: () => this.deviceCertificate(),
      acknowledgedSeq: () => this.acknowledgedSeq(),
      learnServerCertificate: (pem) => this.learnServerCertificate(pem),
    };
  }

  /** Imports a server's bundle: other devices' events, checked and stored as an online pull stores them. */
  async importBundle(bytes: Buffer, onProgress?: (done: number, total: number, detail?: string) => void): Promise<ImportResult> {
    const plant = this.plant();
    onProgress?.(0, 1, 'decrypting and checking the bundle');
    const bundle = await openBundle(bytes, [this.bundleKey()]);
    const m = bundle.manifest;
    if (m.plantCaFingerprint !== plant.caFingerprint) {
      throw new BaselineError(
        'bundle-other-plant',
        "This bundle comes from another plant's server.",
        'Import bundles from the server this laptop enrolled with; nothing was imported.',
      );
    }
    if (m.from.kind !== 'server' || !m.server) {
      throw new BaselineError(
        'bundle-wrong-direction',
        "This bundle was written by a laptop for the server; a laptop imports only the server's bundles.",
        'Take it to the server (`baseline server import`).',
      );
    }
    if (m.to.id !== this.own) {
      throw new BaselineError(
        'bundle-other-device',
        `This bundle was written for device ${m.to.id}, not this laptop (${this.own}).`,
        'Carry it to the laptop it names; nothing was imported.',
      );
    }
    const problem = serverBundleCertificateProblem(m.signerCertificatePem, [plant.caCertificatePem], this.clock());
    if (problem)
      throw new BaselineError(
        'bundle-signer-untrusted',
        `The bundle was not written by this plant's server: ${problem}.`,
        'Nothing was imported.',
        { member: 'manifest.sig' },
      );
    if (!verifyWithCertificate(m.signerCertificatePem, bundle.manifestText, bundle.signature)) {
      throw new BaselineError(
        'bundle-signature-invalid',
        "The bundle's manifest (member manifest.sig) does not match the server's signature: it was altered.",
        'Copy it again or ask for a new bundle; nothing was imported.',
        { member: 'manifest.sig' },
      );
    }
    const range = m.server;
    const cursor = Number(this.deps.repo.get('pull-cursor') ?? '0');
    if (range.after > cursor) {
      throw new BaselineError(
        'bundle-gap',
        `This bundle continues from the server's position ${range.after}, but this laptop has only received up to ${cursor}: a bundle in between is missing.`,
        'Ask the administrator for a new bundle for this laptop (`baseline server export --device ID --after ' +
          cursor +
          '`); nothing was imported.',
        { after: range.after, cursor },
      );
    }
    // The acknowledgement it carries must match this laptop's own events before anything of it is stored.
    const unknown = acknowledgedProblem(this.ackContext(), range.acknowledgedSeq, range.acknowledgedHash);
    if (unknown) throw unknown;
    const content = bundleJson(bundle, 'events.json', ServerEventsSchema);
    // Progress: each content file, then the events (stored in one transaction).
    const total = new Set(content.events.flatMap((e) => e.blobs)).size + content.events.length;
    let done = 0;
    for (const item of content.events) {
      for (const h of item.blobs) {
        onProgress?.(++done, total, 'content files');
        if (this.deps.blobs.has(h)) continue;
        const b = bundle.members.get(blobMember(h));
        if (!b)
          throw new BaselineError(
            'bundle-altered',
            `The bundle lacks member ${blobMember(h)}, which event seq ${item.event.seq} of ${item.event.device} references.`,
            'Ask for a new bundle; nothing was imported.',
            { member: blobMember(h) },
          );
        if (sha256(b) !== h)
          throw new BaselineError(
            'bundle-altered',
            `The bundle's member ${blobMember(h)} does not hash to its name.`,
            'Ask for a new bundle.',
            { member: blobMember(h) },
          );
        this.deps.blobs.put(b);
      }
    }
    // The plant CA's clock flags come with the events, as on online pull; one the plant CA did not sign refuses the bundle.
    this.deps.sync.recordClockFlags(content.clockFlags ?? [], plant.caCertificatePem);
    const keys = this.deps.sync.trustedDeviceKeys(content, plant.caCertificatePem);
    const newer = content.events.filter((e) => e.globalSeq > cursor);
    const outcome = this.deps.repo.storePulled(newer, Math.max(cursor, range.cursor), (ev, head) => {
      const key = keys.get(ev.device);
      if (!key)
        return [
          {
            device: ev.device,
            seq: ev.seq,
            kind: 'unknown-device',
            message: 'the server sent no valid plant-CA certificate for this device',
          },
        ];
      return arrivingRowProblems(ev, key, head);
    });
    onProgress?.(total, total, 'events checked and stored');
    const last = newer[newer.length - 1]?.event;
    if (outcome.stored > 0 && last)
      this.deps.hub.emit('journal.appended', { id: last.id, device: last.device, seq: last.seq, type: last.type });
    if (outcome.refusal)
      throw new BaselineError(outcome.refusal.code, outcome.refusal.message, outcome.refusal.hint, outcome.refusal.details);
    this.learnServerCertificate(m.signerCertificatePem);
    const acknowledged = recordAcknowledged(this.ackContext(), {
      seq: range.acknowledgedSeq,
      hash: range.acknowledgedHash,
      refusal: null,
      writtenAt: m.createdAt,
      bundleId: m.bundleId,
    }).acknowledgedSeq;
    if (outcome.stored === 0) {
      return {
        nothingChanged: true,
        stored: 0,
        acknowledgedSeq: acknowledged,
        message: `Nothing changed: this laptop already holds every event in this bundle (server position ${range.cursor}).`,
      };
    }
    return {
      nothingChanged: false,
      stored: outcome.stored,
      acknowledgedSeq: acknowledged,
      message: `Imported ${outcome.stored} events from other devices (server position ${range.cursor}).`,
    };
  }
}
