/**
 * A change's history read back from the journal: the restores of its controllers (decision, start, each write,
 * proof) and its timeline in words (decisions, captures, signed snapshots, restores, new baselines). Pure readers
 * of the event rows ChangeRepository selects; ChangeService picks the rows.
 */
import type { ChangeEventRow } from '../store/change-repository.ts';
import type { RestoreRecord } from './change-register.ts';
import { isUnknownOutcome } from '../../src-shared/common/event-types.ts';

/** One line of a change's timeline. */
export interface TimelineEntry {
  at: string;
  operation: string;
  by: string;
  summary: string;
  signed: boolean;
  seq: number;
}

/** The restores the events record, by change id, oldest first (restore events carry the change id). */
export function restoresFromEvents(rows: readonly { type: string; at: string; payload: string }[]): Map<string, RestoreRecord[]> {
  const byDecision = new Map<string, RestoreRecord & { changeId: string; tags: string[] }>();
  for (const r of rows) {
    const p = JSON.parse(r.payload) as Record<string, unknown>;
    if (r.type === 'restore.authorized') {
      if (typeof p.changeId !== 'string') continue;
      const sig = p.signature as { signer: { name: string } };
      byDecision.set(String(p.id), {
        changeId: p.changeId,
        controllerId: String(p.controllerId),
        decisionId: String(p.id),
        authorizedBy: sig.signer.name,
        authorizedAt: r.at,
        reason: String(p.reason),
        writes: (p.writes as unknown[]).length,
        startedAt: null,
        steps: [],
        interrupted: false,
        inFlight: null,
        written: null,
        verified: null,
        tags: (p.writes as { tag: string }[]).map((w) => w.tag),
      });
      continue;
    }
    const rec = byDecision.get(String(p.decisionId));
    if (!rec) continue;
    if (r.type === 'restore.started') {
      rec.startedAt = r.at;
      rec.interrupted = true; // until its restore.executed arrives
    } else if (r.type === 'restore.written') {
      rec.steps.push({ tag: String(p.tag), status: p.status as RestoreRecord['steps'][number]['status'], at: r.at });
    } else if (r.type === 'restore.executed') {
      rec.interrupted = false;
      const outcomes = p.outcomes as { tag: string; status: string; error?: string }[];
      // The value being written when the restore job failed as a whole (older records mark every value so: the first
      // without its own restore.written event is the one that was in flight).
      rec.inFlight = outcomes.find((o) => isUnknownOutcome(o.error) && !rec.steps.some((x) => x.tag === o.tag))?.tag ?? null;
      rec.written = {
        verified: outcomes.filter((o) => o.status === 'written-verified').length,
        failed: outcomes.filter((o) => o.status !== 'written-verified').length,
        complete: p.complete === true,
        at: r.at,
      };
    } else {
      rec.verified = { matchesBefore: p.matchesBefore === true, remaining: (p.remaining as unknown[]).length, at: r.at };
    }
  }
  const out = new Map<string, RestoreRecord[]>();
  for (const { changeId: c, tags, ...rec } of byDecision.values()) {
    if (rec.interrupted && rec.steps.every((x) => x.status === 'written-verified')) rec.inFlight = tags[rec.steps.length] ?? null;
    out.set(c, [...(out.get(c) ?? []), rec]);
  }
  return out;
}

/**
 * The timeline entries of a change's events, each with the name of who did it; captures and snapshots count only
 * for the change's target controllers.
 */
export function timelineFromEvents(
  rows: readonly ChangeEventRow[],
  targets: readonly string[],
  names: (controllerId: string) => string,
): TimelineEntry[] {
  const out: TimelineEntry[] = [];
  for (const r of rows) {
    const p = JSON.parse(r.payload) as Record<string, unknown>;
    const actor = (JSON.parse(r.actor) as { name?: string; id?: string } | null)?.name ?? 'Baseline';
    if (r.type === 'change.updated') {
      const c = p as { operation: string; by: { name: string }; summary: string; signature: unknown };
      out.push({ at: r.at, operation: c.operation, by: c.by.name, summary: c.summary, signed: c.signature !== null, seq: r.seq });
    } else if (r.type === 'capture.recorded') {
      if (typeof p.controllerId !== 'string' || !targets.includes(p.controllerId)) continue;
      out.push({
        at: r.at,
        operation: 'capture',
        by: actor,
        summary: `captured ${names(p.controllerId)} (${p.complete === true ? 'complete' : 'incomplete'})`,
        signed: false,
        seq: r.seq,
      });
    } else if (r.type === 'snapshot.captured') {
      if (typeof p.controllerId !== 'string' || !targets.includes(p.controllerId)) continue;
      out.push({
        at: r.at,
        operation: 'snapshot-signed',
        by: String(p.signer),
        summary: `signed a snapshot of ${names(p.controllerId)} "captured by" (${String(p.snapshotSha256).slice(0, 12)}…${p.complete === true ? '' : ', incomplete'})`,
        signed: true,
        seq: r.seq,
      });
    } else if (r.type === 'baseline.approved') {
      const sig = p.approval as { signer: { name: string } };
      out.push({
        at: r.at,
        operation: 'baseline-approved',
        by: sig.signer.name,
        summary: `approved the after-snapshot of ${names(String(p.controllerId))} as its baseline v${String(p.version)}`,
        signed: true,
        seq: r.seq,
      });
    } else if (r.type === 'restore.authorized') {
      const sig = p.signature as { signer: { name: string } };
      out.push({
        at: r.at,
        operation: 'restore-authorized',
        by: sig.signer.name,
        summary: `authorized writing ${(p.writes as unknown[]).length} value(s) back to ${names(String(p.controllerId))}: ${String(p.reason)}`,
        signed: true,
        seq: r.seq,
      });
    } else if (r.type === 'restore.started') {
      out.push({
        at: r.at,
        operation: 'restore-started',
        by: actor,
        summary: `started writing to ${names(String(p.controllerId))}`,
        signed: false,
        seq: r.seq,
      });
    } else if (r.type === 'restore.written') {
      const words =
        p.status === 'written-verified'
          ? `wrote ${String(p.tag)} to ${names(String(p.controllerId))} and read it back equal`
          : p.status === 'write-failed'
            ? `writing ${String(p.tag)} to ${names(String(p.controllerId))} failed`
            : `wrote ${String(p.tag)} to ${names(String(p.controllerId))} but read back a different value`;
      out.push({ at: r.at, operation: 'restore-written', by: actor, summary: words, signed: false, seq: r.seq });
    } else if (r.type === 'restore.executed') {
      const outcomes = p.outcomes as { status: string }[];
      const ok = outcomes.filter((o) => o.status === 'written-verified').length;
      out.push({
        at: r.at,
        operation: 'restore-executed',
        by: actor,
        summary: `wrote ${ok} of ${outcomes.length} value(s) to ${names(String(p.controllerId))}, each read back${p.complete === true ? '' : '; the restore did not complete'}`,
        signed: false,
        seq: r.seq,
      });
    } else {
      out.push({
        at: r.at,
        operation: 'restore-verified',
        by: actor,
        summary:
          p.matchesBefore === true
            ? `read ${names(String(p.controllerId))} again: it matches the before-snapshot`
            : `read ${names(String(p.controllerId))} again: ${(p.remaining as unknown[]).length} value(s) still differ from the before-snapshot`,
        signed: false,
        seq: r.seq,
      });
    }
  }
  return out;
}
