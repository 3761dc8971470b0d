/**
 * Sync with the central server (ARCHITECTURE §8), the laptop side: enrolment with a one-time code, then push of
 * this laptop's events after the server's acknowledged seq (content first, then the events that reference it),
 * and pull of other devices' events in the server's global order, each checked before it is stored.
 *
 * Runs in the background whenever the server is reachable (a timer, and shortly after each new event), and
 * on "Sync now". The status says in plain words whether the server is reachable, how many events wait, when
 * the last sync succeeded and what went wrong last.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SyncStatus } from '../../src-shared/common/api/contract.ts';
import { BaselineError, toErrorData, type ErrorData } from '../../src-shared/common/errors.ts';
import type { Actor } from '../../src-shared/common/journal-event.ts';
import { findJournalConflicts, openConflicts } from '../../src-shared/common/sync/journal-conflicts.ts';
import { revokedDeviceProblems, revokedSignerProblems, statementMatches, type CentralRevocation } from '../../src-shared/common/sync/central-revocation.ts';
import { verifyWithCertificate } from '../../src-shared/node/pki.ts';
import {
  EnrolResponseSchema, MAX_BATCH_EVENTS, MissingBlobsResponseSchema, PullResponseSchema, PushResponseSchema, SYNC_PROTOCOL, SyncStateSchema,
  enrolmentStatement, type PullResponse, type WireEvent,
} from '../../src-shared/common/sync/sync-protocol.ts';
import { writeFileAtomic } from '../../src-shared/node/atomic-file.ts';
import { arrivingRowProblems } from '../../src-shared/node/chain-ingest.ts';
import { publicKeyFromPem } from '../../src-shared/node/ed25519.ts';
import { anyCertificateFingerprint, checkDeviceCertificate } from '../../src-shared/node/plant-certificates.ts';
import type { BlobStore } from '../store/blob-store.ts';
import type { DeviceKey } from '../store/device-key-store.ts';
import type { JournalRepository } from '../store/journal-repository.ts';
import type { SyncRepository } from '../store/sync-repository.ts';
import type { EventHub } from './event-hub.ts';
import type { IdentityService } from './identity-service.ts';
import { uploadBlob } from './blob-upload-client.ts';
import { SyncHttpClient } from './sync-http-client.ts';

/** File of the enrolment in the data directory (holds the access token: readable only by its owner). */
export const ENROLMENT_FILE = 'sync-enrolment.json';

/** What enrolment left on this laptop. */
export interface EnrolmentFile {
  format: 'baseline.sync-enrolment/1';
  /** null when enrolled by file (no network path to the server): sync only by bundles. */
  serverUrl: string | null;
  serverId: string;
  caCertificatePem: string;
  caFingerprint: string;
  deviceCertificatePem: string;
  /** null when enrolled by file: the response carries no access token. */
  token: string | null;
  enrolledAt: string;
}

/** What the sync service needs. */
export interface SyncDeps {
  home: string;
  journal: JournalRepository;
  repo: SyncRepository;
  blobs: BlobStore;
  hub: EventHub;
  deviceKey: DeviceKey;
  identity: IdentityService;
  clock?: () => Date;
  /** Background sync period (ms); default 60 s. */
  intervalMs?: number;
  /** Delay after a new event before a background sync (ms); default 3 s. */
  afterEventMs?: number;
  timeoutMs?: number;
  /** Pull only, never push this device's own events (the central view's read-only replica). */
  pullOnly?: boolean;
}

const HEX64 = /"([0-9a-f]{64})"/g;

/** Syncs this laptop's journal with the central server. */
export class SyncService {
  private readonly deps: SyncDeps;
  private readonly clock: () => Date;
  private enrolment: EnrolmentFile | null;
  private client: SyncHttpClient | null = null;
  private running: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private soon: NodeJS.Timeout | null = null;
  private unsubscribe: (() => void) | null = null;
  private lastAttemptAt: string | null = null;
  private lastSuccessAt: string | null = null;
  private lastError: ErrorData | null = null;
  private reachable = false;
  private progress: { sent: number; total: number } | null = null;
  private closed = false;

