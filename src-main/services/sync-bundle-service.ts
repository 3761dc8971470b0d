/**
 * Sync by file for air-gapped plants, the laptop's side (ARCHITECTURE §8, another transport for the same events):
 *
 *  - export: every event of this laptop the server has not acknowledged (or all with `all`) and the content they
 *    reference, signed with the device key and encrypted to the server's bundle certificate;
 *  - import-ack: the server's signed acknowledgement moves the acknowledged seq exactly as a push answer does;
 *  - import: a server's bundle (other devices' events: approvals, baselines, policy, people, revocations) is
 *    checked and stored by the same code as an online pull (`trustedDeviceKeys`, `storePulled`, `arrivingRowProblems`);
 *  - evidence backup: with a folder set, an encrypted bundle of unsynced evidence is written there after every
 *    checkpoint signature and at the end of every change; a failure is shown and retried, never undoing the signature.
 *
 * The laptop's bundle key is an RSA key with a self-signed certificate (RSA because CMS key transport wraps the
 * content key with it; the Ed25519 device key cannot). Its authenticity comes from the device's signature over
 * the manifest that carries it. It is kept in sync-bundle-key.json (0600), its private key sealed by the same
 * protection as the device key (OS keychain under Electron, else the device-key passphrase when one is set), so a
 * copy of the file without that secret opens no bundle or backup.
 */
import { accessSync, constants, existsSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, isAbsolute, join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { BaselineError, toErrorData, type ErrorData } from '../../src-shared/common/errors.ts';
import type { WireEvent } from '../../src-shared/common/sync/sync-protocol.ts';
import { writeFileAtomic } from '../../src-shared/node/atomic-file.ts';
import { arrivingRowProblems } from '../../src-shared/node/chain-ingest.ts';
import { verifyWithCertificate } from '../../src-shared/node/pki.ts';
import { anyCertificateFingerprint, checkDeviceCertificate } from '../../src-shared/node/plant-certificates.ts';
import { SYNC_PROTOCOL, enrolmentStatement } from '../../src-shared/common/sync/sync-protocol.ts';
import { isEnrolResponseFile, readEnrolResponseFile, writeEnrolRequestFile } from '../../src-shared/node/sync-bundle/enrol-file.ts';
import type { Actor } from '../../src-shared/common/journal-event.ts';
import {
  DEVICE_BUNDLE_OU, ServerEventsSchema, blobMember, readAckFile, serverBundleCertificateProblem,
} from '../../src-shared/node/sync-bundle/bundle-content.ts';
import { BUNDLE_SUFFIX, bundleJson, createBundleKeyPair, openBundle, sealBundle, sha256, type BundleKeyPair } from '../../src-shared/node/sync-bundle/bundle-envelope.ts';
import type { BlobStore } from '../store/blob-store.ts';
import type { DeviceKey, KeyProtection } from '../store/device-key-store.ts';
import type { JournalRepository } from '../store/journal-repository.ts';
import type { SyncRepository } from '../store/sync-repository.ts';
import type { EventHub } from './event-hub.ts';
import type { IdentityService } from './identity-service.ts';
import type { EnrolmentFile, SyncService } from './sync-service.ts';

/** The laptop's bundle key file. */
export const BUNDLE_KEY_FILE = 'sync-bundle-key.json';
/** The server's bundle certificate, once known (from a server bundle, an acknowledgement, or given by hand). */
export const SERVER_BUNDLE_CERT_FILE = 'sync-bundle-server.pem';

const HEX64 = /"([0-9a-f]{64})"/g;
/** Retry period after a failed backup. */
const BACKUP_RETRY_MS = 60_000;

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
  backupRetryMs?: number;
}

