/**
 * The server's repository: enrolment codes, devices, the union journal with its global order, blob records,
 * refusals and clock offsets. Every SQL statement of the server is here, written once for both dialects.
 *
 * Ingest is serialised by a row lock on the global counter (PostgreSQL `FOR UPDATE`; SQLite has one writer),
 * so global sequence numbers are assigned in commit order and a pull never skips an event committed later
 * with a smaller number.
 */
import { v7 as uuidv7 } from 'uuid';
import type { Kysely, Transaction } from 'kysely';
import { GENESIS_PREV, type EventProblem } from '../../src-shared/common/journal-event.ts';
import type { ErrorData } from '../../src-shared/common/errors.ts';
import type { WireEvent } from '../../src-shared/common/sync/sync-protocol.ts';
import type { CentralRevocation } from '../../src-shared/common/sync/central-revocation.ts';
import { clockFlags, type ClockFlagKind } from '../../src-shared/common/sync/clock-flags.ts';
import { CONFLICT_EVENT_TYPES, type ConflictEvent } from '../../src-shared/common/sync/journal-conflicts.ts';
import type { ChainHead } from '../../src-shared/node/chain-ingest.ts';
import { describeProblems } from '../../src-shared/node/chain-ingest.ts';
import type { ServerDatabase, ServerTables } from './server-database.ts';

/** Rows per multi-row INSERT (13 columns: well under SQLite's and PostgreSQL's bound-parameter limits). */
const INSERT_ROWS = 250;

/** A device as the server knows it. */
export type DeviceRow = ServerTables['devices'];

/** Outcome of using an enrolment code. */
export type CodeUse = 'ok' | 'unknown' | 'used' | 'expired';

/** What an ingest did: how far the chain is acknowledged, and the refusal that stopped it, if any. */
export interface IngestOutcome {
  acknowledgedSeq: number;
  accepted: number;
  duplicates: number;
  refusal: ErrorData | null;
}

/** One stored event with its global position. */
export interface StoredServerEvent {
  globalSeq: number;
  event: WireEvent;
  blobs: string[];
}

function wireOf(r: ServerTables['events']): WireEvent {
  return { id: r.id, device: r.device, seq: Number(r.seq), prev: r.prev, type: r.type, payload: r.payload, actor: r.actor, at: r.at, hash: r.hash, sig: r.sig };
}

/** Reads and writes the server store. */
export class SyncStore {
  private readonly server: ServerDatabase;

  constructor(server: ServerDatabase) {
    this.server = server;
  }

  private get db(): Kysely<ServerTables> {
    return this.server.db;
  }

  /** A value of the server's own settings (server id, CA fingerprint), or null. */
  async info(key: string): Promise<string | null> {
    const row = await this.db.selectFrom('server_info').select('value').where('key', '=', key).executeTakeFirst();
    return row?.value ?? null;
  }

  /** Sets a server setting once; returns the value that holds (an earlier one wins). */
  async infoOnce(key: string, value: string): Promise<string> {
    await this.db.insertInto('server_info').values({ key, value }).onConflict((oc) => oc.column('key').doNothing()).execute();
    return (await this.info(key)) ?? value;
  }

  /** Stores a new enrolment code (only its hash). */
  async addEnrolCode(codeHash: string, createdAt: Date, expiresAt: Date): Promise<void> {
    await this.db.insertInto('enrol_codes').values({ code_hash: codeHash, created_at: createdAt.toISOString(), expires_at: expiresAt.toISOString(), used_at: null, used_by: null }).execute();
  }

  /**
   * Uses an enrolment code for a device and enrols it, in one transaction: a code enrols one device, before it expires.
   * `enrol` runs only for a usable code and returns the device row to store.
   */
  async useCodeAndEnrol(codeHash: string, now: Date, deviceId: string, enrol: () => DeviceRow): Promise<{ use: CodeUse; device: DeviceRow | null }> {
    return this.db.transaction().execute(async (trx) => {
      const code = await this.lockable(trx.selectFrom('enrol_codes').selectAll().where('code_hash', '=', codeHash)).executeTakeFirst();
      if (!code) return { use: 'unknown' as const, device: null };
      // The same device retrying (its first answer was lost on the way) gets a fresh token; anyone else is refused.
      if (code.used_at !== null && code.used_by !== deviceId) return { use: 'used' as const, device: null };
      if (new Date(code.expires_at) <= now) return { use: 'expired' as const, device: null };
      await trx.updateTable('enrol_codes').set({ used_at: now.toISOString(), used_by: deviceId }).where('code_hash', '=', codeHash).execute();
      const row = enrol();
      await trx.insertInto('devices').values(row).onConflict((oc) => oc.column('device_id').doUpdateSet({
        name: row.name, certificate_pem: row.certificate_pem, certificate_fingerprint: row.certificate_fingerprint, token_hash: row.token_hash, enrolled_at: row.enrolled_at,
      })).execute();
      return { use: 'ok' as const, device: row };
    });
  }