  constructor(deps: SyncDeps) {
    this.deps = deps;
    this.clock = deps.clock ?? (() => new Date());
    this.enrolment = this.readEnrolment();
    this.lastSuccessAt = deps.repo.get('last-success');
  }

  private get file(): string {
    return join(this.deps.home, ENROLMENT_FILE);
  }

  private readEnrolment(): EnrolmentFile | null {
    if (!existsSync(this.file)) return null;
    try {
      const f = JSON.parse(readFileSync(this.file, 'utf8')) as EnrolmentFile;
      return f.format === 'baseline.sync-enrolment/1' ? f : null;
    } catch {
      return null;
    }
  }

  private http(): SyncHttpClient {
    const e = this.enrolment;
    if (!e) throw new BaselineError('sync-not-enrolled', 'This laptop is not enrolled with a central server.', 'Enrol it with the server address and a one-time code from the administrator.');
    if (e.serverUrl === null || e.token === null) {
      throw new BaselineError('sync-by-file-only', 'This laptop was enrolled by file and has no network path to the server: it syncs by bundles only.',
        'Use "Export bundle" and "Import from server" (or `baseline sync export` / `import`). To sync over the network, enrol it online with a new code.');
    }
    this.client ??= new SyncHttpClient(e.serverUrl, e.caCertificatePem, e.token, this.deps.timeoutMs);
    return this.client;
  }

  /** Starts background sync (a timer, and a sync shortly after each new event). */
  start(): void {
    const interval = this.deps.intervalMs ?? 60_000;
    if (this.timer) return;
    this.timer = setInterval(() => void this.syncInBackground(), interval);
    this.timer.unref();
    this.unsubscribe = this.deps.journal.onAppended(() => {
      if (!this.enrolment?.serverUrl || this.soon || this.closed) return;
      this.soon = setTimeout(() => {
        this.soon = null;
        void this.syncInBackground();
      }, this.deps.afterEventMs ?? 3_000);
      this.soon.unref();
    });
    void this.syncInBackground();
  }

  /** Stops background sync and waits for a sync in progress to finish. */
  async stop(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    if (this.soon) clearTimeout(this.soon);
    this.timer = null;
    this.soon = null;
    this.unsubscribe?.();
    this.unsubscribe = null;
    if (this.running) await this.running.catch(() => undefined);
    this.client?.close();
    this.client = null;
  }

  private async syncInBackground(): Promise<void> {
    if (!this.enrolment || this.enrolment.serverUrl === null || this.closed) return;
    await this.syncNow().catch(() => undefined);
  }

  /** Request bytes sent to the server since this laptop's client was created (for benchmarks). */
  bytesSent(): number {
    return this.client?.bytesSent ?? 0;
  }

  /** Where sync stands now. */
  status(): SyncStatus {
    const e = this.enrolment;
    const acknowledgedSeq = Number(this.deps.repo.get('acknowledged-seq') ?? '0');
    const conflicts = openConflicts(findJournalConflicts(this.deps.repo.conflictEvents())).map(({ id, kind, changeId, title, message, hint }) => ({ id, kind, changeId, title, message, hint }));
    let state: SyncStatus['state'];
    if (!e) state = 'not-enrolled';
    else if (this.running) state = 'syncing';
    else if (this.lastError && this.lastError.code === 'server-unreachable') state = 'offline';
    else if (this.lastError) state = 'refused';
    else state = this.reachable || this.lastSuccessAt ? 'idle' : 'offline';
    return {
      state, server: e?.serverUrl ?? null,
      waiting: this.deps.pullOnly ? 0 : this.deps.repo.countAfter(this.deps.deviceKey.deviceId, acknowledgedSeq),
      acknowledgedSeq, lastAttemptAt: this.lastAttemptAt, lastSuccessAt: this.lastSuccessAt,
      lastError: this.lastError ? { code: this.lastError.code, message: this.lastError.message, hint: this.lastError.hint } : null,
      progress: this.progress, conflicts,
      clockOffsetMs: this.deps.repo.get('clock-offset-ms') === null ? null : Number(this.deps.repo.get('clock-offset-ms')),
    };
  }

  private emit(): void {
    if (this.closed) return; // the store may already be closed
    this.deps.hub.emit('sync.status', this.status());
  }