/** Where evidence backup stands (shown in the sync status). */
export interface BackupStatus {
  folder: string | null;
  lastBackupAt: string | null;
  lastBackupFile: string | null;
  /** This laptop's events after the last backup and not acknowledged by the server. */
  notBackedUp: number;
  lastError: ErrorData | null;
  /** Whether a backup can be opened without this laptop (encrypted to the server's bundle certificate too). */
  openableByServer: boolean;
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

/** What an import did. */
export interface ImportResult {
  nothingChanged: boolean;
  message: string;
  stored?: number;
  acknowledgedSeq: number;
}

/** Laptop side of sync bundles and evidence backup. */
export class SyncBundleService {
  private readonly deps: SyncBundleDeps;
  private readonly clock: () => Date;
  private retry: NodeJS.Timeout | null = null;
  private backupRunning: Promise<void> | null = null;
  private backupAgain = false;
  private unsubscribe: (() => void) | null = null;
  private closed = false;
  /** How long after a failed backup it is tried again (ms). */
  backupRetryMs: number;

  constructor(deps: SyncBundleDeps) {
    this.deps = deps;
    this.backupRetryMs = deps.backupRetryMs ?? BACKUP_RETRY_MS;
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
      throw new BaselineError('sync-not-enrolled', 'This laptop is not enrolled with a central server, so there is no server to write a bundle for.',
        'Enrol it once (Sync > Enrol, with a one-time code); after that it can sync by file without a network.');
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
    if (problem) throw new BaselineError('server-bundle-cert-untrusted', `That is not this plant's server bundle certificate: ${problem}.`, 'Use the file `baseline server bundle-cert` prints on your plant\'s server.');
    writeFileAtomic(join(this.deps.home, SERVER_BUNDLE_CERT_FILE), certPem, 0o644);
  }

  private blobsOf(e: WireEvent): string[] {
    const out = new Set<string>();
    for (const m of e.payload.matchAll(HEX64)) if (this.deps.blobs.has(m[1]!)) out.add(m[1]!);
    return [...out];
  }

  private acknowledgedSeq(): number {
    return Number(this.deps.repo.get('acknowledged-seq') ?? '0');
  }

  /** Writes a bundle of this laptop's unacknowledged events (all with `all`) to `out`. */
  async exportBundle(out: string, options: { all?: boolean; backup?: boolean; onProgress?: (done: number, total: number, detail?: string) => void } = {}): Promise<ExportResult> {
    const r = await this.exportBytes(options);
    writeFileAtomic(out, r.bytes, 0o600);
    return { ...r, file: out, bytes: r.bytes.length };
  }

  /** The bundle's bytes and a file name for it (the screen's "Export bundle" saves them where the person chooses). */
  async exportBytes(options: { all?: boolean; backup?: boolean; onProgress?: (done: number, total: number, detail?: string) => void } = {}): Promise<Omit<ExportResult, 'bytes' | 'file'> & { bytes: Buffer; fileName: string }> {
    const plant = this.plant();
    const serverCert = this.serverCertificate();
    if (!serverCert && !options.backup) {
      throw new BaselineError('server-bundle-cert-missing', 'This laptop does not know the server\'s bundle certificate yet, so it cannot encrypt a bundle to the server.',
        'Get it once from the administrator (`baseline server bundle-cert --out server-bundle.pem`) and run `baseline sync export --to server-bundle.pem`, or import any bundle from the server.');
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
      members.push(['journal.json', Buffer.from(JSON.stringify({ others: this.deps.repo.foreignEventsInStoredOrder(this.own), ownOrder }))]);
    }
    const hashes = [...new Set(items.filter((i) => options.all || i.event.seq > acknowledged).flatMap((i) => i.blobs))];
    options.onProgress?.(0, hashes.length + 1, `${events.length} events; content files`);
    hashes.forEach((h, i) => {
      members.push([blobMember(h), this.deps.blobs.get(h)]);
      options.onProgress?.(i + 1, hashes.length + 1, 'content files, then signing and encrypting');
    });
    const head = this.deps.repo.head(this.own);
    const key = this.bundleKey();
    const { bytes } = await sealBundle({
      bundleId: randomUUID(), createdAt: this.clock().toISOString(), plantCaFingerprint: plant.caFingerprint,
      from: { kind: 'device', id: this.own }, to: { kind: 'server', id: plant.serverId }, signerCertificatePem: this.deviceCertificate() ?? '',
      device: {
        firstSeq: events[0]?.seq ?? 0, lastSeq: events[events.length - 1]?.seq ?? head.seq, head: { seq: head.seq, hash: head.seq === 0 ? null : head.hash },
        deviceTime: this.clock().toISOString(), pullCursor: Number(this.deps.repo.get('pull-cursor') ?? '0'), recipientCertificatePem: key.certPem, backup: options.backup ?? false,
      },
    }, members, (text) => this.deps.deviceKey.sign(text), serverCert ? [serverCert, key.certPem] : [key.certPem]);
    options.onProgress?.(hashes.length + 1, hashes.length + 1, 'written');
    const fileName = `baseline-${this.deps.deviceKey.name.replace(/[^A-Za-z0-9._-]+/g, '-')}-to-server-${String(head.seq).padStart(8, '0')}${BUNDLE_SUFFIX}`;
    return { fileName, bytes, events: events.length, blobs: hashes.length, firstSeq: events[0]?.seq ?? 0, lastSeq: events[events.length - 1]?.seq ?? 0 };
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
      throw new BaselineError('ack-other-plant', 'The acknowledgement comes from another plant\'s server.', 'Import acknowledgements from the server this laptop enrolled with; nothing was recorded.');
    }
    if (ack.deviceId !== this.own) {
      throw new BaselineError('ack-other-device', `The acknowledgement is for device ${ack.deviceId}, not this laptop (${this.own}).`, 'Carry it to the laptop it names; nothing was recorded.');
    }
    this.learnServerCertificate(signerCertificatePem);
    return this.recordAcknowledged(ack.acknowledgedSeq, ack.acknowledgedHash, ack.refusal);
  }

