/**
 * How far the server holds this laptop's chain, as the server's acknowledgements say it: by file (an `.ack` file, or
 * the acknowledgement a server bundle carries), checked against this laptop's own events, then recorded; and online
 * (the sync state and each push answer), the server's word at that moment, which sets the position.
 *
 * Acknowledgements by file travel on removable media and may be imported in any order. Which one is newer is judged
 * by what the server acknowledged (how far it held this laptop's events), never by the laptop's clock: one that says
 * the server held less than this laptop already recorded is older and changes nothing, and a refusal it carries does
 * not come back (a newer acknowledgement superseded it). One exception keeps a real refusal from being hidden: an
 * acknowledgement the server wrote after the newest one recorded here (by the server's own clock, in both) is the
 * server's news even if it holds less (a server restored from a backup), and is shown; when it refused a bundle for
 * starting after where its copy ends, the laptop's position moves back there, so the next bundle fills the gap. An
 * older acknowledgement never moves the position past what a newer one said. The newest recorded is the newest of
 * both kinds (one rule, `recordNewest`): an online answer carries the server's time of answering, so an `.ack` file
 * the server wrote before it is older, and one it wrote after is news, on a laptop that synced only online too.
 */
import { BaselineError } from '../../src-shared/common/errors.ts';
import type { SyncRepository } from '../store/sync-repository.ts';
import type { EventHub } from './event-hub.ts';
import type { SyncStatus } from '../../src-shared/common/api/sync-contract.ts';

/** What an import did. */
export interface ImportResult {
  nothingChanged: boolean;
  message: string;
  stored?: number;
  acknowledgedSeq: number;
}

/** What recording an acknowledgement needs. */
export interface AcknowledgementContext {
  repo: SyncRepository;
  hub: EventHub;
  /** The sync service's status (shown again once an acknowledgement moved the position). */
  sync: { status(): SyncStatus };
  /** This laptop's device id. */
  own: string;
  clock: () => Date;
}

/** The server's statement of how far it holds this laptop's events, and when (by the server's clock) it made it. */
export interface Acknowledgement {
  seq: number;
  hash: string | null;
  refusal: { code: string; message: string; hint: string } | null;
  /** The server's time of writing: an `.ack` file's `writtenAt`, a server bundle's `createdAt`. */
  writtenAt: string;
  bundleId: string;
}

/** The newest acknowledgement recorded here, by file or online (sync_state). */
const NEWEST = 'acknowledgement-newest';

/** This laptop's events the server acknowledged holding (by seq). */
export function acknowledgedSeq(repo: SyncRepository): number {
  return Number(repo.get('acknowledged-seq') ?? '0');
}

/** Why an acknowledgement names events this laptop never recorded (its data directory is not the one that sent them), or null. */
export function acknowledgedProblem(ctx: AcknowledgementContext, seq: number, hash: string | null): BaselineError | null {
  const head = ctx.repo.head(ctx.own);
  const mine = seq === 0 ? null : ctx.repo.eventsAfter(ctx.own, seq - 1, 1)[0];
  if (seq <= head.seq && (seq === 0 || mine?.hash === hash)) return null;
  return new BaselineError(
    'ack-unknown-events',
    `The acknowledgement says the server holds this laptop's events up to seq ${seq}, but ${seq > head.seq ? `this laptop has only recorded up to ${head.seq}` : `its event ${seq} is a different one`}: these are events it never sent.`,
    "Nothing was recorded. Check that the acknowledgement belongs to this laptop's data directory (not one restored from another backup); tell the administrator.",
    { acknowledgedSeq: seq, head: head.seq },
  );
}

function newestRecorded(repo: SyncRepository): { writtenAt: string; acknowledgedSeq: number | null } | null {
  const raw = repo.get(NEWEST);
  if (raw === null) return null;
  try {
    const v = JSON.parse(raw) as { writtenAt?: unknown; acknowledgedSeq?: unknown };
    if (typeof v.writtenAt !== 'string') return null;
    return { writtenAt: v.writtenAt, acknowledgedSeq: typeof v.acknowledgedSeq === 'number' ? v.acknowledgedSeq : null };
  } catch {
    return null;
  }
}

/** Whether the server wrote `a` after `b` (both the server's ISO times). */
function writtenAfter(a: string, b: string): boolean {
  const ta = Date.parse(a);
  const tb = Date.parse(b);
  return Number.isFinite(ta) && Number.isFinite(tb) && ta > tb;
}

/**
 * Records an acknowledgement as the newest unless the server wrote the newest one recorded after it (by the server's
 * clock, in both); one with no readable time is never the newest. `bundleId` is null for the server's answer online.
 */
