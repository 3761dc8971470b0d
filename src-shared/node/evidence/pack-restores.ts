/**
 * The restores in an evidence pack, value by value. Each value a restore wrote was journalled the moment it was
 * written and read back (`restore.written`); the pack carries those events, and the verifier checks each one against
 * the shift supervisor's signed decision (`restore.authorized`: exactly these values, in this order) and against the
 * restore's outcome (`restore.executed`), so the pack shows what reached the controller even for a restore cut short.
 * Part of the pack verifier (pack-verifier.ts); the report lists the same rows (report-pdf.ts).
 */
import type { JsonValue } from '../../common/canonical-json.ts';
import type { CaptureDocument } from '../../common/capture/capture-document.ts';
import { diffableFromCapture } from '../../common/diff/diffable-document.ts';
import { diffDocuments } from '../../common/diff/document-diff.ts';
import { compareWithProposed } from '../../common/diff/proposed-diff.ts';
import type { SnapshotFile } from '../../common/snapshot/snapshot.ts';
import type { ChangeState } from '../../common/workflow/change-state.ts';
import { latestManualRollbacks, rollbackProofStatus } from '../../common/workflow/rollback-proof.ts';
import { contentMembers, eventRecord, type PackEvent } from './pack-format.ts';
import type { Fail } from './pack-rules.ts';
import { isUnknownOutcome } from '../../common/event-types.ts';

/** The outcome of one value written during a restore. */
export type WrittenStatus = 'written-verified' | 'write-failed' | 'readback-mismatch';

/** One value written and read back during a restore, as its `restore.written` event recorded it. */
export interface RestoreWriteRow {
  decisionId: string;
  controllerId: string;
  tag: string;
  status: WrittenStatus;
  /** The bytes to be written (hex) and what the controller held afterwards (null: not read back). */
  expectedRaw: string;
  readBackRaw: string | null;
  at: string;
  device: string;
  seq: number;
  member: string;
  record: string;
}

/** One restore decision of the pack with everything recorded under it. */
export interface PackRestore {
  decisionId: string;
  controllerId: string;
  /** The signed decision (null when the pack lacks it). */
  authorized: PackEvent | null;
  /** The values the supervisor signed, in order. */
  signed: { tag: string; value: JsonValue }[];
  started: PackEvent | null;
  written: RestoreWriteRow[];
  executed: PackEvent | null;
  verified: PackEvent | null;
}

type Payload = Record<string, JsonValue>;
const RESTORE_TYPES = new Set(['restore.authorized', 'restore.started', 'restore.written', 'restore.executed', 'restore.verified']);

/** The pack's restores by decision, in journal order (device, then seq). */
export function packRestores(events: readonly PackEvent[]): PackRestore[] {
  const byDecision = new Map<string, PackRestore>();
  const ordered = events
    .filter((e) => RESTORE_TYPES.has(e.body.type))
    .sort((a, b) => a.body.device.localeCompare(b.body.device) || a.body.seq - b.body.seq);
  const of = (id: string, controllerId: string): PackRestore => {
    let r = byDecision.get(id);
    if (!r) {
      r = { decisionId: id, controllerId, authorized: null, signed: [], started: null, written: [], executed: null, verified: null };
      byDecision.set(id, r);
    }
    return r;
  };
  for (const e of ordered) {
    const p = e.body.payload as Payload;
    const controllerId = String(p['controllerId']);
    if (e.body.type === 'restore.authorized') {
      const r = of(String(p['id']), controllerId);
      r.authorized = e;
      r.signed = Array.isArray(p['writes'])
        ? (p['writes'] as { tag: string; value: JsonValue }[]).map((w) => ({ tag: String(w.tag), value: w.value }))
        : [];
      continue;
    }
    const r = of(String(p['decisionId']), controllerId);
    if (e.body.type === 'restore.started') r.started = e;
    else if (e.body.type === 'restore.executed') r.executed = e;
    else if (e.body.type === 'restore.verified') r.verified = e;
    else {
      r.written.push({
        decisionId: r.decisionId,
        controllerId,
        tag: String(p['tag']),
        status: p['status'] as WrittenStatus,
        expectedRaw: String(p['expectedRaw']),
        readBackRaw: p['readBackRaw'] === null ? null : String(p['readBackRaw']),
        at: e.body.at,
        device: e.body.device,
        seq: e.body.seq,
        member: e.member,
        record: eventRecord(e),
      });
    }
  }
  return [...byDecision.values()];
}

/** What a pack shows happened to one signed value of a restore. */
export type ValueOutcome = WrittenStatus | 'outcome-unknown' | 'not-attempted';

/**
 * Each value the supervisor signed, in order, with what happened to it as the pack records it: the value's own
 * `restore.written` event first (it was journalled as the write ended), then the restore's outcome (`restore.executed`:
 * not attempted, or unknown for the one in flight when the job failed); for a restore cut short with no outcome, the
 * value after the last one read back was in flight and the rest not attempted. Null: the restore never started.
 */
export function restoreValues(r: PackRestore): { tag: string; outcome: ValueOutcome | null }[] {
  const written = new Map(r.written.map((w) => [w.tag, w.status]));
  const outcomes = new Map(
    (((r.executed?.body.payload as Payload | undefined)?.['outcomes'] ?? []) as { tag: string; status: string; error?: string }[]).map(
      (o) => [o.tag, o],
    ),
  );
  const failed = r.written.some((w) => w.status !== 'written-verified');
  let inFlightSeen = false;
  return r.signed.map(({ tag }) => {
    const status = written.get(tag);
    if (status) return { tag, outcome: status };
    if (r.started === null && r.executed === null) return { tag, outcome: null };
    const o = outcomes.get(tag);
    if (o) {
      if (o.status === 'not-attempted') return { tag, outcome: 'not-attempted' };
      return { tag, outcome: isUnknownOutcome(o.error) ? 'outcome-unknown' : (o.status as WrittenStatus) };
    }
    if (r.executed !== null || failed || inFlightSeen) return { tag, outcome: 'not-attempted' };
    inFlightSeen = true;
    return { tag, outcome: 'outcome-unknown' };
  });
}