  private learnServerCertificate(certPem: string): void {
    if (this.serverCertificate() !== certPem) writeFileAtomic(join(this.deps.home, SERVER_BUNDLE_CERT_FILE), certPem, 0o644);
  }

  private recordAcknowledged(seq: number, hash: string | null, refusal: { code: string; message: string; hint: string } | null): ImportResult {
    const head = this.deps.repo.head(this.own);
    const mine = seq === 0 ? null : this.deps.repo.eventsAfter(this.own, seq - 1, 1)[0];
    if (seq > head.seq || (seq > 0 && mine?.hash !== hash)) {
      throw new BaselineError('ack-unknown-events', `The acknowledgement says the server holds this laptop's events up to seq ${seq}, but ${seq > head.seq ? `this laptop has only recorded up to ${head.seq}` : `its event ${seq} is a different one`}: these are events it never sent.`,
        'Nothing was recorded. Check that the acknowledgement belongs to this laptop\'s data directory (not one restored from another backup); tell the administrator.', { acknowledgedSeq: seq, head: head.seq });
    }
    const before = this.acknowledgedSeq();
    if (refusal) {
      if (seq > before) this.deps.repo.set('acknowledged-seq', String(seq));
      throw new BaselineError(refusal.code, `The server refused part of the bundle: ${refusal.message}`, refusal.hint, { acknowledgedSeq: seq });
    }
    if (seq <= before) return { nothingChanged: true, acknowledgedSeq: before, message: `Nothing changed: the server's acknowledgement (up to seq ${seq}) was already recorded (acknowledged up to ${before}).` };
    this.deps.repo.set('acknowledged-seq', String(seq));
    this.deps.repo.set('last-success', this.clock().toISOString());
    this.deps.hub.emit('sync.status', this.deps.sync.status());
    return { nothingChanged: false, acknowledgedSeq: seq, message: `The server holds this laptop's events up to seq ${seq}; ${this.deps.repo.countAfter(this.own, seq)} still wait to be sent.` };
  }

  /** Imports a file from the server: its acknowledgement (JSON text) or a bundle for this laptop (CMS, binary). */
  async importFile(bytes: Buffer, actor?: Actor, onProgress?: (done: number, total: number, detail?: string) => void): Promise<ImportResult> {
    if (bytes[0] !== 0x7b /* { */) return this.importBundle(bytes, onProgress);
    return isEnrolResponseFile(bytes) ? this.importEnrolResponse(bytes, actor ?? this.deviceActor()) : this.importAck(bytes);
  }

