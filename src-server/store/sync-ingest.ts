/**
 * Ingest of a device's pushed events into the server's union journal (ARCHITECTURE §8): each event checked as the
 * next link of its device's chain, the valid prefix stored with global sequence numbers, the first refusal and
 * implausible device times recorded, all in one transaction. Part of the server's repository (sync-store.ts).
 *
 * Ingest is serialised by a row lock on the global counter (PostgreSQL `FOR UPDATE`; SQLite has one writer),
 * so global sequence numbers are assigned in commit order and a pull never skips an event committed later
 * with a smaller number.
 */
import { v7 as uuidv7 } from 'uuid';
import type { Transaction } from 'kysely';
import { GENESIS_PREV, type EventProblem } from '../../src-shared/common/journal-event.ts';
import type { ErrorData } from '../../src-shared/common/errors.ts';
import type { WireEvent } from '../../src-shared/common/sync/sync-protocol.ts';
import {
  DEFAULT_CLOCK_SKEW_LIMIT_MS,
  clockAttestationStatement,
  clockFlags,
  type ClockAttestationBody,
} from '../../src-shared/common/sync/clock-flags.ts';
import { describeProblems, type ChainHead } from '../../src-shared/node/chain-ingest.ts';
import type { ServerDatabase, ServerTables } from './server-database.ts';

/** Rows per multi-row INSERT (13 columns: well under SQLite's and PostgreSQL's bound-parameter limits). */
const INSERT_ROWS = 250;

/** What an ingest did: how far the chain is acknowledged, and the refusal that stopped it, if any. */
export interface IngestOutcome {
  acknowledgedSeq: number;
  accepted: number;
  duplicates: number;
  refusal: ErrorData | null;
}

/** How ingest judges device times: the policy's skew limit, and the plant CA's signature over a push's flags. */
export interface ClockJudgement {
  skewLimitMs: number;
  /**
   * Whether `deviceTime` is the laptop's clock as the data arrived (online push) or only when a sync bundle was
   * written (false): a bundle may travel for days on removable media, so its time says nothing of the laptop's
   * clock at import. No offset is measured for it; the events' own times are still checked (set back, in the future).
   */
  liveDeviceTime: boolean;
  /** Signs an attestation statement with the plant CA's key (base64). */
  attest(statement: string): string;
}

/** The query locking its rows for the transaction on PostgreSQL; SQLite has a single writer (and no FOR UPDATE). */
export function lockable<Q extends { forUpdate(): Q }>(server: ServerDatabase, query: Q): Q {
  return server.dialect === 'postgres' ? query.forUpdate() : query;
}

/**
 * Where the events come from: an online push, whose head is the laptop's journal now, or a sync bundle, whose head is
 * the laptop's journal when the bundle was written (an older bundle, imported after newer ones, ends before what the
 * server already holds without its journal having gone back).
 */
export type IngestSource = 'push' | 'bundle';

