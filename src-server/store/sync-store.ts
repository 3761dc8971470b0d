/**
 * The server's repository: enrolment codes, devices, the union journal with its global order, blob records,
 * refusals and clock offsets. Every SQL statement of the server is here or in sync-ingest.ts (the push's
 * ingest, in one transaction), written once for both dialects.
 */
import { v7 as uuidv7 } from 'uuid';
import type { Kysely } from 'kysely';
import type { ErrorData } from '../../src-shared/common/errors.ts';
import type { WireEvent } from '../../src-shared/common/sync/sync-protocol.ts';
import type { CentralRevocation } from '../../src-shared/common/sync/central-revocation.ts';
import type { ClockAttestation, ClockFlagKind } from '../../src-shared/common/sync/clock-flags.ts';
import { CONFLICT_EVENT_TYPES, type ConflictEvent } from '../../src-shared/common/sync/journal-conflicts.ts';
import type { ServerDatabase, ServerTables } from './server-database.ts';
import { ingestPush, lockable, type IngestOutcome } from './sync-ingest.ts';

export type { ClockJudgement, IngestOutcome } from './sync-ingest.ts';

/** A parameter list without its first entry. */
type DropFirst<T extends unknown[]> = T extends [unknown, ...infer R] ? R : never;

/** A device as the server knows it. */
export type DeviceRow = ServerTables['devices'];

/** Outcome of using an enrolment code. */
export type CodeUse = 'ok' | 'unknown' | 'used' | 'expired';

/** One stored event with its global position. */
export interface StoredServerEvent {
  globalSeq: number;
  event: WireEvent;
  blobs: string[];
}