  private deviceActor(): Actor {
    return { kind: 'device', id: this.own, name: this.deps.deviceKey.name };
  }

  // ---- enrolment by file ----

  /**
   * Writes an enrolment request file for a laptop with no network path to the server: the request online
   * enrolment sends (the one-time code, this device's identity and key, proof it holds the key) and its bundle
   * certificate. `caFingerprint` is the plant CA fingerprint the administrator gave with the code; the response
   * is checked against it (or against a CA this laptop already trusts, when null).
   */
  enrolRequest(code: string, caFingerprint: string | null): { fileName: string; bytes: Buffer } {
    const trimmed = code.trim();
    if (trimmed.length < 4) throw new BaselineError('enrol-code-missing', 'Type the one-time enrolment code the administrator gave you.', 'The administrator prints it with `baseline server enrol-code`.');
    const fp = caFingerprint === null ? null : caFingerprint.trim().toLowerCase().replace(/[^0-9a-f]/g, '');
    if (fp !== null && fp.length !== 64) {
      throw new BaselineError('enrol-fingerprint-invalid', 'The plant CA fingerprint must be 64 hexadecimal digits (SHA-256).', 'Copy it exactly as `baseline server enrol-code` printed it.');
    }
    if (fp === null && this.deps.identity.trust().caPems.length === 0) {
      throw new BaselineError('enrol-fingerprint-missing', 'This laptop trusts no plant CA yet, so it needs the CA fingerprint to check the server\'s answer.', 'Type the fingerprint printed with the enrolment code.');
    }
    const key = this.deps.deviceKey;
    const request = {
      protocol: SYNC_PROTOCOL as typeof SYNC_PROTOCOL, code: trimmed, deviceId: key.deviceId, deviceName: key.name, publicKeyPem: key.publicKeyPem,
      proof: key.sign(enrolmentStatement({ code: trimmed, deviceId: key.deviceId, publicKeyPem: key.publicKeyPem })),
    };
    this.deps.repo.set('enrol-file-ca', fp ?? '');
    const bytes = writeEnrolRequestFile(request, this.bundleKey().certPem, (t) => key.sign(t), this.clock());
    return { fileName: `baseline-enrol-request-${key.name.replace(/[^A-Za-z0-9._-]+/g, '-')}.json`, bytes };
  }

