/**
 * The event journal table: append (with the projection update, in one transaction), read, verify, rebuild.
 */
import type Database from 'better-sqlite3';
import { v7 as uuidv7 } from 'uuid';
import { BaselineError } from '../../src-shared/common/errors.ts';
import {
  GENESIS_PREV,
  describeProjectionDifference,
  eventHashInput,
  type Actor,
  type EventBody,
  type JournalEvent,
  type JournalVerifyReport,
} from '../../src-shared/common/journal-event.ts';
import { EVENT_PAYLOADS, type EventPayload, type EventType } from '../../src-shared/common/event-types.ts';
import { canonicalJson, type JsonValue } from '../../src-shared/common/canonical-json.ts';
import { sha256Hex } from '../../src-shared/node/hash.ts';
import {
  parseStoredRow,
  verifyJournalRows,
  certifiedDevices,
  checkRow,
  deviceKeyFromGenesis,
  deviceNameFromGenesis,
  uncertifiedDeviceProblem,
  type PinnedDevice,
  type StoredEventRow,
} from '../../src-shared/node/journal-verifier.ts';
import type { DeviceKey } from './device-key-store.ts';
import { project, rebuildProjections } from './projections.ts';
import { ProjectionReplay } from './projection-check.ts';

const COLUMNS = 'id, device, seq, prev, type, payload, actor, at, hash, sig';

/** A stored row with its insertion order, for paging. */
export interface PagedRow extends StoredEventRow {
  rowid: number;
}

/** What the Audit trail narrows the journal to (every field optional; `from`/`to` are ISO instants, `to` exclusive). */
export interface JournalFilter {
  type?: string | undefined;
  signer?: string | undefined;
  changeId?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
}

/**
 * Reads and appends journal events of one store. Appending needs the device key; reading does not.
 *
 * The pinned device is the data directory's own (its device key file, which someone who can write only baseline.db
 * cannot change): its events count in verification, rebuilds and trust, and so do those of devices the plant CA
 * certified (a `device.certified` event in their own chain, checked against the CAs the pinned device trusts).
 */
export class JournalRepository {
  private readonly db: Database.Database;
  private readonly key: DeviceKey | null;
  private readonly clock: () => Date;
  private readonly appendedListeners = new Set<(event: JournalEvent) => void>();
  private readonly pinned: PinnedDevice | undefined;
  /** The last trust check, valid while no other connection has written (SQLite's data_version). */
  private trustCheck: { dataVersion: number; failure: BaselineError | null } | null = null;
  /** Statements of `append`, compiled once (an append is the app's most frequent write). */
  private appendStatements: { last: Database.Statement; insert: Database.Statement } | null = null;

  constructor(db: Database.Database, key: DeviceKey | null, clock: () => Date = () => new Date(), pinned?: PinnedDevice | null) {
    this.db = db;
    this.key = key;
    this.clock = clock;
    this.pinned = pinned ?? (key ? { id: key.deviceId, publicKeyPem: key.publicKeyPem } : undefined);
  }