  /**
   * Enrols this laptop with a server: fetches the plant CA and checks it against the fingerprint the
   * administrator gave (or a CA this laptop already trusts), sends the one-time code with proof of the device
   * key, and records the device certificate in the journal.
   */
  async enrol(serverUrl: string, code: string, caFingerprint: string | null, actor: Actor): Promise<SyncStatus> {
    const probe = new SyncHttpClient(serverUrl, null, null, this.deps.timeoutMs);
    let caPem: string;
    try {
      const ca = (await probe.call('GET', '/ca')) as { caCertificatePem?: unknown };
      if (typeof ca?.caCertificatePem !== 'string') throw new BaselineError('server-answer-unreadable', `${serverUrl} did not send a plant CA certificate.`, 'Check that the address points to a Baseline server.');
      caPem = ca.caCertificatePem;
    } finally {
      probe.close();
    }
    const fingerprint = anyCertificateFingerprint(caPem);
    const trusted = this.deps.identity.trust().caPems.some((p) => anyCertificateFingerprint(p) === fingerprint);
    if (caFingerprint === null ? !trusted : caFingerprint !== fingerprint) {
      throw new BaselineError('server-ca-mismatch',
        caFingerprint === null
          ? `The server's plant CA (fingerprint ${fingerprint.slice(0, 16)}…) is not one this laptop trusts, and no fingerprint was given to check it.`
          : `The server's plant CA has fingerprint ${fingerprint.slice(0, 16)}…, not the ${caFingerprint.slice(0, 16)}… you were given: this may not be your plant's server.`,
        'Check the server address and the fingerprint printed with the enrolment code. Nothing was sent to the server.', { fingerprint });
    }
    const key = this.deps.deviceKey;
    const client = new SyncHttpClient(serverUrl, caPem, null, this.deps.timeoutMs);
    let response;
    try {
      const body = { protocol: SYNC_PROTOCOL, code, deviceId: key.deviceId, deviceName: key.name, publicKeyPem: key.publicKeyPem, proof: key.sign(enrolmentStatement({ code, deviceId: key.deviceId, publicKeyPem: key.publicKeyPem })) };
      response = EnrolResponseSchema.parse(await client.call('POST', '/enrol', body));
    } finally {
      client.close();
    }
    const check = checkDeviceCertificate(response.deviceCertificatePem, { deviceId: key.deviceId, publicKeyPem: key.publicKeyPem }, [caPem], new Set(), this.clock());
    if (!check.ok) throw new BaselineError('device-certificate-invalid', `The server issued a device certificate this laptop cannot accept: ${check.reason}.`, 'Tell the administrator; this laptop was not enrolled.');
    const file: EnrolmentFile = {
      format: 'baseline.sync-enrolment/1', serverUrl: new URL(serverUrl).origin, serverId: response.serverId, caCertificatePem: caPem, caFingerprint: fingerprint,
      deviceCertificatePem: response.deviceCertificatePem, token: response.token, enrolledAt: this.clock().toISOString(),
    };
    if (!trusted) this.deps.identity.trustCa(caPem, null, actor);
    this.deps.journal.append('device.certified', {
      deviceId: key.deviceId, certificatePem: response.deviceCertificatePem, certificateFingerprint: check.facts.fingerprint, caFingerprint: fingerprint, server: new URL(serverUrl).origin,
    }, actor);
    writeFileAtomic(this.file, JSON.stringify(file, null, 2) + '\n', 0o600);
    this.enrolment = file;
    this.client?.close();
    this.client = null;
    this.lastError = null;
    this.emit();
    return this.status();
  }

  /** Records an enrolment made by file (the bundle service checked the server's response); from now on this laptop syncs by bundles. */
  adoptEnrolment(file: EnrolmentFile): void {
    writeFileAtomic(this.file, JSON.stringify(file, null, 2) + '\n', 0o600);
    this.enrolment = file;
    this.client?.close();
    this.client = null;
    this.lastError = null;
    this.emit();
  }