function recordNewest(repo: SyncRepository, mark: { bundleId: string | null; seq: number; writtenAt: string }): void {
  if (!Number.isFinite(Date.parse(mark.writtenAt))) return;
  const newest = newestRecorded(repo);
  if (newest && writtenAfter(newest.writtenAt, mark.writtenAt)) return;
  repo.set(NEWEST, JSON.stringify({ bundleId: mark.bundleId, acknowledgedSeq: mark.seq, writtenAt: mark.writtenAt }));
}

/**
 * Records the server's answer online (its sync state, a push answer, a refused push's): its word at `serverTime` (its
 * clock when it answered) on how far it holds this laptop's events. It sets the position, and is an acknowledgement
 * like one by file when a later-imported `.ack` file is judged.
 */
export function recordAcknowledgedOnline(repo: SyncRepository, seq: number, serverTime: string): void {
  repo.set('acknowledged-seq', String(seq));
  recordNewest(repo, { bundleId: null, seq, writtenAt: serverTime });
}

/**
 * Records the server's acknowledgement: moves the acknowledged seq as a push answer would, or says it changes
 * nothing; a refusal it carries is raised unless a newer acknowledgement superseded it.
 */
export function recordAcknowledged(ctx: AcknowledgementContext, ack: Acknowledgement): ImportResult {
  const { seq, refusal } = ack;
  const problem = acknowledgedProblem(ctx, seq, ack.hash);
  if (problem) {
    // A refusal for a journal that is not the one the server holds (restored from a copy, forked): the server's
    // words say what happened; nothing is recorded.
    if (refusal)
      throw new BaselineError(refusal.code, `The server refused part of the bundle: ${refusal.message}`, refusal.hint, {
        ...problem.details,
      });
    throw problem;
  }
  const before = acknowledgedSeq(ctx.repo);
  const newest = newestRecorded(ctx.repo);
  // Superseded: it says less than recorded and the server did not write it later; or the server wrote it before the
  // newest one recorded and it says more (the server held more then than now: restored from a backup since).
  const since =
    seq < before && !(newest && writtenAfter(ack.writtenAt, newest.writtenAt))
      ? before
      : newest && newest.acknowledgedSeq !== null && writtenAfter(newest.writtenAt, ack.writtenAt) && seq > newest.acknowledgedSeq
        ? newest.acknowledgedSeq
        : null;
  if (since !== null) {
    return {
      nothingChanged: true,
      acknowledgedSeq: before,
      message:
        `Nothing changed: this acknowledgement is older than one already recorded: it says the server held this laptop's events up to seq ${seq}, and the server has since acknowledged up to ${since}.` +
        (refusal ? ` The refusal it carried (${refusal.code}) no longer stands.` : ''),
    };
  }
  recordNewest(ctx.repo, { bundleId: ack.bundleId, seq, writtenAt: ack.writtenAt });
  if (refusal?.code === 'seq-gap' && seq < before) {
    // The bundle started after where the server's copy ends (the server was restored from a backup): its signed word
    // is where it ends, so the next bundle starts there. Events it already holds are only counted again.
    ctx.repo.set('acknowledged-seq', String(seq));
    ctx.hub.emit('sync.status', ctx.sync.status());
    throw new BaselineError(
      refusal.code,
      `The server refused part of the bundle: ${refusal.message} The server holds this laptop's events only up to seq ${seq}, not up to ${before} as it acknowledged before: it was restored from a backup.`,
      `Export a bundle again and take it to the server: it starts after seq ${seq}, where the server's copy ends (${waitingWords(ctx.repo.countAfter(ctx.own, seq))}).`,
      { acknowledgedSeq: seq, acknowledgedBefore: before },
    );
  }
  if (refusal) {
    if (seq > before) ctx.repo.set('acknowledged-seq', String(seq));
    throw new BaselineError(refusal.code, `The server refused part of the bundle: ${refusal.message}`, refusal.hint, {
      acknowledgedSeq: seq,
    });
  }
  if (seq <= before)
    return {
      nothingChanged: true,
      acknowledgedSeq: before,
      message: `Nothing changed: the server's acknowledgement (up to seq ${seq}) was already recorded (acknowledged up to ${before}).`,
    };
  ctx.repo.set('acknowledged-seq', String(seq));
  ctx.repo.set('last-success', ctx.clock().toISOString());
  ctx.hub.emit('sync.status', ctx.sync.status());
  return {
    nothingChanged: false,
    acknowledgedSeq: seq,
    message: `The server holds this laptop's events up to seq ${seq}; ${waitingWords(ctx.repo.countAfter(ctx.own, seq))}.`,
  };
}

/** "none waits to be sent", "1 still waits to be sent", "3 still wait to be sent". */
export function waitingWords(n: number): string {
  return n === 0 ? 'none waits to be sent' : `${n} still wait${n === 1 ? 's' : ''} to be sent`;
}