export async function ingestPush(
  server: ServerDatabase,
  deviceId: string,
  items: readonly { event: WireEvent; blobs: string[] }[],
  head: { seq: number; hash: string | null },
  deviceTime: string,
  now: Date,
  check: (event: WireEvent, chain: ChainHead) => EventProblem[],
  clock: ClockJudgement | null = null,
  source: IngestSource = 'push',
): Promise<IngestOutcome> {
  return server.db.transaction().execute(async (trx) => {
    const counter = await lockable(
      server,
      trx.selectFrom('counters').select('value').where('name', '=', 'global_seq'),
    ).executeTakeFirstOrThrow();
    const device = await trx.selectFrom('devices').selectAll().where('device_id', '=', deviceId).executeTakeFirstOrThrow();
    let ackSeq = Number(device.acked_seq);
    let ackHash = device.acked_hash ?? GENESIS_PREV;
    let globalSeq = Number(counter.value);
    let accepted = 0;
    let duplicates = 0;
    const nowIso = now.toISOString();
    const offsetMs =
      clock?.liveDeviceTime !== false && Number.isFinite(Date.parse(deviceTime)) ? Date.parse(deviceTime) - now.getTime() : null;
    let previousAt =
      (await trx.selectFrom('events').select('at').where('device', '=', deviceId).orderBy('seq', 'desc').limit(1).executeTakeFirst())?.at ??
      null;
    const skewLimitMs = clock?.skewLimitMs ?? DEFAULT_CLOCK_SKEW_LIMIT_MS;
    const flagged: ClockAttestationBody['flags'] = [];
    // The push's flags, signed once for the push, stored beside its last event's global position.
    const attest = async () => {
      if (flagged.length === 0 || !clock) return;
      for (let i = 0; i < flagged.length; i += 1000) {
        const body: ClockAttestationBody = {
          schema: 'baseline.clock-flags/1',
          id: uuidv7(),
          device: deviceId,
          deviceName: device.name,
          receivedAt: nowIso,
          deviceTime: deviceTime.slice(0, 64),
          offsetMs,
          skewLimitMs,
          flags: flagged.slice(i, i + 1000),
        };
        const statement = clockAttestationStatement(body);
        await trx
          .insertInto('clock_attestations')
          .values({ id: body.id, device: deviceId, global_seq: globalSeq, statement, signature: clock.attest(statement) })
          .execute();
      }
    };

    const refuse = async (error: ErrorData, flag: boolean): Promise<IngestOutcome> => {
      await attest();
      await trx
        .insertInto('refusals')
        .values({
          id: uuidv7(),
          device: deviceId,
          at: nowIso,
          code: error.code,
          message: error.message,
          details: JSON.stringify(error.details ?? {}),
        })
        .execute();
      await finishIngest(trx, deviceId, ackSeq, ackHash, globalSeq, nowIso, deviceTime, offsetMs, flag ? error.message : null);
      return { acknowledgedSeq: ackSeq, accepted, duplicates, refusal: error };
    };

    if (device.flagged !== null) {
      return refuse(
        {
          code: 'device-flagged',
          message: `The server stopped taking events from this laptop: ${device.flagged}`,
          hint: "Nothing was overwritten. An administrator must look at this laptop's journal and the server's copy before it syncs again.",
        },
        false,
      );
    }

    // A journal that ends before what the server already acknowledged was restored from an old backup (or replaced).
    // An older bundle ends there too: it stops nothing while it is the same chain (its events are checked below).
    if (head.seq < ackSeq) {
      const stored =
        head.seq === 0
          ? null
          : await trx.selectFrom('events').select('hash').where('device', '=', deviceId).where('seq', '=', head.seq).executeTakeFirst();
      const same = head.seq === 0 ? false : stored?.hash === head.hash;
      if (!(same && source === 'bundle'))
        return refuse(
          {
            code: same ? 'journal-went-back' : 'journal-forked',
            message: same
              ? `This laptop's journal ends at event ${head.seq}, but the server already holds its events up to ${ackSeq}: it was restored from an old backup.`
              : `This laptop's journal ends at event ${head.seq} with a different event than the server holds: it was restored from a backup or replaced.`,
            hint: 'Nothing was overwritten on the server. Stop using this laptop for changes and ask the administrator to restore its journal from the server.',
            details: { laptopSeq: head.seq, serverSeq: ackSeq },
          },
          true,
        );
    }

    // What the checks below need from the store, read once for the whole batch: the hashes of events already
    // acknowledged (a resent event is a duplicate only if it is the same) and which referenced blobs are held.
    const resent = items.filter((i) => i.event.device === deviceId && i.event.seq <= ackSeq).map((i) => i.event.seq);
    const storedHash = new Map<number, string>();
    for (let i = 0; i < resent.length; i += 500) {
      const rows = await trx
        .selectFrom('events')
        .select(['seq', 'hash'])
        .where('device', '=', deviceId)
        .where('seq', 'in', resent.slice(i, i + 500))
        .execute();
      for (const r of rows) storedHash.set(Number(r.seq), r.hash);
    }
    const referenced = [...new Set(items.flatMap((i) => i.blobs))];
    const heldBlobs = new Set<string>();
    for (let i = 0; i < referenced.length; i += 500) {
      for (const r of await trx
        .selectFrom('blobs')
        .select('sha256')
        .where('sha256', 'in', referenced.slice(i, i + 500))
        .execute())
        heldBlobs.add(r.sha256);
    }
    // Accepted rows are written in multi-row inserts, the valid prefix before any refusal included.
    const rows: ServerTables['events'][] = [];
    const flags: ServerTables['clock_flags'][] = [];
    const flush = async (): Promise<void> => {
      for (let i = 0; i < rows.length; i += INSERT_ROWS)
        await trx
          .insertInto('events')
          .values(rows.slice(i, i + INSERT_ROWS))
          .execute();
      for (let i = 0; i < flags.length; i += INSERT_ROWS)
        await trx
          .insertInto('clock_flags')
          .values(flags.slice(i, i + INSERT_ROWS))
          .execute();
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
        return refuseAfterFlush(
          {
            code: 'wrong-device',
            message: `Event seq ${e.seq} belongs to device ${e.device}, not to this laptop (${deviceId}).`,
            hint: "A laptop pushes only its own events; other devices' events reach the server from those devices.",
          },
          false,
        );
      }
      if (e.seq <= ackSeq) {
        if (storedHash.get(e.seq) === e.hash) {
          duplicates++;
          continue;
        }
        return refuseAfterFlush(
          {
            code: 'journal-forked',
            message: `Event seq ${e.seq} differs from the event ${e.seq} the server already acknowledged for this laptop: its journal was restored from a backup or altered.`,
            hint: "Nothing was overwritten on the server. Stop using this laptop for changes and ask the administrator to compare its journal with the server's copy.",
            details: { seq: e.seq },
          },
          true,
        );
      }
      if (e.seq !== ackSeq + 1) {
        return refuseAfterFlush(
          {
            code: 'seq-gap',
            message: `Event seq ${e.seq} does not follow the last acknowledged event ${ackSeq}.`,
            hint: "Sync again: the laptop sends from the server's acknowledged position.",
            details: { expected: ackSeq + 1, got: e.seq },
          },
          false,
        );
      }
      const problems = check(e, { seq: ackSeq, hash: ackHash });
      if (problems.length > 0) {
        return refuseAfterFlush(
          {
            code: `event-${problems[0]!.kind}`,
            message: `The server refused ${describeProblems(problems)}.`,
            hint:
              problems[0]!.kind === 'signer-revoked'
                ? "Nothing from this event on was accepted; everything before it was. The person may no longer sign: an administrator must decide what happens to this laptop's later records (they stay on the laptop)."
                : 'Run `baseline journal verify` on this laptop: its journal was altered or damaged. Nothing after this event was accepted.',
            details: { seq: e.seq, problems },
          },
          false,
        );
      }
      const blobs = [...new Set(item.blobs)];
      const missing = blobs.filter((b) => !heldBlobs.has(b));
      if (missing.length > 0) {
        return refuseAfterFlush(
          {
            code: 'blob-missing',
            message: `Event seq ${e.seq} references content the server does not hold yet (${missing[0]!.slice(0, 12)}…).`,
            hint: 'Sync again: the laptop sends the content before the events that reference it.',
            details: { seq: e.seq, missing },
          },
          false,
        );
      }
      globalSeq++;
      rows.push({
        global_seq: globalSeq,
        device: e.device,
        seq: e.seq,
        id: e.id,
        prev: e.prev,
        type: e.type,
        payload: e.payload,
        actor: e.actor,
        at: e.at,
        hash: e.hash,
        sig: e.sig,
        blobs: JSON.stringify(blobs),
        received_at: nowIso,
      });
      for (const flag of clockFlags(e, previousAt, now, offsetMs, skewLimitMs)) {
        flags.push({
          id: uuidv7(),
          device: deviceId,
          seq: e.seq,
          event_id: e.id,
          kind: flag.kind,
          message: flag.message,
          received_at: nowIso,
        });
        flagged.push({ seq: e.seq, eventId: e.id, at: e.at.slice(0, 64), kind: flag.kind, message: flag.message });
      }
      previousAt = e.at;
      ackSeq = e.seq;
      ackHash = e.hash;
      accepted++;
    }
    await flush();
    await attest();
    await finishIngest(trx, deviceId, ackSeq, ackHash, globalSeq, nowIso, deviceTime, offsetMs, null);
    return { acknowledgedSeq: ackSeq, accepted, duplicates, refusal: null };
  });
}

async function finishIngest(
  trx: Transaction<ServerTables>,
  deviceId: string,
  ackSeq: number,
  ackHash: string,
  globalSeq: number,
  nowIso: string,
  deviceTime: string,
  offset: number | null,
  flag: string | null,
): Promise<void> {
  await trx.updateTable('counters').set({ value: globalSeq }).where('name', '=', 'global_seq').execute();
  await trx
    .updateTable('devices')
    .set({
      acked_seq: ackSeq,
      acked_hash: ackSeq === 0 ? null : ackHash,
      last_seen_at: nowIso,
      ...(offset !== null ? { clock_offset_ms: offset } : {}),
      ...(flag !== null ? { flagged: flag, flagged_at: nowIso } : {}),
    })
    .where('device_id', '=', deviceId)
    .execute();
  if (offset !== null) {
    await trx
      .insertInto('clock_offsets')
      .values({ id: uuidv7(), device: deviceId, received_at: nowIso, device_time: deviceTime, offset_ms: offset })
      .execute();
  }
}