  /** Syncs now (or joins the sync already running); the status says how it went. Never throws for a sync failure. */
  syncNow(): Promise<SyncStatus> {
    if (!this.enrolment) {
      return Promise.reject(new BaselineError('sync-not-enrolled', 'This laptop is not enrolled with a central server.', 'Enrol it with the server address and a one-time code from the administrator.'));
    }
    this.running ??= this.runSync().finally(() => {
      this.running = null;
      this.progress = null;
      this.emit();
    });
    return this.running.then(() => this.status());
  }

  private async runSync(): Promise<void> {
    this.lastAttemptAt = this.clock().toISOString();
    this.emit();
    try {
      // A refused push still pulls: the refusal may come from a revocation this laptop has not received yet.
      // A pull-only replica (the central view) never pushes.
      const pushed = this.deps.pullOnly ? null : await this.push().then(() => null, (err: unknown) => {
        if (toErrorData(err).code === 'server-unreachable' || toErrorData(err).code === 'device-revoked') throw err;
        return err;
      });
      await this.pull();
      if (pushed !== null) throw pushed;
      this.reachable = true;
      this.lastError = null;
      this.lastSuccessAt = this.clock().toISOString();
      this.deps.repo.set('last-success', this.lastSuccessAt);
    } catch (err) {
      const data = toErrorData(err);
      this.lastError = data;
      this.reachable = data.code !== 'server-unreachable';
    }
  }

  /** Blobs an event references: every SHA-256 in its payload that names content this laptop holds. */
  private blobsOf(e: WireEvent): string[] {
    const out = new Set<string>();
    for (const m of e.payload.matchAll(HEX64)) if (this.deps.blobs.has(m[1]!)) out.add(m[1]!);
    return [...out];
  }

  private async push(): Promise<void> {
    const http = this.http();
    const own = this.deps.deviceKey.deviceId;
    const state = SyncStateSchema.parse(await http.call('GET', '/sync/state'));
    let acked = state.acknowledgedSeq;
    this.deps.repo.set('acknowledged-seq', String(acked));
    const total = this.deps.repo.countAfter(own, acked);
    let sent = 0;
    this.progress = { sent, total };
    this.emit();
    for (let first = true; ; first = false) {
      const events = this.deps.repo.eventsAfter(own, acked, MAX_BATCH_EVENTS);
      if (events.length === 0 && !first) return;
      const items = events.map((event) => ({ event, blobs: this.blobsOf(event) }));
      const hashes = [...new Set(items.flatMap((i) => i.blobs))];
      if (hashes.length > 0) {
        const { missing } = MissingBlobsResponseSchema.parse(await http.call('POST', '/blobs/missing', { hashes }));
        for (const h of missing) await uploadBlob(http, h, this.deps.blobs.get(h));
      }
      const head = this.deps.repo.head(own);
      const res = await http.send('POST', '/sync/push', {
        protocol: SYNC_PROTOCOL, deviceTime: this.clock().toISOString(), head: { seq: head.seq, hash: head.seq === 0 ? null : head.hash }, events: items,
      });
      if (res.status < 200 || res.status >= 300) {
        const ack = (res.json as { acknowledgedSeq?: unknown } | null)?.acknowledgedSeq;
        if (typeof ack === 'number') this.deps.repo.set('acknowledged-seq', String(ack));
        throw http.refusal(res);
      }
      const ok = PushResponseSchema.parse(res.json);
      sent += ok.accepted + ok.duplicates;
      acked = ok.acknowledgedSeq;
      this.deps.repo.set('acknowledged-seq', String(acked));
      this.deps.repo.set('clock-offset-ms', String(ok.clockOffsetMs));
      this.progress = { sent: Math.min(sent, total), total };
      this.emit();
      if (events.length === 0) return;
    }
  }