/**
 * Every value written during a restore: backed by a signed decision in the pack that names it at that position,
 * after the decision was taken into use, never twice, "verified" only when the read-back equals what was written; and
 * every value the restore's outcome reports as written, failed or mismatched has its own `restore.written` event
 * (unless the pack's format did not promise them: `restoreWritesComplete`; the events it holds are checked all the same).
 */
export function checkRestores(events: readonly PackEvent[], fail: Fail, rules: { restoreWritesComplete: boolean }): void {
  for (const r of packRestores(events)) {
    if (r.authorized === null) {
      const first = r.started ?? r.executed ?? r.verified;
      const [member, record] = first ? [first.member, eventRecord(first)] : [r.written[0]!.member, r.written[0]!.record];
      fail(member, record, `no signed restore decision ${r.decisionId} in the pack backs this restore`);
      continue;
    }
    const seen = new Set<string>();
    r.written.forEach((w, i) => {
      const rec = `${w.record}: ${w.tag}`;
      const signedAt = r.signed.findIndex((s) => s.tag === w.tag);
      if (signedAt < 0)
        fail(
          w.member,
          rec,
          `the value written is not one the supervisor signed (decision ${r.decisionId}: ${r.signed.map((s) => s.tag).join(', ')})`,
        );
      else if (signedAt !== i)
        fail(
          w.member,
          rec,
          `written as value ${i + 1}, but the signed decision lists it as value ${signedAt + 1}: values are written in the signed order`,
        );
      if (seen.has(w.tag)) fail(w.member, rec, 'the value is recorded as written twice under one decision');
      seen.add(w.tag);
      if (w.status === 'written-verified' && w.readBackRaw !== w.expectedRaw)
        fail(w.member, rec, `recorded as written and verified, but it read back ${w.readBackRaw ?? 'nothing'} instead of ${w.expectedRaw}`);
      if (r.started === null || r.started.body.device !== w.device || r.started.body.seq > w.seq) {
        fail(w.member, rec, 'no restore.started before it in the pack: a value is written only after the decision was taken into use');
      }
    });
    if (r.executed === null) continue;
    const outcomes = ((r.executed.body.payload as Payload)['outcomes'] ?? []) as {
      tag: string;
      status: string;
      expectedRaw: string;
      readBackRaw: string | null;
      error?: string;
    }[];
    for (const o of outcomes) {
      if (o.status === 'not-attempted' || isUnknownOutcome(o.error)) continue;
      const w = r.written.find((x) => x.tag === o.tag);
      const rec = `${eventRecord(r.executed)}: ${o.tag}`;
      if (!w) {
        if (rules.restoreWritesComplete)
          fail(
            r.executed.member,
            rec,
            `the restore reports ${o.tag} as ${o.status}, but the pack holds no restore.written event for it (the value-by-value record is missing)`,
          );
      } else if (w.status !== o.status || w.expectedRaw !== o.expectedRaw || w.readBackRaw !== o.readBackRaw) {
        fail(
          r.executed.member,
          rec,
          `the restore's outcome for ${o.tag} (${o.status}, read back ${o.readBackRaw ?? 'nothing'}) differs from its restore.written event (${w.status}, read back ${w.readBackRaw ?? 'nothing'})`,
        );
      }
    }
  }
}

/**
 * The re-capture proofs of manual rollbacks (rollback-proof.ts): each proof's snapshot and the before-snapshot are in
 * the pack, and comparing them again gives the differences the signed record lists; a change closed after a rollback
 * has every manual rollback proven.
 */
export function checkManualRollbacks(
  state: ChangeState,
  snapshots: ReadonlyMap<string, SnapshotFile>,
  member: string,
  record: string,
  fail: Fail,
): void {
  if (!('execution' in state)) return;
  for (const m of state.execution.manualRollbacks ?? []) {
    const p = m.proof;
    if (!p) continue;
    const rec = `manual rollback of ${m.controllerId}: re-capture ${p.snapshotSha256.slice(0, 12)}…`;
    const after = snapshots.get(p.snapshotSha256);
    const before = snapshots.get(p.beforeSnapshotSha256);
    if (!after || !before) {
      fail(
        contentMembers.snapshot(after ? p.beforeSnapshotSha256 : p.snapshotSha256),
        rec,
        'the snapshot the re-capture proof compares is missing from the pack',
      );
      continue;
    }
    const doc = (f: SnapshotFile) => diffableFromCapture(f.document as unknown as CaptureDocument, m.controllerId);
    const found = compareWithProposed(diffDocuments(doc(before), doc(after), { includeUnchanged: false }), []).findings.map((f) => f.tag);
    const listed = p.differences.map((d) => d.tag);
    if (found.length !== listed.length + p.unlisted || listed.some((t, i) => found[i] !== t) || p.matchesBefore !== (found.length === 0)) {
      fail(
        member,
        rec,
        `the re-capture differs from the before-snapshot in ${found.length} value(s) (${found.slice(0, 5).join(', ') || 'none'}), not in the ${listed.length + p.unlisted} the signed record lists`,
      );
    }
  }
  if (state.status === 'closed' && state.closure.outcome === 'rolled-back') {
    for (const m of latestManualRollbacks(state.execution)) {
      if (rollbackProofStatus(m).status !== 'proven')
        fail(member, record, `closed after a manual rollback of ${m.controllerId} that its re-capture does not prove`);
    }
  }
}
