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
import { revokedDeviceProblems, revokedSignerProblems } from '../../src-shared/common/sync/central-revocation.ts';
import {
  DEFAULT_CLOCK_SKEW_LIMIT_MS,
  clockFlagSummaries,
  clockFlagViews,
  readClockAttestation,
  type ClockAttestation,
  type ClockAttestationBody,
  type ClockFlagView,
} from '../../src-shared/common/sync/clock-flags.ts';
import {
  MAX_BATCH_EVENTS,
  MissingBlobsResponseSchema,
  PullResponseSchema,
  PushResponseSchema,
  SYNC_PROTOCOL,
  SyncStateSchema,
  type PullResponse,
  type WireEvent,
} from '../../src-shared/common/sync/sync-protocol.ts';
import { writeFileAtomic } from '../../src-shared/node/atomic-file.ts';
import { arrivingRowProblems } from '../../src-shared/node/chain-ingest.ts';
import type { BlobStore } from '../store/blob-store.ts';
import type { DeviceKey } from '../store/device-key-store.ts';
import type { JournalRepository } from '../store/journal-repository.ts';
import type { SyncRepository } from '../store/sync-repository.ts';
import type { EventHub } from './event-hub.ts';
import type { IdentityService } from './identity-service.ts';
import { uploadBlob } from './blob-upload-client.ts';
import { recordAcknowledgedOnline } from './sync-acknowledgement.ts';
import { SyncHttpClient } from './sync-http-client.ts';
import { ENROLMENT_FILE, enrolOnline, type EnrolmentFile } from './sync-enrolment.ts';
import { recordClockFlags, recordRevocations, trustedDeviceKeys, type ArrivalDeps, type DeviceKeyObject } from './sync-arrivals.ts';