  private async pull(): Promise<void> {
    const http = this.http();
    const e = this.enrolment!;
    for (;;) {
      const after = Number(this.deps.repo.get('pull-cursor') ?? '0');
      const page: PullResponse = PullResponseSchema.parse(await http.call('GET', `/sync/pull?after=${after}&limit=${MAX_BATCH_EVENTS}`));
      const revocations = this.recordRevocations(page.revocations, e.caCertificatePem);
      const keys = this.trustedDeviceKeys(page, e.caCertificatePem);
      for (const item of page.events) {
        for (const h of item.blobs) {
          if (this.deps.blobs.has(h)) continue;
          const res = await http.send('GET', `/blobs/${h}`);
          if (res.status !== 200) throw http.refusal(res);
          const got = this.deps.blobs.put(res.bytes);
          if (got !== h) throw new BaselineError('pulled-blob-mismatch', `The server sent content for ${h.slice(0, 12)}… whose bytes hash to ${got.slice(0, 12)}….`, 'Tell the administrator: the server\'s copy is damaged. The bytes were kept aside under their own hash, never under the claimed one.');
        }
      }
      const outcome = this.deps.repo.storePulled(page.events, page.cursor, (ev, head) => {
        const key = keys.get(ev.device);
        if (!key) return [{ device: ev.device, seq: ev.seq, kind: 'unknown-device', message: 'the server sent no valid plant-CA certificate for this device' }];
        const problems = arrivingRowProblems(ev, key, head);
        return problems.length > 0 ? problems : [...revokedDeviceProblems(ev, revocations), ...revokedSignerProblems(ev, revocations)];
      });
      const last = page.events[page.events.length - 1]?.event;
      if (outcome.stored > 0 && last) this.deps.hub.emit('journal.appended', { id: last.id, device: last.device, seq: last.seq, type: last.type });
      if (outcome.refusal) throw new BaselineError(outcome.refusal.code, outcome.refusal.message, outcome.refusal.hint, outcome.refusal.details);
      if (!page.more) return;
    }
  }

  /** The plant CA this laptop enrolled with (sync bundles are checked against it), or null when not enrolled. */
  enrolmentCa(): { caCertificatePem: string; caFingerprint: string; serverId: string } | null {
    const e = this.enrolment;
    return e ? { caCertificatePem: e.caCertificatePem, caFingerprint: e.caFingerprint, serverId: e.serverId } : null;
  }

  /**
   * Records the central revocations this laptop lacks, each checked first: the statement must say what its fields
   * say and carry the plant CA's signature. A person's revocation also revokes their certificate here. Returns every
   * revocation now on record.
   */
  private recordRevocations(received: readonly CentralRevocation[], caPem: string): CentralRevocation[] {
    const held = this.deps.repo.syncedRevocations();
    const actor: Actor = { kind: 'device', id: this.deps.deviceKey.deviceId, name: this.deps.deviceKey.name };
    for (const r of received) {
      if (held.some((h) => h.id === r.id)) continue;
      if (!statementMatches(r) || !verifyWithCertificate(caPem, r.statement, r.signature)) {
        throw new BaselineError('revocation-signature-invalid', `The server sent a revocation of ${r.kind} ${r.subject.slice(0, 16)} that the plant CA did not sign.`,
          'Nothing from it was recorded. Tell the administrator: the server\'s copy is damaged or forged.');
      }
      this.deps.journal.append('revocation.synced', { ...r }, actor);
      if (r.kind === 'person' && !this.deps.identity.trust().revokedFingerprints.has(r.subject)) {
        this.deps.journal.append('certificate.revoked', { fingerprint: r.subject, reason: `revoked centrally at ${r.revokedAt}: ${r.reason}` }, actor);
      }
      held.push(r);
    }
    return held;
  }

  /** Keys of the devices in a pulled page (or a server's bundle) whose certificates chain to the plant CA and bind the key they announced. */
  trustedDeviceKeys(page: Pick<PullResponse, 'devices'>, enrolmentCa: string) {
    const caPems = [enrolmentCa, ...this.deps.identity.trust().caPems];
    const revoked = this.deps.identity.trust().revokedFingerprints;
    const keys = new Map<string, NonNullable<ReturnType<typeof publicKeyFromPem>>>();
    for (const d of page.devices) {
      const check = checkDeviceCertificate(d.certificatePem, { deviceId: d.deviceId, publicKeyPem: d.publicKeyPem }, caPems, revoked, this.clock());
      const known = this.deps.repo.knownDeviceKey(d.deviceId);
      const key = publicKeyFromPem(d.publicKeyPem);
      if (!check.ok || !key) continue;
      if (known !== null && !publicKeyFromPem(known)?.equals(key)) continue;
      keys.set(d.deviceId, key);
    }
    return keys;
  }
}