  /** Imports the server's enrolment response: checks it as online enrolment checks the server's answer, then records the enrolment. */
  importEnrolResponse(bytes: Buffer, actor: Actor): ImportResult {
    const { body, signerCertificatePem } = readEnrolResponseFile(bytes);
    const own = this.own;
    if (body.deviceId !== own) {
      throw new BaselineError('enrol-response-other-device', `This enrolment response is for device ${body.deviceName} (${body.deviceId}), not this laptop (${this.deps.deviceKey.name}, ${own}).`,
        'Carry it to the laptop it names, and import this laptop\'s own response; nothing was recorded.');
    }
    const caPem = body.caCertificatePem;
    const fingerprint = anyCertificateFingerprint(caPem);
    const expected = this.deps.repo.get('enrol-file-ca') || null;
    const trusted = this.deps.identity.trust().caPems.some((p) => anyCertificateFingerprint(p) === fingerprint);
    if (fingerprint !== body.caFingerprint || (expected !== null ? expected !== fingerprint : !trusted)) {
      throw new BaselineError('server-ca-mismatch',
        expected === null
          ? `The response's plant CA (fingerprint ${fingerprint.slice(0, 16)}…) is not one this laptop trusts.`
          : `The response's plant CA has fingerprint ${fingerprint.slice(0, 16)}…, not the ${expected.slice(0, 16)}… given with the code: it may not come from your plant's server.`,
        'Check the fingerprint printed with the enrolment code and write the request again; nothing was recorded.', { fingerprint });
    }
    const signerProblem = serverBundleCertificateProblem(signerCertificatePem, [caPem], this.clock());
    if (signerProblem) throw new BaselineError('enrol-response-signer-untrusted', `The response was not signed by this plant's server: ${signerProblem}.`, 'Nothing was recorded; ask the administrator to import the request again.');
    const check = checkDeviceCertificate(body.deviceCertificatePem, { deviceId: own, publicKeyPem: this.deps.deviceKey.publicKeyPem }, [caPem], new Set(), this.clock());
    if (!check.ok) throw new BaselineError('device-certificate-invalid', `The server issued a device certificate this laptop cannot accept: ${check.reason}.`, 'Tell the administrator; this laptop was not enrolled.');
    const current = this.deps.sync.enrolmentCa();
    if (current && this.deviceCertificate() === body.deviceCertificatePem) {
      return { nothingChanged: true, acknowledgedSeq: this.acknowledgedSeq(), message: 'Nothing changed: this laptop already holds this enrolment.' };
    }
    if (!trusted) this.deps.identity.trustCa(caPem, null, actor);
    this.deps.journal.append('device.certified', {
      deviceId: own, certificatePem: body.deviceCertificatePem, certificateFingerprint: check.facts.fingerprint, caFingerprint: fingerprint, server: 'by file',
    }, actor);
    const file: EnrolmentFile = {
      format: 'baseline.sync-enrolment/1', serverUrl: null, serverId: body.serverId, caCertificatePem: caPem, caFingerprint: fingerprint,
      deviceCertificatePem: body.deviceCertificatePem, token: null, enrolledAt: this.clock().toISOString(),
    };
    this.deps.sync.adoptEnrolment(file);
    this.learnServerCertificate(signerCertificatePem);
    this.deps.repo.set('enrol-file-ca', '');
    return { nothingChanged: false, acknowledgedSeq: this.acknowledgedSeq(), message: `Enrolled by file with the plant's server (CA ${fingerprint.slice(0, 16)}…): this laptop now syncs by bundles.` };
  }