export { ENROLMENT_FILE, type EnrolmentFile } from './sync-enrolment.ts';

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
  /** The policy's clock skew limit in force (ms); default 5 minutes. */
  skewLimitMs?: () => number;
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
  private progress: { sent: number; total: number; bytesSent: number } | null = null;
  private lastProgressEmit = 0;
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
    if (!e)
      throw new BaselineError(
        'sync-not-enrolled',
        'This laptop is not enrolled with a central server.',
        'Enrol it with the server address and a one-time code from the administrator.',
      );
    if (e.serverUrl === null || e.token === null) {
      throw new BaselineError(
        'sync-by-file-only',
        'This laptop was enrolled by file and has no network path to the server: it syncs by bundles only.',
        'Use "Export bundle" and "Import from server" (or `baseline sync export` / `import`). To sync over the network, enrol it online with a new code.',
      );
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
    const conflicts = openConflicts(findJournalConflicts(this.deps.repo.conflictEvents())).map(
      ({ id, kind, changeId, title, message, hint }) => ({ id, kind, changeId, title, message, hint }),
    );
    let state: SyncStatus['state'];
    if (!e) state = 'not-enrolled';
    else if (this.running) state = 'syncing';
    else if (this.lastError && this.lastError.code === 'server-unreachable') state = 'offline';
    else if (this.lastError) state = 'refused';
    else state = this.reachable || this.lastSuccessAt ? 'idle' : 'offline';
    return {
      state,
      server: e?.serverUrl ?? null,
      waiting: this.deps.pullOnly ? 0 : this.deps.repo.countAfter(this.deps.deviceKey.deviceId, acknowledgedSeq),
      acknowledgedSeq,
      lastAttemptAt: this.lastAttemptAt,
      lastSuccessAt: this.lastSuccessAt,
      lastError: this.lastError ? { code: this.lastError.code, message: this.lastError.message, hint: this.lastError.hint } : null,
      progress: this.progress ? { ...this.progress } : null,
      conflicts,
      clockOffsetMs: this.deps.repo.get('clock-offset-ms') === null ? null : Number(this.deps.repo.get('clock-offset-ms')),
      clockSkewLimitMs: this.deps.skewLimitMs?.() ?? DEFAULT_CLOCK_SKEW_LIMIT_MS,
      clockFlags: clockFlagSummaries(this.clockAttestationBodies()),
    };
  }

  private clockAttestationBodies(): ClockAttestationBody[] {
    return this.deps.repo
      .clockAttestations()
      .map(readClockAttestation)
      .filter((b): b is ClockAttestationBody => b !== null);
  }

  /** Events the server flagged for an implausible device time (of one change's events, when given), in words. */
  clockFlags(changeId?: string): ClockFlagView[] {
    const views = clockFlagViews(this.clockAttestationBodies());
    if (changeId === undefined) return views;
    const ids = this.deps.repo.changeEventIds(changeId);
    return views.filter((v) => ids.has(v.eventId));
  }

  private emit(): void {
    if (this.closed) return; // the store may already be closed
    this.deps.hub.emit('sync.status', this.status());
  }

  /**
   * Enrols this laptop with a server online (sync-enrolment.ts): the plant CA checked against the fingerprint the
   * administrator gave, the one-time code sent with proof of the device key, the device certificate recorded.
   */
  async enrol(serverUrl: string, code: string, caFingerprint: string | null, actor: Actor): Promise<SyncStatus> {
    this.adoptEnrolment(await enrolOnline({ ...this.deps, clock: this.clock }, serverUrl, code, caFingerprint, actor));
    return this.status();
  }

  /** Records an enrolment (online, or made by file once the bundle service checked the server's response). */
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
      return Promise.reject(
        new BaselineError(
          'sync-not-enrolled',
          'This laptop is not enrolled with a central server.',
          'Enrol it with the server address and a one-time code from the administrator.',
        ),
      );
    }
    this.running ??= this.runSync().finally(() => {
      this.client?.closeIdle();
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
      const pushed = this.deps.pullOnly
        ? null
        : await this.push().then(
            () => null,
            (err: unknown) => {
              if (toErrorData(err).code === 'server-unreachable' || toErrorData(err).code === 'device-revoked') throw err;
              return err;
            },
          );
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
    const acked = state.acknowledgedSeq;
    recordAcknowledgedOnline(this.deps.repo, acked, state.serverTime);
    const total = this.deps.repo.countAfter(own, acked);
    const bytesBefore = http.bytesSent;
    this.progress = { sent: 0, total, bytesSent: 0 };
    this.emit();
    // Bytes move during long uploads, between the per-batch updates: at most four status updates a second.
    http.onBytesSent = () => {
      if (!this.progress) return;
      this.progress.bytesSent = http.bytesSent - bytesBefore;
      const now = Date.now();
      if (now - this.lastProgressEmit >= 250) {
        this.lastProgressEmit = now;
        this.emit();
      }
    };
    try {
      await this.pushBatches(http, own, acked, total, state.serverTime);
    } finally {
      http.onBytesSent = null;
    }
  }

  /** `stateTime`: the server's time of the sync state, for the answers of a server that sends no time of its own. */
  private async pushBatches(http: SyncHttpClient, own: string, ackedAtStart: number, total: number, stateTime: string): Promise<void> {
    let acked = ackedAtStart;
    let sent = 0;
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
        protocol: SYNC_PROTOCOL,
        deviceTime: this.clock().toISOString(),
        head: { seq: head.seq, hash: head.seq === 0 ? null : head.hash },
        events: items,
      });
      if (res.status < 200 || res.status >= 300) {
        const refused = res.json as { acknowledgedSeq?: unknown; serverTime?: unknown } | null;
        if (typeof refused?.acknowledgedSeq === 'number')
          recordAcknowledgedOnline(
            this.deps.repo,
            refused.acknowledgedSeq,
            typeof refused.serverTime === 'string' ? refused.serverTime : stateTime,
          );
        throw http.refusal(res);
      }
      const ok = PushResponseSchema.parse(res.json);
      sent += ok.accepted + ok.duplicates;
      acked = ok.acknowledgedSeq;
      recordAcknowledgedOnline(this.deps.repo, acked, ok.serverTime ?? stateTime);
      this.deps.repo.set('clock-offset-ms', String(ok.clockOffsetMs));
      this.progress = { sent: Math.min(sent, total), total, bytesSent: this.progress?.bytesSent ?? 0 };
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
      const revocations = recordRevocations(this.arrivalDeps(), page.revocations, e.caCertificatePem);
      this.recordClockFlags(page.clockFlags, e.caCertificatePem);
      const keys = this.trustedDeviceKeys(page, e.caCertificatePem);
      for (const item of page.events) {
        for (const h of item.blobs) {
          if (this.deps.blobs.has(h)) continue;
          const res = await http.send('GET', `/blobs/${h}`);
          if (res.status !== 200) throw http.refusal(res);
          const got = this.deps.blobs.put(res.bytes);
          if (got !== h)
            throw new BaselineError(
              'pulled-blob-mismatch',
              `The server sent content for ${h.slice(0, 12)}… whose bytes hash to ${got.slice(0, 12)}….`,
              "Tell the administrator: the server's copy is damaged. The bytes were kept aside under their own hash, never under the claimed one.",
            );
        }
      }
      const outcome = this.deps.repo.storePulled(page.events, page.cursor, (ev, head) => {
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
        const problems = arrivingRowProblems(ev, key, head);
        return problems.length > 0 ? problems : [...revokedDeviceProblems(ev, revocations), ...revokedSignerProblems(ev, revocations)];
      });
      const last = page.events[page.events.length - 1]?.event;
      if (outcome.stored > 0 && last)
        this.deps.hub.emit('journal.appended', { id: last.id, device: last.device, seq: last.seq, type: last.type });
      if (outcome.refusal)
        throw new BaselineError(outcome.refusal.code, outcome.refusal.message, outcome.refusal.hint, outcome.refusal.details);
      if (!page.more) return;
    }
  }

  /** The plant CA this laptop enrolled with (sync bundles are checked against it), or null when not enrolled. */
  enrolmentCa(): { caCertificatePem: string; caFingerprint: string; serverId: string } | null {
    const e = this.enrolment;
    return e ? { caCertificatePem: e.caCertificatePem, caFingerprint: e.caFingerprint, serverId: e.serverId } : null;
  }

  /** Keys of the devices in a pulled page (or a server's bundle) whose certificates chain to the plant CA (sync-arrivals.ts). */
  trustedDeviceKeys(page: Pick<PullResponse, 'devices'>, enrolmentCa: string): Map<string, DeviceKeyObject> {
    return trustedDeviceKeys(this.arrivalDeps(), page, enrolmentCa);
  }

  /** Keeps the clock attestations this laptop lacks, each checked first (sync-arrivals.ts). */
  recordClockFlags(received: readonly ClockAttestation[], caPem: string): void {
    recordClockFlags(this.arrivalDeps(), received, caPem);
  }

  private arrivalDeps(): ArrivalDeps {
    return { ...this.deps, clock: this.clock };
  }
}
