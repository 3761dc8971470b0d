/**
 * The laptop's side of sync in its store: where the server's acknowledgement and the pull cursor stand, this
 * device's events to push, and other devices' events stored (with their projections) as they arrive.
 *
 * Pulled events are inserted exactly as the recording laptop stored them (the same canonical text, hash and
 * signature), so a laptop's journal holds events of several devices, each chain verifiable on its own.
 */
import type Database from 'better-sqlite3';
import { BaselineError, type ErrorData } from '../../src-shared/common/errors.ts';
import { GENESIS_PREV, type EventProblem } from '../../src-shared/common/journal-event.ts';
import { changeDecisionFact, type ChangeDecisionFact } from '../../src-shared/common/sync/change-conflicts.ts';
import { CONFLICT_EVENT_TYPES, type ConflictEvent } from '../../src-shared/common/sync/journal-conflicts.ts';
import type { WireEvent } from '../../src-shared/common/sync/sync-protocol.ts';
import { CentralRevocationSchema, type CentralRevocation } from '../../src-shared/common/sync/central-revocation.ts';
import { ClockAttestationSchema, type ClockAttestation } from '../../src-shared/common/sync/clock-flags.ts';
import { describeProblems, type ChainHead } from '../../src-shared/node/chain-ingest.ts';
import { parseStoredRow } from '../../src-shared/node/journal-verifier.ts';
import { project } from './projections.ts';

const COLUMNS = 'id, device, seq, prev, type, payload, actor, at, hash, sig';

/** Outcome of storing a page of pulled events. */
export interface PulledOutcome {
  stored: number;
  alreadyHeld: number;
  /** The first event refused (nothing after it in the page was stored), or null. */
  refusal: ErrorData | null;
}

/** Sync bookkeeping and foreign events in the laptop store. */
export class SyncRepository {
  private readonly db: Database.Database;

  constructor(db: Database.Database) {
    this.db = db;
  }

  /** A sync setting (acknowledged seq, pull cursor), or null. */
  get(key: string): string | null {
    return (this.db.prepare('SELECT value FROM sync_state WHERE key = ?').get(key) as { value: string } | undefined)?.value ?? null;
  }

  /** Sets a sync setting. */
  set(key: string, value: string): void {
    this.db
      .prepare('INSERT INTO sync_state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value')
      .run(key, value);
  }

  /** Where a device's chain stands in this store. */
  head(device: string): ChainHead {
    const row = this.db.prepare('SELECT seq, hash FROM events WHERE device = ? ORDER BY seq DESC LIMIT 1').get(device) as
      { seq: number; hash: string } | undefined;
    return row ? { seq: row.seq, hash: row.hash } : { seq: 0, hash: GENESIS_PREV };
  }

  /** This device's events after a seq, oldest first, as stored. */
  eventsAfter(device: string, seq: number, limit: number): WireEvent[] {
    return this.db
      .prepare(`SELECT ${COLUMNS} FROM events WHERE device = ? AND seq > ? ORDER BY seq LIMIT ?`)
      .all(device, seq, limit) as WireEvent[];
  }

  /** Other devices' events held here, in the order they were stored (evidence backups carry them so a restore projects as this store did). */
  foreignEventsInStoredOrder(device: string): { order: number; event: WireEvent }[] {
    return (
      this.db.prepare(`SELECT rowid AS rowOrder, ${COLUMNS} FROM events WHERE device != ? ORDER BY rowid`).all(device) as (WireEvent & {
        rowOrder: number;
      })[]
    ).map(({ rowOrder, ...event }) => ({ order: rowOrder, event }));
  }

  /** The stored order (rowid) of this device's events after a seq. */
  storedOrder(device: string): Map<number, number> {
    return new Map(
      (this.db.prepare('SELECT seq, rowid AS o FROM events WHERE device = ?').all(device) as { seq: number; o: number }[]).map((r) => [
        r.seq,
        r.o,
      ]),
    );
  }

  /** How many of a device's events come after a seq. */
  countAfter(device: string, seq: number): number {
    return (this.db.prepare('SELECT count(*) AS n FROM events WHERE device = ? AND seq > ?').get(device, seq) as { n: number }).n;
  }

  /** The public key a device announced here (its stored `device.created`), or null. */
  knownDeviceKey(device: string): string | null {
    return (
      (this.db.prepare('SELECT public_key_pem FROM devices WHERE id = ?').get(device) as { public_key_pem: string } | undefined)
        ?.public_key_pem ?? null
    );
  }