  /** Imports a server's bundle: other devices' events, checked and stored as an online pull stores them. */
  async importBundle(bytes: Buffer, onProgress?: (done: number, total: number, detail?: string) => void): Promise<ImportResult> {
    const plant = this.plant();
    onProgress?.(0, 1, 'decrypting and checking the bundle');
    const bundle = await openBundle(bytes, [this.bundleKey()]);
    const m = bundle.manifest;
    if (m.plantCaFingerprint !== plant.caFingerprint) {
      throw new BaselineError('bundle-other-plant', 'This bundle comes from another plant\'s server.', 'Import bundles from the server this laptop enrolled with; nothing was imported.');
    }
    if (m.from.kind !== 'server' || !m.server) {
      throw new BaselineError('bundle-wrong-direction', 'This bundle was written by a laptop for the server; a laptop imports only the server\'s bundles.', 'Take it to the server (`baseline server import`).');
    }
    if (m.to.id !== this.own) {
      throw new BaselineError('bundle-other-device', `This bundle was written for device ${m.to.id}, not this laptop (${this.own}).`, 'Carry it to the laptop it names; nothing was imported.');
    }
    const problem = serverBundleCertificateProblem(m.signerCertificatePem, [plant.caCertificatePem], this.clock());
    if (problem) throw new BaselineError('bundle-signer-untrusted', `The bundle was not written by this plant's server: ${problem}.`, 'Nothing was imported.', { member: 'manifest.sig' });
    if (!verifyWithCertificate(m.signerCertificatePem, bundle.manifestText, bundle.signature)) {
      throw new BaselineError('bundle-signature-invalid', 'The bundle\'s manifest (member manifest.sig) does not match the server\'s signature: it was altered.', 'Copy it again or ask for a new bundle; nothing was imported.', { member: 'manifest.sig' });
    }
    const range = m.server;
    const cursor = Number(this.deps.repo.get('pull-cursor') ?? '0');
    if (range.after > cursor) {
      throw new BaselineError('bundle-gap', `This bundle continues from the server's position ${range.after}, but this laptop has only received up to ${cursor}: a bundle in between is missing.`,
        'Ask the administrator for a new bundle for this laptop (`baseline server export --device ID --after ' + cursor + '`); nothing was imported.', { after: range.after, cursor });
    }
    const content = bundleJson(bundle, 'events.json', ServerEventsSchema);
    // Progress: each content file, then the events (stored in one transaction).
    const total = new Set(content.events.flatMap((e) => e.blobs)).size + content.events.length;
    let done = 0;
    for (const item of content.events) {
      for (const h of item.blobs) {
        onProgress?.(++done, total, 'content files');
        if (this.deps.blobs.has(h)) continue;
        const b = bundle.members.get(blobMember(h));
        if (!b) throw new BaselineError('bundle-altered', `The bundle lacks member ${blobMember(h)}, which event seq ${item.event.seq} of ${item.event.device} references.`, 'Ask for a new bundle; nothing was imported.', { member: blobMember(h) });
        if (sha256(b) !== h) throw new BaselineError('bundle-altered', `The bundle's member ${blobMember(h)} does not hash to its name.`, 'Ask for a new bundle.', { member: blobMember(h) });
        this.deps.blobs.put(b);
      }
    }
    const keys = this.deps.sync.trustedDeviceKeys(content, plant.caCertificatePem);
    const newer = content.events.filter((e) => e.globalSeq > cursor);
    const outcome = this.deps.repo.storePulled(newer, Math.max(cursor, range.cursor), (ev, head) => {
      const key = keys.get(ev.device);
      if (!key) return [{ device: ev.device, seq: ev.seq, kind: 'unknown-device', message: 'the server sent no valid plant-CA certificate for this device' }];
      return arrivingRowProblems(ev, key, head);
    });
    onProgress?.(total, total, 'events checked and stored');
    const last = newer[newer.length - 1]?.event;
    if (outcome.stored > 0 && last) this.deps.hub.emit('journal.appended', { id: last.id, device: last.device, seq: last.seq, type: last.type });
    if (outcome.refusal) throw new BaselineError(outcome.refusal.code, outcome.refusal.message, outcome.refusal.hint, outcome.refusal.details);
    this.learnServerCertificate(m.signerCertificatePem);
    const acknowledged = this.recordAcknowledged(range.acknowledgedSeq, range.acknowledgedHash, null).acknowledgedSeq;
    if (outcome.stored === 0) {
      return { nothingChanged: true, stored: 0, acknowledgedSeq: acknowledged, message: `Nothing changed: this laptop already holds every event in this bundle (server position ${range.cursor}).` };
    }
    return { nothingChanged: false, stored: outcome.stored, acknowledgedSeq: acknowledged, message: `Imported ${outcome.stored} events from other devices (server position ${range.cursor}).` };
  }

  // ---- evidence backup ----

  /** The backup folder setting (null: off). */
  backupFolder(): string | null {
    return this.deps.repo.get('backup-folder') || null;
  }

  /** Sets (or clears, with null) the folder evidence backups are written to. */
  setBackupFolder(folder: string | null): BackupStatus {
    if (folder !== null) backupFolderProblem(folder);
    this.deps.repo.set('backup-folder', folder ?? '');
    return this.backupStatus();
  }

  /** Where evidence backup stands. */
  backupStatus(): BackupStatus {
    const backedUp = Math.max(Number(this.deps.repo.get('backup-seq') ?? '0'), this.acknowledgedSeq());
    const lastError = this.deps.repo.get('backup-error');
    return {
      folder: this.backupFolder(), lastBackupAt: this.deps.repo.get('backup-at'), lastBackupFile: this.deps.repo.get('backup-file'),
      notBackedUp: this.deps.repo.countAfter(this.own, backedUp), lastError: lastError ? JSON.parse(lastError) as ErrorData : null,
      openableByServer: this.serverCertificate() !== null,
    };
  }

  /** Starts writing backups after checkpoint signatures and at the end of changes. */
  start(): void {
    this.unsubscribe ??= this.deps.journal.onAppended((e) => {
      if (e.type !== 'change.updated') return;
      const op = (e.payload as { operation?: unknown }).operation;
      if (op === 'checkpoint' || op === 'close' || op === 'rollback') void this.backupSoon();
    });
  }