  /** A device by id. */
  async device(deviceId: string): Promise<DeviceRow | null> {
    return (await this.db.selectFrom('devices').selectAll().where('device_id', '=', deviceId).executeTakeFirst()) ?? null;
  }

  /** The device a bearer token belongs to. */
  async deviceByToken(tokenHash: string): Promise<DeviceRow | null> {
    return (await this.db.selectFrom('devices').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst()) ?? null;
  }

  /** Every enrolled device. */
  async devices(): Promise<DeviceRow[]> {
    return this.db.selectFrom('devices').selectAll().orderBy('device_id').execute();
  }

  /** Records a refusal (outside any ingest), so the server's record names it too. */
  async recordRefusal(device: string | null, at: Date, error: ErrorData): Promise<void> {
    await this.db.insertInto('refusals').values({
      id: uuidv7(), device, at: at.toISOString(), code: error.code, message: error.message, details: JSON.stringify(error.details ?? {}),
    }).execute();
  }

  /** How many enrolment attempts were refused for their code since a time (enrolment by file counts them to slow guessing). */
  async enrolCodeRefusalsSince(since: Date): Promise<number> {
    const row = await this.db.selectFrom('refusals').select((eb) => eb.fn.countAll<number>().as('n'))
      .where('code', 'in', ['enrol-code-wrong', 'enrol-code-used', 'enrol-code-expired']).where('at', '>=', since.toISOString()).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Refusals recorded, oldest first (optionally of one device). */
  async refusals(device?: string): Promise<{ device: string | null; at: string; code: string; message: string }[]> {
    let q = this.db.selectFrom('refusals').select(['device', 'at', 'code', 'message']).orderBy('id');
    if (device !== undefined) q = q.where('device', '=', device);
    return q.execute();
  }

  /** Clock offsets recorded for a device, oldest first. */
  async clockOffsets(device: string): Promise<{ receivedAt: string; deviceTime: string; offsetMs: number }[]> {
    const rows = await this.db.selectFrom('clock_offsets').select(['received_at', 'device_time', 'offset_ms']).where('device', '=', device).orderBy('id').execute();
    return rows.map((r) => ({ receivedAt: r.received_at, deviceTime: r.device_time, offsetMs: Number(r.offset_ms) }));
  }

  /** Records that the server holds a blob (its bytes are already on disk). */
  async addBlob(sha256: string, size: number, at: Date): Promise<void> {
    await this.db.insertInto('blobs').values({ sha256, size, stored_at: at.toISOString() }).onConflict((oc) => oc.column('sha256').doNothing()).execute();
  }

  /** Which of these blobs the server does not hold. */
  async missingBlobs(hashes: readonly string[]): Promise<string[]> {
    if (hashes.length === 0) return [];
    const held = new Set<string>();
    for (let i = 0; i < hashes.length; i += 500) {
      const rows = await this.db.selectFrom('blobs').select('sha256').where('sha256', 'in', hashes.slice(i, i + 500)).execute();
      for (const r of rows) held.add(r.sha256);
    }
    return [...new Set(hashes)].filter((h) => !held.has(h));
  }

  /** Whether the server holds a blob record. */
  async hasBlob(sha256: string): Promise<boolean> {
    return (await this.db.selectFrom('blobs').select('sha256').where('sha256', '=', sha256).executeTakeFirst()) !== undefined;
  }

  // PostgreSQL: lock the row for the transaction. SQLite has a single writer (and no FOR UPDATE).
  private lockable<Q extends { forUpdate(): Q }>(query: Q): Q {
    return this.server.dialect === 'postgres' ? query.forUpdate() : query;
  }

  /**
   * Stores a device's pushed events after checking each (`check` gives an event's problems as the next event
   * after a chain head). Keeps the valid prefix, stops at the first refusal, and records refusals and flags
   * in the same transaction.
   */
  async ingest(
    deviceId: string,
    items: readonly { event: WireEvent; blobs: string[] }[],
    head: { seq: number; hash: string | null },
    deviceTime: string,
    now: Date,
    check: (event: WireEvent, chain: ChainHead) => EventProblem[],
  ): Promise<IngestOutcome> {
    return this.db.transaction().execute(async (trx) => {
      const counter = await this.lockable(trx.selectFrom('counters').select('value').where('name', '=', 'global_seq')).executeTakeFirstOrThrow();
      const device = await trx.selectFrom('devices').selectAll().where('device_id', '=', deviceId).executeTakeFirstOrThrow();
      let ackSeq = Number(device.acked_seq);
      let ackHash = device.acked_hash ?? GENESIS_PREV;
      let globalSeq = Number(counter.value);
      let accepted = 0;
      let duplicates = 0;
      const nowIso = now.toISOString();
      const offsetMs = Number.isFinite(Date.parse(deviceTime)) ? Date.parse(deviceTime) - now.getTime() : null;
      let previousAt = (await trx.selectFrom('events').select('at').where('device', '=', deviceId).orderBy('seq', 'desc').limit(1).executeTakeFirst())?.at ?? null;

      const refuse = async (error: ErrorData, flag: boolean): Promise<IngestOutcome> => {
        await trx.insertInto('refusals').values({ id: uuidv7(), device: deviceId, at: nowIso, code: error.code, message: error.message, details: JSON.stringify(error.details ?? {}) }).execute();
        await this.finishIngest(trx, deviceId, ackSeq, ackHash, globalSeq, nowIso, deviceTime, flag ? error.message : null);
        return { acknowledgedSeq: ackSeq, accepted, duplicates, refusal: error };
      };

      if (device.flagged !== null) {
        return refuse({
          code: 'device-flagged', message: `The server stopped taking events from this laptop: ${device.flagged}`,
          hint: 'Nothing was overwritten. An administrator must look at this laptop\'s journal and the server\'s copy before it syncs again.',
        }, false);
      }

      // A journal that ends before what the server already acknowledged was restored from an old backup (or replaced).
      if (head.seq < ackSeq) {
        const stored = head.seq === 0 ? null : await trx.selectFrom('events').select('hash').where('device', '=', deviceId).where('seq', '=', head.seq).executeTakeFirst();
        const same = head.seq === 0 ? false : stored?.hash === head.hash;
        return refuse({
          code: same ? 'journal-went-back' : 'journal-forked',
          message: same
            ? `This laptop's journal ends at event ${head.seq}, but the server already holds its events up to ${ackSeq}: it was restored from an old backup.`
            : `This laptop's journal ends at event ${head.seq} with a different event than the server holds: it was restored from a backup or replaced.`,
          hint: 'Nothing was overwritten on the server. Stop using this laptop for changes and ask the administrator to restore its journal from the server.',
          details: { laptopSeq: head.seq, serverSeq: ackSeq },
        }, true);
      }

      // What the checks below need from the store, read once for the whole batch: the hashes of events already
      // acknowledged (a resent event is a duplicate only if it is the same) and which referenced blobs are held.
      const resent = items.filter((i) => i.event.device === deviceId && i.event.seq <= ackSeq).map((i) => i.event.seq);
      const storedHash = new Map<number, string>();
      for (let i = 0; i < resent.length; i += 500) {
        const rows = await trx.selectFrom('events').select(['seq', 'hash']).where('device', '=', deviceId).where('seq', 'in', resent.slice(i, i + 500)).execute();
        for (const r of rows) storedHash.set(Number(r.seq), r.hash);
      }
      const referenced = [...new Set(items.flatMap((i) => i.blobs))];
      const heldBlobs = new Set<string>();
      for (let i = 0; i < referenced.length; i += 500) {
        for (const r of await trx.selectFrom('blobs').select('sha256').where('sha256', 'in', referenced.slice(i, i + 500)).execute()) heldBlobs.add(r.sha256);
      }
      // Accepted rows are written in multi-row inserts, the valid prefix before any refusal included.
      const rows: ServerTables['events'][] = [];
      const flags: ServerTables['clock_flags'][] = [];
      const flush = async (): Promise<void> => {
        for (let i = 0; i < rows.length; i += INSERT_ROWS) await trx.insertInto('events').values(rows.slice(i, i + INSERT_ROWS)).execute();
        for (let i = 0; i < flags.length; i += INSERT_ROWS) await trx.insertInto('clock_flags').values(flags.slice(i, i + INSERT_ROWS)).execute();
        rows.length = 0;
        flags.length = 0;
      };
      const refuseAfterFlush = async (error: ErrorData, flag: boolean): Promise<IngestOutcome> => {
        await flush();
        return refuse(error, flag);
      };

      for (const item of items) {
        const e = item.event;
        if (e.device !== deviceId) {
          return refuseAfterFlush({ code: 'wrong-device', message: `Event seq ${e.seq} belongs to device ${e.device}, not to this laptop (${deviceId}).`, hint: 'A laptop pushes only its own events; other devices\' events reach the server from those devices.' }, false);
        }
        if (e.seq <= ackSeq) {
          if (storedHash.get(e.seq) === e.hash) {
            duplicates++;
            continue;
          }
          return refuseAfterFlush({
            code: 'journal-forked', message: `Event seq ${e.seq} differs from the event ${e.seq} the server already acknowledged for this laptop: its journal was restored from a backup or altered.`,
            hint: 'Nothing was overwritten on the server. Stop using this laptop for changes and ask the administrator to compare its journal with the server\'s copy.',
            details: { seq: e.seq },
          }, true);
        }
        if (e.seq !== ackSeq + 1) {
          return refuseAfterFlush({
            code: 'seq-gap', message: `Event seq ${e.seq} does not follow the last acknowledged event ${ackSeq}.`,
            hint: 'Sync again: the laptop sends from the server\'s acknowledged position.', details: { expected: ackSeq + 1, got: e.seq },
          }, false);
        }
        const problems = check(e, { seq: ackSeq, hash: ackHash });
        if (problems.length > 0) {
          return refuseAfterFlush({
            code: `event-${problems[0]!.kind}`, message: `The server refused ${describeProblems(problems)}.`,
            hint: problems[0]!.kind === 'signer-revoked'
              ? 'Nothing from this event on was accepted; everything before it was. The person may no longer sign: an administrator must decide what happens to this laptop\'s later records (they stay on the laptop).'
              : 'Run `baseline journal verify` on this laptop: its journal was altered or damaged. Nothing after this event was accepted.',
            details: { seq: e.seq, problems },
          }, false);
        }
        const blobs = [...new Set(item.blobs)];
        const missing = blobs.filter((b) => !heldBlobs.has(b));
        if (missing.length > 0) {
          return refuseAfterFlush({
            code: 'blob-missing', message: `Event seq ${e.seq} references content the server does not hold yet (${missing[0]!.slice(0, 12)}…).`,
            hint: 'Sync again: the laptop sends the content before the events that reference it.', details: { seq: e.seq, missing },
          }, false);
        }
        globalSeq++;
        rows.push({
          global_seq: globalSeq, device: e.device, seq: e.seq, id: e.id, prev: e.prev, type: e.type, payload: e.payload, actor: e.actor,
          at: e.at, hash: e.hash, sig: e.sig, blobs: JSON.stringify(blobs), received_at: nowIso,
        });
        for (const flag of clockFlags(e, previousAt, now, offsetMs)) {
          flags.push({ id: uuidv7(), device: deviceId, seq: e.seq, event_id: e.id, kind: flag.kind, message: flag.message, received_at: nowIso });
        }
        previousAt = e.at;
        ackSeq = e.seq;
        ackHash = e.hash;
        accepted++;
      }
      await flush();
      await this.finishIngest(trx, deviceId, ackSeq, ackHash, globalSeq, nowIso, deviceTime, null);
      return { acknowledgedSeq: ackSeq, accepted, duplicates, refusal: null };
    });
  }

  private async finishIngest(trx: Transaction<ServerTables>, deviceId: string, ackSeq: number, ackHash: string, globalSeq: number, nowIso: string, deviceTime: string, flag: string | null): Promise<void> {
    await trx.updateTable('counters').set({ value: globalSeq }).where('name', '=', 'global_seq').execute();
    const offset = Date.parse(deviceTime) - Date.parse(nowIso);
    await trx.updateTable('devices').set({
      acked_seq: ackSeq, acked_hash: ackSeq === 0 ? null : ackHash, last_seen_at: nowIso,
      ...(Number.isFinite(offset) ? { clock_offset_ms: offset } : {}),
      ...(flag !== null ? { flagged: flag, flagged_at: nowIso } : {}),
    }).where('device_id', '=', deviceId).execute();
    if (Number.isFinite(offset)) {
      await trx.insertInto('clock_offsets').values({ id: uuidv7(), device: deviceId, received_at: nowIso, device_time: deviceTime, offset_ms: offset }).execute();
    }
  }

  /**
   * Events after a global position in the server's order, other devices' only; `cursor` is the last position
   * examined (own events included), so the next pull starts after it.
   */
  async pull(deviceId: string, after: number, limit: number): Promise<{ events: StoredServerEvent[]; cursor: number; more: boolean }> {
    const rows = await this.db.selectFrom('events').selectAll().where('global_seq', '>', after).orderBy('global_seq').limit(limit + 1).execute();
    const page = rows.slice(0, limit);
    const events = page.filter((r) => r.device !== deviceId).map((r) => ({ globalSeq: Number(r.global_seq), event: wireOf(r), blobs: JSON.parse(r.blobs) as string[] }));
    const last = page[page.length - 1];
    return { events, cursor: last ? Number(last.global_seq) : after, more: rows.length > limit };
  }

  /** Every event of one device, in seq order (tests and the central view). */
  async deviceEvents(deviceId: string): Promise<WireEvent[]> {
    const rows = await this.db.selectFrom('events').selectAll().where('device', '=', deviceId).orderBy('seq').execute();
    return rows.map(wireOf);
  }

  /** Every stored event of one type, in global order. */
  async eventsOfType(type: string): Promise<WireEvent[]> {
    const rows = await this.db.selectFrom('events').selectAll().where('type', '=', type).orderBy('global_seq').execute();
    return rows.map(wireOf);
  }

  /** Number of events stored. */
  async eventCount(): Promise<number> {
    const row = await this.db.selectFrom('events').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** The events conflict rules read: change decisions, baseline approvals, lockouts, resolutions, and locked-out people's signatures. */
  async conflictEvents(): Promise<ConflictEvent[]> {
    const rows = await this.db.selectFrom('events').selectAll().where('type', 'in', [...CONFLICT_EVENT_TYPES]).orderBy('global_seq').execute();
    const locked = new Set<string>();
    for (const r of rows) {
      const fp = r.type === 'person.locked' ? /"fingerprint":"([0-9a-f]{64})"/.exec(r.payload)?.[1] : undefined;
      if (fp) locked.add(fp);
    }
    const more: typeof rows = [];
    for (const fp of locked) {
      more.push(...await this.db.selectFrom('events').selectAll().where('type', 'not in', [...CONFLICT_EVENT_TYPES]).where('payload', 'like', `%${fp}%`).orderBy('global_seq').execute());
    }
    const out: ConflictEvent[] = [];
    for (const r of [...rows, ...more]) {
      try {
        out.push({ id: r.id, device: r.device, seq: Number(r.seq), type: r.type, at: r.at, payload: JSON.parse(r.payload) as unknown });
      } catch {
        // An unreadable payload decides nothing.
      }
    }
    return out;
  }

  /** Stores a central revocation (one per device or person; a second one of the same subject keeps the first). */
  async addRevocation(r: CentralRevocation): Promise<CentralRevocation> {
    await this.db.insertInto('central_revocations').values({ id: r.id, kind: r.kind, subject: r.subject, reason: r.reason, revoked_at: r.revokedAt, statement: r.statement, signature: r.signature })
      .onConflict((oc) => oc.columns(['kind', 'subject']).doNothing()).execute();
    return (await this.revocations()).find((x) => x.kind === r.kind && x.subject === r.subject)!;
  }

  /** Every central revocation, oldest first. */
  async revocations(): Promise<CentralRevocation[]> {
    const rows = await this.db.selectFrom('central_revocations').selectAll().orderBy('revoked_at').orderBy('id').execute();
    return rows.map((r) => ({ id: r.id, kind: r.kind === 'device' ? 'device' as const : 'person' as const, subject: r.subject, reason: r.reason, revokedAt: r.revoked_at, statement: r.statement, signature: r.signature }));
  }

  /** Certificate fingerprints of the people an employee id was enrolled as (from the journals the server holds). */
  async personFingerprints(employeeId: string): Promise<{ fingerprint: string; name: string }[]> {
    const rows = await this.db.selectFrom('events').select('payload').where('type', '=', 'person.enrolled').where('payload', 'like', `%${employeeId}%`).execute();
    const out = new Map<string, string>();
    for (const r of rows) {
      try {
        const p = JSON.parse(r.payload) as { employeeId?: unknown; fingerprint?: unknown; name?: unknown };
        if (p.employeeId === employeeId && typeof p.fingerprint === 'string') out.set(p.fingerprint, typeof p.name === 'string' ? p.name : employeeId);
      } catch {
        // not readable: not a person
      }
    }
    return [...out].map(([fingerprint, name]) => ({ fingerprint, name }));
  }

  /** Events flagged for an implausible device time (of one device, when given), in the order flagged. */
  async clockFlags(device?: string): Promise<{ device: string; seq: number; eventId: string; kind: ClockFlagKind; message: string; receivedAt: string }[]> {
    let q = this.db.selectFrom('clock_flags').selectAll().orderBy('received_at').orderBy('seq');
    if (device !== undefined) q = q.where('device', '=', device);
    return (await q.execute()).map((r) => ({ device: r.device, seq: Number(r.seq), eventId: r.event_id, kind: r.kind as ClockFlagKind, message: r.message, receivedAt: r.received_at }));
  }
}