function wireOf(r: ServerTables['events']): WireEvent {
  return {
    id: r.id,
    device: r.device,
    seq: Number(r.seq),
    prev: r.prev,
    type: r.type,
    payload: r.payload,
    actor: r.actor,
    at: r.at,
    hash: r.hash,
    sig: r.sig,
  };
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
    await this.db
      .insertInto('server_info')
      .values({ key, value })
      .onConflict((oc) => oc.column('key').doNothing())
      .execute();
    return (await this.info(key)) ?? value;
  }

  /** Stores a new enrolment code (only its hash). */
  async addEnrolCode(codeHash: string, createdAt: Date, expiresAt: Date): Promise<void> {
    await this.db
      .insertInto('enrol_codes')
      .values({
        code_hash: codeHash,
        created_at: createdAt.toISOString(),
        expires_at: expiresAt.toISOString(),
        used_at: null,
        used_by: null,
      })
      .execute();
  }

  /**
   * Uses an enrolment code for a device and enrols it, in one transaction: a code enrols one device, before it expires.
   * `enrol` runs only for a usable code and returns the device row to store.
   */
  async useCodeAndEnrol(
    codeHash: string,
    now: Date,
    deviceId: string,
    enrol: () => DeviceRow,
  ): Promise<{ use: CodeUse; device: DeviceRow | null }> {
    return this.db.transaction().execute(async (trx) => {
      const code = await lockable(
        this.server,
        trx.selectFrom('enrol_codes').selectAll().where('code_hash', '=', codeHash),
      ).executeTakeFirst();
      if (!code) return { use: 'unknown' as const, device: null };
      // The same device retrying (its first answer was lost on the way) gets a fresh token; anyone else is refused.
      if (code.used_at !== null && code.used_by !== deviceId) return { use: 'used' as const, device: null };
      if (new Date(code.expires_at) <= now) return { use: 'expired' as const, device: null };
      await trx
        .updateTable('enrol_codes')
        .set({ used_at: now.toISOString(), used_by: deviceId })
        .where('code_hash', '=', codeHash)
        .execute();
      const row = enrol();
      await trx
        .insertInto('devices')
        .values(row)
        .onConflict((oc) =>
          oc.column('device_id').doUpdateSet({
            name: row.name,
            certificate_pem: row.certificate_pem,
            certificate_fingerprint: row.certificate_fingerprint,
            token_hash: row.token_hash,
            enrolled_at: row.enrolled_at,
          }),
        )
        .execute();
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
    await this.db
      .insertInto('refusals')
      .values({
        id: uuidv7(),
        device,
        at: at.toISOString(),
        code: error.code,
        message: error.message,
        details: JSON.stringify(error.details ?? {}),
      })
      .execute();
  }

  /** How many enrolment attempts were refused for their code since a time (enrolment by file counts them to slow guessing). */
  async enrolCodeRefusalsSince(since: Date): Promise<number> {
    const row = await this.db
      .selectFrom('refusals')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('code', 'in', ['enrol-code-wrong', 'enrol-code-used', 'enrol-code-expired'])
      .where('at', '>=', since.toISOString())
      .executeTakeFirstOrThrow();
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
    const rows = await this.db
      .selectFrom('clock_offsets')
      .select(['received_at', 'device_time', 'offset_ms'])
      .where('device', '=', device)
      .orderBy('id')
      .execute();
    return rows.map((r) => ({ receivedAt: r.received_at, deviceTime: r.device_time, offsetMs: Number(r.offset_ms) }));
  }

  /** Records that the server holds a blob (its bytes are already on disk). */
  async addBlob(sha256: string, size: number, at: Date): Promise<void> {
    await this.db
      .insertInto('blobs')
      .values({ sha256, size, stored_at: at.toISOString() })
      .onConflict((oc) => oc.column('sha256').doNothing())
      .execute();
  }

  /** Which of these blobs the server does not hold. */
  async missingBlobs(hashes: readonly string[]): Promise<string[]> {
    if (hashes.length === 0) return [];
    const held = new Set<string>();
    for (let i = 0; i < hashes.length; i += 500) {
      const rows = await this.db
        .selectFrom('blobs')
        .select('sha256')
        .where('sha256', 'in', hashes.slice(i, i + 500))
        .execute();
      for (const r of rows) held.add(r.sha256);
    }
    return [...new Set(hashes)].filter((h) => !held.has(h));
  }

  /** Whether the server holds a blob record. */
  async hasBlob(sha256: string): Promise<boolean> {
    return (await this.db.selectFrom('blobs').select('sha256').where('sha256', '=', sha256).executeTakeFirst()) !== undefined;
  }

  /**
   * Stores a device's pushed events after checking each; keeps the valid prefix, stops at the first refusal, and
   * records refusals and flags in the same transaction (sync-ingest.ts, where the arguments are described).
   */
  ingest(...args: DropFirst<Parameters<typeof ingestPush>>): Promise<IngestOutcome> {
    return ingestPush(this.server, ...args);
  }

  /**
   * Events after a global position in the server's order, other devices' only; `cursor` is the last position
   * examined (own events included), so the next pull starts after it.
   */
  async pull(deviceId: string, after: number, limit: number): Promise<{ events: StoredServerEvent[]; cursor: number; more: boolean }> {
    const rows = await this.db
      .selectFrom('events')
      .selectAll()
      .where('global_seq', '>', after)
      .orderBy('global_seq')
      .limit(limit + 1)
      .execute();
    const page = rows.slice(0, limit);
    const events = page
      .filter((r) => r.device !== deviceId)
      .map((r) => ({ globalSeq: Number(r.global_seq), event: wireOf(r), blobs: JSON.parse(r.blobs) as string[] }));
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
    const row = await this.db
      .selectFrom('events')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** The events conflict rules read: change decisions, baseline approvals, lockouts, resolutions, and locked-out people's signatures. */
  async conflictEvents(): Promise<ConflictEvent[]> {
    const rows = await this.db
      .selectFrom('events')
      .selectAll()
      .where('type', 'in', [...CONFLICT_EVENT_TYPES])
      .orderBy('global_seq')
      .execute();
    const locked = new Set<string>();
    for (const r of rows) {
      const fp = r.type === 'person.locked' ? /"fingerprint":"([0-9a-f]{64})"/.exec(r.payload)?.[1] : undefined;
      if (fp) locked.add(fp);
    }
    const more: typeof rows = [];
    for (const fp of locked) {
      more.push(
        ...(await this.db
          .selectFrom('events')
          .selectAll()
          .where('type', 'not in', [...CONFLICT_EVENT_TYPES])
          .where('payload', 'like', `%${fp}%`)
          .orderBy('global_seq')
          .execute()),
      );
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
    await this.db
      .insertInto('central_revocations')
      .values({
        id: r.id,
        kind: r.kind,
        subject: r.subject,
        reason: r.reason,
        revoked_at: r.revokedAt,
        statement: r.statement,
        signature: r.signature,
      })
      .onConflict((oc) => oc.columns(['kind', 'subject']).doNothing())
      .execute();
    return (await this.revocations()).find((x) => x.kind === r.kind && x.subject === r.subject)!;
  }

  /** Every central revocation, oldest first. */
  async revocations(): Promise<CentralRevocation[]> {
    const rows = await this.db.selectFrom('central_revocations').selectAll().orderBy('revoked_at').orderBy('id').execute();
    return rows.map((r) => ({
      id: r.id,
      kind: r.kind === 'device' ? ('device' as const) : ('person' as const),
      subject: r.subject,
      reason: r.reason,
      revokedAt: r.revoked_at,
      statement: r.statement,
      signature: r.signature,
    }));
  }

  /** Certificate fingerprints of the people an employee id was enrolled as (from the journals the server holds). */
  async personFingerprints(employeeId: string): Promise<{ fingerprint: string; name: string }[]> {
    const rows = await this.db
      .selectFrom('events')
      .select('payload')
      .where('type', '=', 'person.enrolled')
      .where('payload', 'like', `%${employeeId}%`)
      .execute();
    const out = new Map<string, string>();
    for (const r of rows) {
      try {
        const p = JSON.parse(r.payload) as { employeeId?: unknown; fingerprint?: unknown; name?: unknown };
        if (p.employeeId === employeeId && typeof p.fingerprint === 'string')
          out.set(p.fingerprint, typeof p.name === 'string' ? p.name : employeeId);
      } catch {
        // not readable: not a person
      }
    }
    return [...out].map(([fingerprint, name]) => ({ fingerprint, name }));
  }

  /** Events flagged for an implausible device time (of one device, when given), in the order flagged. */
  async clockFlags(
    device?: string,
  ): Promise<{ device: string; seq: number; eventId: string; kind: ClockFlagKind; message: string; receivedAt: string }[]> {
    let q = this.db.selectFrom('clock_flags').selectAll().orderBy('received_at').orderBy('seq');
    if (device !== undefined) q = q.where('device', '=', device);
    return (await q.execute()).map((r) => ({
      device: r.device,
      seq: Number(r.seq),
      eventId: r.event_id,
      kind: r.kind as ClockFlagKind,
      message: r.message,
      receivedAt: r.received_at,
    }));
  }

  /** Clock attestations of pushes whose last event lies in (after, through] of the global order: what a pull page carries. */
  async clockAttestations(after: number, through: number): Promise<ClockAttestation[]> {
    if (through <= after) return [];
    const rows = await this.db
      .selectFrom('clock_attestations')
      .select(['id', 'statement', 'signature'])
      .where('global_seq', '>', after)
      .where('global_seq', '<=', through)
      .orderBy('global_seq')
      .orderBy('id')
      .execute();
    return rows.map((r) => ({ id: r.id, statement: r.statement, signature: r.signature }));
  }

  /** The YAML of the newest `policy.adopted` event the server holds (the policy in force across the plant), or null. */
  async latestPolicy(): Promise<{ id: string; yaml: string } | null> {
    const row = await this.db
      .selectFrom('events')
      .select(['id', 'payload'])
      .where('type', '=', 'policy.adopted')
      .orderBy('global_seq', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (!row) return null;
    try {
      const p = JSON.parse(row.payload) as { yaml?: unknown };
      return typeof p.yaml === 'string' ? { id: row.id, yaml: p.yaml } : null;
    } catch {
      return null;
    }
  }
}