  /** Stops; waits for a backup in progress. */
  async stop(): Promise<void> {
    this.closed = true;
    this.unsubscribe?.();
    this.unsubscribe = null;
    if (this.retry) clearTimeout(this.retry);
    this.retry = null;
    await this.backupRunning?.catch(() => undefined);
  }

  /** Writes a backup now (after the signature that triggered it is already stored); resolves when written or failed. */
  backupSoon(): Promise<void> {
    if (this.closed || !this.backupFolder()) return Promise.resolve();
    if (this.backupRunning) {
      this.backupAgain = true;
      return this.backupRunning;
    }
    this.backupRunning = (async () => {
      do {
        this.backupAgain = false;
        await this.backupOnce().catch(() => undefined); // the store closed under it: nothing to record
      } while (this.backupAgain && !this.closed);
    })().finally(() => {
      this.backupRunning = null;
    });
    return this.backupRunning;
  }

  private async backupOnce(): Promise<void> {
    const folder = this.backupFolder();
    if (!folder) return;
    const head = this.deps.repo.head(this.own);
    const at = this.clock();
    const file = join(folder, `baseline-backup-${this.own}-${String(head.seq).padStart(8, '0')}-${at.toISOString().replace(/[:.]/g, '-')}${BUNDLE_SUFFIX}`);
    try {
      if (!existsSync(folder)) throw new BaselineError('backup-folder-missing', `The backup folder ${folder} is not there (is the removable drive plugged in?).`, 'Plug in the drive or choose another folder under Sync > Evidence backup; Baseline retries every minute.');
      await this.exportBundle(file, { backup: true });
      this.deps.repo.set('backup-seq', String(head.seq));
      this.deps.repo.set('backup-at', at.toISOString());
      this.deps.repo.set('backup-file', file);
      this.deps.repo.set('backup-error', '');
      if (this.retry) clearTimeout(this.retry);
      this.retry = null;
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      const data: ErrorData = e.code === 'ENOSPC' ? { code: 'backup-target-full', message: `The backup drive (${folder}) is full: the evidence backup was not written.`, hint: 'Free space or plug in another drive; the signature stands and Baseline retries every minute.' }
        : e.code === 'EACCES' || e.code === 'EROFS' || e.code === 'EPERM' || e.code === 'ENOTDIR' || e.code === 'EISDIR' ? { code: 'backup-target-read-only', message: `The backup folder ${folder} cannot be written (${e.code}, read-only or no permission): the evidence backup was not written.`, hint: 'Unlock the drive (write-protect switch) or choose another folder; the signature stands and Baseline retries every minute.' }
          : toErrorData(err);
      this.deps.repo.set('backup-error', JSON.stringify({ code: data.code, message: data.message, hint: data.hint }));
      if (!this.closed && !this.retry) {
        this.retry = setTimeout(() => {
          this.retry = null;
          void this.backupSoon();
        }, this.backupRetryMs);
        this.retry.unref();
      }
    }
    if (!this.closed) this.deps.hub.emit('sync.status', this.deps.sync.status());
  }
}

/** The bundle key file: the certificate, and the private key sealed as the device key is. */
interface BundleKeyFile {
  format: 'baseline.bundle-key/2';
  certPem: string;
  protection: KeyProtection['kind'];
  sealedKey: string;
}

function writeBundleKeyFile(path: string, pair: BundleKeyPair, protection: KeyProtection): void {
  const file: BundleKeyFile = { format: 'baseline.bundle-key/2', certPem: pair.certPem, protection: protection.kind, sealedKey: protection.seal(pair.keyPem) };
  writeFileAtomic(path, JSON.stringify(file, null, 1) + '\n', 0o600);
}

/**
 * Reads a laptop's bundle key file (its own, or a copy given to `baseline restore --bundle-key`), unsealing the
 * private key with `protection`; without the secret that sealed it the key cannot be used.
 */
