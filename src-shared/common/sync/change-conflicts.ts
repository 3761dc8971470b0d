/**
 * Conflicts between devices' records of the same change (ARCHITECTURE §8): found from the journal, never
 * resolved by dropping either record. Laptops and the server run the same rules over the same events.
 *
 * "Withdrawn or rejected centrally while executed offline": a change can only be withdrawn or rejected before
 * it executes, and one device never executes a change it has withdrawn, so a change that has both a
 * withdrawal/rejection and execution decisions recorded by different devices was decided two ways while the
 * devices could not see each other.
 */

/** One `change.updated` event, reduced to what conflict rules read. */
export interface ChangeDecisionFact {
  eventId: string;
  device: string;
  seq: number;
  changeId: string;
  operation: string;
  /** The status the operation produced. */
  status: string;
  at: string;
  by: string;
  title: string;
}

/** Operations that act on the plant: once one is recorded, the change was executed (at least begun). */
export const EXECUTION_OPERATIONS: ReadonlySet<string> = new Set([
  'break-glass',
  'start-execution',
  'record-snapshot',
  'checkpoint',
  'rollback',
  'close',
]);

/** Operations that end a change before execution. */
export const STOPPING_OPERATIONS: ReadonlySet<string> = new Set(['withdraw', 'reject']);

/** One conflict, in words a person can act on. */
export interface ChangeConflict {
  kind: 'withdrawn-while-executed' | 'rejected-while-executed';
  changeId: string;
  title: string;
  /** The decision that stopped the change, on one device. */
  stop: ChangeDecisionFact;
  /** The first execution decision recorded by another device. */
  execution: ChangeDecisionFact;
  message: string;
  hint: string;
}

/** Finds every conflict among the decisions of many devices. Order of the input does not matter. */
export function findChangeConflicts(facts: Iterable<ChangeDecisionFact>): ChangeConflict[] {
  const byChange = new Map<string, ChangeDecisionFact[]>();
  for (const f of facts) {
    const list = byChange.get(f.changeId) ?? [];
    list.push(f);
    byChange.set(f.changeId, list);
  }
  const out: ChangeConflict[] = [];
  for (const [changeId, list] of [...byChange.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const ordered = [...list].sort((a, b) => a.at.localeCompare(b.at) || a.device.localeCompare(b.device) || a.seq - b.seq);
    for (const stop of ordered.filter((f) => STOPPING_OPERATIONS.has(f.operation))) {
      const execution = ordered.find((f) => EXECUTION_OPERATIONS.has(f.operation) && f.device !== stop.device);
      if (!execution) continue;
      const withdrawn = stop.operation === 'withdraw';
      const title = ordered[ordered.length - 1]?.title ?? stop.title;
      out.push({
        kind: withdrawn ? 'withdrawn-while-executed' : 'rejected-while-executed',
        changeId,
        title,
        stop,
        execution,
        message:
          `Change "${title}" was ${withdrawn ? 'withdrawn' : 'rejected'} by ${stop.by} at ${stop.at} on one laptop, ` +
          `while ${execution.by} executed it (${execution.operation}) at ${execution.at} on another laptop that was offline.`,
        hint:
          "Both records are kept. Check what was done to the controllers (the execution's snapshots), then record the decision " +
          '(for example a retrospective review, or a new change to undo it).',
      });
    }
  }
  return out;
}

/** Whether a change's projected status reflects execution (a later withdrawal or rejection must not hide it). */
export function isExecutedStatus(status: string): boolean {
  return status === 'in-execution' || status === 'rolled-back' || status === 'closed';
}

/** The decision fact of a `change.updated` event (null for other events or unreadable payloads). */
export function changeDecisionFact(e: {
  id: string;
  device: string;
  seq: number;
  type: string;
  at: string;
  payload: unknown;
}): ChangeDecisionFact | null {
  if (e.type !== 'change.updated' || typeof e.payload !== 'object' || e.payload === null) return null;
  const p = e.payload as {
    changeId?: unknown;
    operation?: unknown;
    by?: { name?: unknown };
    state?: { status?: unknown; fields?: { title?: unknown } };
  };
  if (typeof p.changeId !== 'string' || typeof p.operation !== 'string') return null;
  return {
    eventId: e.id,
    device: e.device,
    seq: e.seq,
    changeId: p.changeId,
    operation: p.operation,
    status: typeof p.state?.status === 'string' ? p.state.status : '',
    at: e.at,
    by: typeof p.by?.name === 'string' ? p.by.name : 'someone',
    title: typeof p.state?.fields?.title === 'string' ? p.state.fields.title : p.changeId,
  };
}