  /** Appends one event signed by this device and updates projections, atomically. */
  append<T extends EventType>(type: T, payload: EventPayload<T>, actor: Actor): JournalEvent {
    const key = this.key;
    if (!key) throw new BaselineError('journal-read-only', 'This store was opened read-only.', 'Open it from the app to record events.');
    const checked = EVENT_PAYLOADS[type].safeParse(payload);
    if (!checked.success) {
      throw new BaselineError(
        'event-payload-invalid',
        `A ${type} event's content is invalid: ${checked.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}.`,
        'This is a defect in the caller; nothing was recorded.',
      );
    }
    const run = this.db.transaction((): JournalEvent => {
      this.appendStatements ??= {
        last: this.db.prepare('SELECT seq, hash FROM events WHERE device = ? ORDER BY seq DESC LIMIT 1'),
        insert: this.db.prepare(`INSERT INTO events (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      };
      const last = this.appendStatements.last.get(key.deviceId) as { seq: number; hash: string } | undefined;
      const body: EventBody = {
        id: uuidv7(),
        device: key.deviceId,
        seq: (last?.seq ?? 0) + 1,
        prev: last?.hash ?? GENESIS_PREV,
        type,
        payload: checked.data as JsonValue,
        actor,
        at: this.clock().toISOString(),
      };
      const input = eventHashInput(body);
      const event: JournalEvent = { ...body, hash: sha256Hex(input), sig: key.sign(input) };
      this.appendStatements.insert.run(
        event.id,
        event.device,
        event.seq,
        event.prev,
        event.type,
        canonicalJson(event.payload),
        canonicalJson(event.actor),
        event.at,
        event.hash,
        event.sig,
      );
      project(this.db, event);
      return event;
    });
    const event = run.immediate();
    for (const listener of this.appendedListeners) {
      try {
        listener(event);
      } catch {
        // A listener (a closed window's transport) must not undo or fail an event already recorded.
      }
    }
    return event;
  }

  /** Calls `listener` after each event this repository appends (the screens refresh from these, background sync starts soon after one); returns the unsubscribe function. */
  onAppended(listener: (event: JournalEvent) => void): () => void {
    this.appendedListeners.add(listener);
    return () => this.appendedListeners.delete(listener);
  }

  /** Number of events stored. */
  count(excludeDevice?: string): number {
    if (excludeDevice !== undefined)
      return (this.db.prepare('SELECT count(*) AS n FROM events WHERE device <> ?').get(excludeDevice) as { n: number }).n;
    return (this.db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n;
  }

  /** Whether a device already has events here. */
  hasDevice(deviceId: string): boolean {
    return this.db.prepare('SELECT 1 FROM events WHERE device = ? LIMIT 1').get(deviceId) !== undefined;
  }

  /** Whether a device announced itself as a demo device (`demo: true` in its `device.created` event). */
  isDemoDevice(deviceId: string): boolean {
    const row = this.db
      .prepare(`SELECT json_extract(payload, '$.demo') AS demo FROM events WHERE device = ? AND seq = 1 AND type = 'device.created'`)
      .get(deviceId) as { demo: number | null } | undefined;
    return row?.demo === 1;
  }

  /** Whether a capture profile with this hash was already recorded. */
  hasProfile(sha256: string): boolean {
    return this.db.prepare('SELECT 1 FROM profiles WHERE sha256 = ?').get(sha256) !== undefined;
  }

  /** Every device that has events here. */
  devices(): string[] {
    return (this.db.prepare('SELECT DISTINCT device FROM events ORDER BY device').all() as { device: string }[]).map((r) => r.device);
  }

  /**
   * Devices other than the pinned one whose events count: certified by a plant CA that the pinned device's journal
   * trusts (`device.certified`, checked by `certifiedDevices`).
   */
  certifiedDevices(): Set<string> {
    return certifiedDevices(
      this.db
        .prepare(
          `SELECT ${COLUMNS} FROM events WHERE type IN ('ca.trusted', 'certificate.revoked', 'device.certified') OR seq = 1 ORDER BY device, seq`,
        )
        .iterate() as Iterable<StoredEventRow>,
      this.pinned,
    );
  }

  /** All rows ordered by device then seq (the order verification needs), streamed. */
  *rowsForVerification(): Generator<StoredEventRow> {
    yield* this.db.prepare(`SELECT ${COLUMNS} FROM events ORDER BY device, seq`).iterate() as Iterable<StoredEventRow>;
  }

  /** Newest-first page of rows (by insertion order), starting below `beforeRowid`. */
  page(limit: number, beforeRowid?: number, excludeDevice?: string): PagedRow[] {
    if (excludeDevice !== undefined) {
      return this.db
        .prepare(`SELECT rowid, ${COLUMNS} FROM events WHERE rowid < ? AND device <> ? ORDER BY rowid DESC LIMIT ?`)
        .all(beforeRowid ?? Number.MAX_SAFE_INTEGER, excludeDevice, limit) as PagedRow[];
    }
    return this.db
      .prepare(`SELECT rowid, ${COLUMNS} FROM events WHERE rowid < ? ORDER BY rowid DESC LIMIT ?`)
      .all(beforeRowid ?? Number.MAX_SAFE_INTEGER, limit) as PagedRow[];
  }

  /**
   * Newest-first page of the events matching a filter, and how many match. `signer` is an employee id: the events
   * that person SIGNED (the signer or a co-signer of the event's personal signature, or the signer of a snapshot),
   * never the session or operating-system user that recorded them.
   */
  pageFiltered(filter: JournalFilter, limit: number, beforeRowid?: number): { rows: PagedRow[]; total: number } {
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (filter.type) {
      where.push('type = ?');
      args.push(filter.type);
    }
    if (filter.from) {
      where.push('at >= ?');
      args.push(filter.from);
    }
    if (filter.to) {
      where.push('at < ?');
      args.push(filter.to);
    }
    if (filter.changeId) {
      where.push(`json_extract(payload, '$.changeId') = ?`);
      args.push(filter.changeId);
    }
    if (filter.signer) {
      where.push(`(json_extract(payload, '$.signature.signer.employeeId') = ? OR json_extract(payload, '$.approval.signer.employeeId') = ?
        OR EXISTS (SELECT 1 FROM json_each(payload, '$.cosignatures') WHERE json_extract(value, '$.signer.employeeId') = ?)
        OR (type = 'snapshot.captured' AND json_extract(payload, '$.signerFingerprint') IN (SELECT fingerprint FROM people WHERE employee_id = ?)))`);
      args.push(filter.signer, filter.signer, filter.signer, filter.signer);
    }
    const cond = where.length > 0 ? where.join(' AND ') : '1';
    const total = (this.db.prepare(`SELECT count(*) AS n FROM events WHERE ${cond}`).get(...args) as { n: number }).n;
    const rows = this.db
      .prepare(`SELECT rowid, ${COLUMNS} FROM events WHERE rowid < ? AND ${cond} ORDER BY rowid DESC LIMIT ?`)
      .all(beforeRowid ?? Number.MAX_SAFE_INTEGER, ...args, limit) as PagedRow[];
    return { rows, total };
  }

  /** The event types the journal holds, by name. */
  eventTypes(): string[] {
    return (this.db.prepare('SELECT DISTINCT type FROM events ORDER BY type').all() as { type: string }[]).map((r) => r.type);
  }

  /** Employee id of the person holding each certificate fingerprint enrolled here. */
  employeeIdsByFingerprint(): Map<string, string> {
    return new Map(
      (this.db.prepare('SELECT fingerprint, employee_id FROM people').all() as { fingerprint: string; employee_id: string }[]).map((r) => [
        r.fingerprint,
        r.employee_id,
      ]),
    );
  }

  /** Verifies one page of rows, each against its predecessor in its device chain and its device key. */
  verifyRows(rows: StoredEventRow[]): Map<string, ReturnType<typeof checkRow>> {
    const genesis = this.db.prepare(`SELECT ${COLUMNS} FROM events WHERE device = ? AND seq = 1`);
    const before = this.db.prepare(`SELECT seq, hash FROM events WHERE device = ? AND seq < ? ORDER BY seq DESC LIMIT 1`);
    const keys = new Map<string, { key: ReturnType<typeof deviceKeyFromGenesis>; name: string | null }>();
    const out = new Map<string, ReturnType<typeof checkRow>>();
    let certified: Set<string> | undefined;
    for (const row of rows) {
      if (!keys.has(row.device)) {
        const g = genesis.get(row.device) as StoredEventRow | undefined;
        keys.set(row.device, { key: deviceKeyFromGenesis(g), name: deviceNameFromGenesis(g) });
      }
      const device = keys.get(row.device)!;
      const seq = typeof row.seq === 'number' ? row.seq : 0;
      const prev = before.get(row.device, seq) as { seq: number; hash: string } | undefined;
      const problems = checkRow(row, device.key, (prev?.seq ?? 0) + 1, prev?.hash ?? GENESIS_PREV);
      if (this.pinned?.id !== row.device && !(certified ??= this.certifiedDevices()).has(row.device))
        problems.push(uncertifiedDeviceProblem(row, device.name, this.pinned));
      out.set(row.id, problems);
    }
    return out;
  }

  /**
   * Verifies the whole journal (every hash, signature, chain link and device key), then replays the events that
   * verified, in verified order, and compares every projection table with that replay.
   */
  verifyAll(signatures: 'all' | 'chain-head' = 'all'): JournalVerifyReport {
    const replay = new ProjectionReplay(this.pinned?.id ?? null);
    const verified: JournalEvent[] = [];
    const report = verifyJournalRows(this.rowsForVerification(), {
      ...(this.pinned ? { localDevice: this.pinned } : {}),
      now: this.clock,
      onVerified: (e) => verified.push(e),
      signatures,
      certifiedDevices: this.certifiedDevices(),
    });
    for (const e of this.inStoredOrder(verified)) replay.apply(e);
    const projections = replay.compareWith(this.db);
    return { ...report, projections, ok: report.ok && projections.length === 0 };
  }

  /**
   * Refuses (with what was found) unless the journal verifies and every projection table equals its replay: called
   * before the app reads trust (trusted CAs, revocations, people, locks, policy) from those tables. Every hash and
   * link is checked, and the signature of each chain's newest event (which covers the rest through the links). The
   * check is repeated only when another connection has written to the database since (PRAGMA data_version); this
   * connection's own appends keep tables and journal equal in one transaction.
   */
  assertTrustworthy(): void {
    const dataVersion = this.db.pragma('data_version', { simple: true }) as number;
    if (this.trustCheck?.dataVersion !== dataVersion) {
      this.trustCheck = { dataVersion, failure: this.trustFailure(this.verifyAll('chain-head')) };
    }
    if (this.trustCheck.failure) throw this.trustCheck.failure;
  }

  private noPinnedDevice(what: string): BaselineError {
    return new BaselineError(
      'device-key-missing',
      `No device key file pins this data directory's own device, so ${what}.`,
      'Use the data directory together with its device-key.json (as the app keeps it), or restore that file from a backup.',
    );
  }

  private trustFailure(report: JournalVerifyReport): BaselineError | null {
    if (!this.pinned && report.events > 0) return this.noPinnedDevice('none of its events count and nothing recorded in it can be trusted');
    // Events of devices that are not pinned do not count: they are left out of trust, not a reason to refuse it.
    const counted = report.problems.filter((p) => p.kind !== 'device-uncertified');
    if (counted.length > 0) {
      const p = counted[0]!;
      return new BaselineError(
        'store-untrusted',
        `The journal failed verification (seq ${p.seq} of device ${p.device}: ${p.message}), so Baseline does not trust the certificates, revocations, people or policy recorded in this store.`,
        'Run `baseline journal verify` to see every problem, and restore the data directory from a backup or the central server.',
        { problems: counted.length },
      );
    }
    if (report.projections.length > 0) {
      return new BaselineError(
        'store-untrusted',
        `Tables of this store were changed outside Baseline and no longer match its signed journal: ${report.projections.map(describeProjectionDifference).join(' | ')}. Baseline does not trust them.`,
        'Run `baseline journal verify` to see the differences, then `baseline journal rebuild` to restore the tables from the journal.',
        { tables: report.projections.map((d) => d.table) },
      );
    }
    return null;
  }

  /** Every event in insertion order, parsed; refuses (naming the seq) when a row cannot be read. */
  *events(batch = 1000): Generator<JournalEvent> {
    let after = 0;
    const stmt = this.db.prepare(`SELECT rowid, ${COLUMNS} FROM events WHERE rowid > ? ORDER BY rowid LIMIT ?`);
    for (;;) {
      const rows = stmt.all(after, batch) as PagedRow[];
      if (rows.length === 0) return;
      for (const row of rows) {
        const parsed = parseStoredRow(row);
        if ('error' in parsed) {
          throw new BaselineError(
            'journal-unreadable',
            `Event seq ${String(row.seq)} of device ${row.device} cannot be read: ${parsed.error}.`,
            'Run `baseline journal verify` to see every damaged event, then restore the store from a backup or the central server.',
          );
        }
        yield { ...parsed.body, hash: row.hash, sig: row.sig };
      }
      after = rows[rows.length - 1]!.rowid;
    }
  }

  /**
   * Verified events in the order this store recorded them (its own appends and pulled pages, as they happened), the
   * order the projections were updated in: two devices' decisions on the same change, made while they could not see
   * each other, then replay exactly as they were applied. Each device's events keep their seq order either way.
   */
  private inStoredOrder(events: JournalEvent[]): JournalEvent[] {
    const devices = new Set(events.map((e) => e.device));
    if (devices.size < 2) return events;
    const order = new Map<string, number>();
    for (const r of this.db.prepare('SELECT id, rowid FROM events').iterate() as Iterable<{ id: string; rowid: number }>)
      order.set(r.id, r.rowid);
    return [...events].sort((a, b) => (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0));
  }

  /**
   * Empties and refills every projection table from the journal, replaying the pinned and certified devices' events by
   * seq (the verified order, whatever order the rows were inserted in). Events of other devices do not count
   * and are skipped; a journal whose counted events fail verification is refused (its history is in doubt).
   */
  rebuildProjections(): { replayed: number; skipped: number } {
    if (!this.pinned && this.count() > 0) throw this.noPinnedDevice('its journal cannot be replayed');
    const events: JournalEvent[] = [];
    const report = verifyJournalRows(this.rowsForVerification(), {
      ...(this.pinned ? { localDevice: this.pinned } : {}),
      now: this.clock,
      onVerified: (e) => events.push(e),
      certifiedDevices: this.certifiedDevices(),
    });
    const counted = report.problems.filter((p) => p.kind !== 'device-uncertified');
    if (counted.length > 0) {
      const p = counted[0]!;
      throw new BaselineError(
        'journal-damaged',
        `The journal cannot be replayed: seq ${p.seq} of device ${p.device} fails verification (${p.kind}: ${p.message}).`,
        'Run `baseline journal verify` to see every problem, and restore the data directory from a backup or the central server.',
      );
    }
    const replayed = rebuildProjections(this.db, () => this.inStoredOrder(events), this.pinned?.id ?? null);
    this.trustCheck = null;
    return { replayed, skipped: report.events - replayed };
  }
}