  /**
   * Stores pulled events in one transaction with their projections and the new cursor. Each must continue its
   * device's chain (`check`); an event already held with the same hash is skipped; a different event at the same
   * position, or one that fails its check, stops the page there (the events before it stay stored).
   */
  storePulled(
    items: readonly { globalSeq: number; event: WireEvent }[],
    endCursor: number,
    check: (e: WireEvent, head: ChainHead) => EventProblem[],
  ): PulledOutcome {
    const run = this.db.transaction((): PulledOutcome => {
      let stored = 0;
      let alreadyHeld = 0;
      const insert = this.db.prepare(`INSERT INTO events (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
      const at = this.db.prepare('SELECT hash FROM events WHERE device = ? AND seq = ?');
      for (const { globalSeq, event: e } of items) {
        const held = at.get(e.device, e.seq) as { hash: string } | undefined;
        if (held) {
          if (held.hash === e.hash) {
            alreadyHeld++;
            continue;
          }
          this.set('pull-cursor', String(globalSeq - 1));
          return {
            stored,
            alreadyHeld,
            refusal: {
              code: 'pulled-event-differs',
              message: `The server sent event seq ${e.seq} of device ${e.device}, but this laptop holds a different event at that position.`,
              hint: "Nothing was overwritten. Ask the administrator to compare that device's journal on the server with this laptop's copy.",
              details: { device: e.device, seq: e.seq },
            },
          };
        }
        const problems = check(e, this.head(e.device));
        if (problems.length > 0) {
          this.set('pull-cursor', String(globalSeq - 1));
          return {
            stored,
            alreadyHeld,
            refusal: {
              code: `pulled-${problems[0]!.kind}`,
              message: `This laptop refused ${describeProblems(problems)}, received from the server.`,
              hint: 'Nothing from that event on was stored. The server or that device holds a damaged or forged event; tell the administrator.',
              details: { problems },
            },
          };
        }
        const parsed = parseStoredRow(e);
        if ('error' in parsed)
          throw new BaselineError(
            'pulled-event-unreadable',
            `Event seq ${e.seq} of device ${e.device} cannot be read: ${parsed.error}.`,
            'Tell the administrator; nothing from it was stored.',
          );
        insert.run(e.id, e.device, e.seq, e.prev, e.type, e.payload, e.actor, e.at, e.hash, e.sig);
        project(this.db, { ...parsed.body, hash: e.hash, sig: e.sig }, false);
        stored++;
      }
      this.set('pull-cursor', String(endCursor));
      return { stored, alreadyHeld, refusal: null };
    });
    return run.immediate();
  }

  /** Every change decision in this journal, of every device (for conflict rules). */
  changeFacts(): ChangeDecisionFact[] {
    const rows = this.db
      .prepare("SELECT id, device, seq, type, at, payload FROM events WHERE type = 'change.updated' ORDER BY rowid")
      .all() as { id: string; device: string; seq: number; type: string; at: string; payload: string }[];
    const out: ChangeDecisionFact[] = [];
    for (const r of rows) {
      let payload: unknown;
      try {
        payload = JSON.parse(r.payload);
      } catch {
        continue;
      }
      const f = changeDecisionFact({ ...r, payload });
      if (f) out.push(f);
    }
    return out;
  }

  /**
   * The events conflict rules read, of every device: change decisions, baseline approvals, lockouts, resolutions,
   * and every event that carries the signature of a person locked out somewhere.
   */
  conflictEvents(): ConflictEvent[] {
    const marks = CONFLICT_EVENT_TYPES.map(() => '?').join(', ');
    const rows = this.db
      .prepare(`SELECT id, device, seq, type, at, payload FROM events WHERE type IN (${marks}) ORDER BY rowid`)
      .all(...CONFLICT_EVENT_TYPES) as { id: string; device: string; seq: number; type: string; at: string; payload: string }[];
    const locked = new Set<string>();
    for (const r of rows) {
      if (r.type !== 'person.locked') continue;
      const fp = /"fingerprint":"([0-9a-f]{64})"/.exec(r.payload)?.[1];
      if (fp) locked.add(fp);
    }
    const more = [...locked].flatMap(
      (fp) =>
        this.db
          .prepare(
            `SELECT id, device, seq, type, at, payload FROM events WHERE type NOT IN (${marks}) AND instr(payload, ?) > 0 ORDER BY rowid`,
          )
          .all(...CONFLICT_EVENT_TYPES, fp) as typeof rows,
    );
    const out: ConflictEvent[] = [];
    for (const r of [...rows, ...more]) {
      try {
        out.push({ id: r.id, device: r.device, seq: r.seq, type: r.type, at: r.at, payload: JSON.parse(r.payload) as unknown });
      } catch {
        // An unreadable payload decides nothing; journal verification reports it.
      }
    }
    return out;
  }

  /** Central revocations this laptop has recorded (`revocation.synced`), oldest first. */
  syncedRevocations(): CentralRevocation[] {
    const rows = this.db.prepare("SELECT payload FROM events WHERE type = 'revocation.synced' ORDER BY rowid").all() as {
      payload: string;
    }[];
    const out: CentralRevocation[] = [];
    for (const r of rows) {
      const parsed = CentralRevocationSchema.safeParse(JSON.parse(r.payload));
      if (parsed.success) out.push(parsed.data);
    }
    return out;
  }

  /**
   * The clock attestations this laptop pulled, in the order received. Each was checked against the plant CA before
   * it was stored; they are kept beside the journal, not in it (a flag is the server's statement, not this laptop's
   * record, and recording it as an event would give the server a new event to judge at every sync).
   */
  clockAttestations(): ClockAttestation[] {
    const rows = this.db.prepare('SELECT id, statement, signature FROM clock_attestations ORDER BY rowid').all() as ClockAttestation[];
    return rows.filter((r) => ClockAttestationSchema.safeParse(r).success);
  }

  /** Stores a checked clock attestation (one already held is kept as it is). */
  addClockAttestation(a: ClockAttestation, receivedAt: string): void {
    this.db
      .prepare('INSERT OR IGNORE INTO clock_attestations (id, statement, signature, received_at) VALUES (?, ?, ?, ?)')
      .run(a.id, a.statement, a.signature, receivedAt);
  }

  /** Ids of a change's own events (its updates, restores and the baseline approved from it), from every device. */
  changeEventIds(changeId: string): Set<string> {
    const rows = this.db
      .prepare(
        `SELECT id FROM events WHERE type IN ('change.updated', 'restore.verified', 'baseline.approved', 'conflict.resolved')
      AND json_extract(payload, '$.changeId') = ?`,
      )
      .all(changeId) as { id: string }[];
    return new Set(rows.map((r) => r.id));
  }
}