export function readBundleKeyFile(path: string, protection: KeyProtection): BundleKeyPair {
  let file: Partial<Omit<BundleKeyFile, 'format'>> & { format?: string; keyPem?: unknown };
  try {
    file = JSON.parse(readFileSync(path, 'utf8')) as typeof file;
  } catch {
    throw new BaselineError('bundle-key-unreadable', `The bundle key file ${path} is not readable JSON.`, `Use the ${BUNDLE_KEY_FILE} from the laptop's data directory.`);
  }
  if (file.format === 'baseline.bundle-key/1' && typeof file.keyPem === 'string' && typeof file.certPem === 'string') return { certPem: file.certPem, keyPem: file.keyPem };
  if (file.format !== 'baseline.bundle-key/2' || typeof file.certPem !== 'string' || typeof file.sealedKey !== 'string') {
    throw new BaselineError('bundle-key-unreadable', `The bundle key file ${path} has an unknown format (${String(file.format)}).`, `Use the ${BUNDLE_KEY_FILE} from the laptop's data directory.`);
  }
  if (file.protection !== protection.kind) {
    throw new BaselineError('bundle-key-protection-mismatch',
      `The bundle key in ${path} is sealed by "${file.protection}", but this program offers "${protection.kind}": it cannot be used without the secret that sealed it.`,
      file.protection === 'os-keychain'
        ? 'Open it with the Baseline desktop app on the computer that created it, or restore with the server\'s bundle key (--key/--cert).'
        : file.protection === 'passphrase'
          ? 'Set BASELINE_DEVICE_KEY_PASSPHRASE to the laptop\'s device-key passphrase.'
          : 'Open it with the same kind of Baseline program that created it.');
  }
  let keyPem: string;
  try {
    keyPem = protection.open(file.sealedKey);
  } catch (err) {
    if (err instanceof BaselineError && err.code === 'device-key-locked') {
      throw new BaselineError('bundle-key-locked', `The bundle key in ${path} could not be unlocked with the given passphrase.`, 'Set BASELINE_DEVICE_KEY_PASSPHRASE to the passphrase of the laptop that wrote it.');
    }
    throw err;
  }
  return { certPem: file.certPem, keyPem };
}

/** Refuses a backup folder that is not an absolute path to an existing folder this program can write to. */
function backupFolderProblem(folder: string): void {
  if (!isAbsolute(folder)) {
    throw new BaselineError('backup-folder-not-absolute', `"${folder}" is not a full path to a folder.`, 'Type the whole path, e.g. /media/usb-backup or E:\\baseline-backup.');
  }
  let isDir: boolean;
  try {
    isDir = statSync(folder).isDirectory();
  } catch {
    throw new BaselineError('backup-folder-missing', `There is no folder ${folder}.`, 'Plug in the drive, or create the folder first, then choose it again. The setting was not changed.');
  }
  if (!isDir) throw new BaselineError('backup-folder-not-folder', `${folder} is a file, not a folder.`, 'Choose the folder on the removable drive. The setting was not changed.');
  try {
    accessSync(folder, constants.W_OK);
    const probe = join(folder, `.baseline-write-test-${process.pid}`);
    writeFileSync(probe, '');
    rmSync(probe, { force: true });
  } catch (err) {
    throw new BaselineError('backup-folder-read-only', `Baseline cannot write to ${folder} (${(err as NodeJS.ErrnoException).code ?? 'no permission'}): the drive is write-protected or the folder is not yours.`,
      'Unlock the drive (write-protect switch) or choose another folder. The setting was not changed.');
  }
}

/** Backup files in a folder, oldest first (by their names: device, seq, time). */
export function backupFilesIn(folder: string): string[] {
  return readdirSync(folder).filter((f) => f.startsWith('baseline-backup-') && f.endsWith(BUNDLE_SUFFIX)).sort().map((f) => join(folder, f));
}

/** Whether a name looks like a bundle file (for messages). */
export function isBundleName(path: string): boolean {
  return basename(path).endsWith(BUNDLE_SUFFIX);
}
