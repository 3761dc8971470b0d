/**
 * Every sync conflict between devices' journals (ARCHITECTURE §8), found by the same rules on laptops and on the
 * server, and never resolved by dropping a record: both records stay, and a person resolves the conflict with a
 * new signed `conflict.resolved` event naming the conflict, the decision and the reason.
 *
 * Kinds:
 * - withdrawn/rejected while executed (change-conflicts.ts);
 * - two decisions for the same go/no-go checkpoint of one execution, signed on two devices (both continued from
 *   the same earlier decisions, so neither saw the other);
 * - the same baseline version of one controller approved on two devices;
 * - a person locked out (too many wrong passwords) on one device and signing on another while the lock held.
 */
import { changeDecisionFact, findChangeConflicts, type ChangeDecisionFact } from './change-conflicts.ts';

/** A journal event as conflict rules read it (payload parsed). */
export interface ConflictEvent {
  id: string;
  device: string;
  seq: number;
  type: string;
  at: string;
  payload: unknown;
}

/** Event types the conflict rules read (besides events that carry a locked-out person's signature). */
export const CONFLICT_EVENT_TYPES: readonly string[] = ['change.updated', 'baseline.approved', 'person.locked', 'conflict.resolved'];

/** Roles that may resolve a sync conflict with their signature. */
export const CONFLICT_RESOLVER_ROLES: readonly string[] = ['plant-engineering-manager', 'admin', 'ot-security'];

/** What kind of conflict. */
export type SyncConflictKind =
  | 'withdrawn-while-executed'
  | 'rejected-while-executed'
  | 'checkpoint-decided-twice'
  | 'baseline-approved-twice'
  | 'locked-out-while-signing';

/** One of the records in conflict. */
export interface ConflictRecord {
  eventId: string;
  device: string;
  seq: number;
  at: string;
  by: string;
  /** What this record says, in words. */
  what: string;
}

/** How a person resolved a conflict. */
export interface ConflictResolution {
  eventId: string;
  device: string;
  at: string;
  by: string;
  decision: string;
  reason: string;
}

/** A conflict in words a person can act on, with its resolution once someone signed one. */
export interface SyncConflict {
  /** Stable on every device: the kind and the ids of the records in conflict. */
  id: string;
  kind: SyncConflictKind;
  changeId: string | null;
  controllerId: string | null;
  title: string;
  message: string;
  hint: string;
  records: ConflictRecord[];
  /** Decisions a resolver is offered (any other text is allowed too). */
  options: string[];
  resolution: ConflictResolution | null;
}

/** The id of a conflict between records: the same on every device whatever order they arrived in. */
export function conflictId(kind: SyncConflictKind, eventIds: readonly string[]): string {
  return `${kind}:${[...eventIds].sort().join('+')}`;
}

interface SignatureLike {
  signerName: string;
  fingerprint: string;
  at: string;
  meaning: string;
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Every e-signature inside a payload (objects with a meaning, a signer with a fingerprint, and a time). */
export function signaturesIn(payload: unknown): SignatureLike[] {
  const out: SignatureLike[] = [];
  const walk = (x: unknown, depth: number): void => {
    if (depth > 6) return;
    if (Array.isArray(x)) {
      for (const y of x) walk(y, depth + 1);
      return;
    }
    if (!isRecord(x)) return;
    const signer = x['signer'];
    if (typeof x['meaning'] === 'string' && typeof x['at'] === 'string' && isRecord(signer) && typeof signer['fingerprint'] === 'string') {
      out.push({
        signerName: typeof signer['name'] === 'string' ? signer['name'] : 'someone',
        fingerprint: signer['fingerprint'],
        at: x['at'],
        meaning: x['meaning'],
      });
      return;
    }
    for (const y of Object.values(x)) walk(y, depth + 1);
  };
  walk(payload, 0);
  return out;
}

function record(e: ConflictEvent, by: string, what: string): ConflictRecord {
  return { eventId: e.id, device: e.device, seq: e.seq, at: e.at, by, what };
}

function checkpointConflicts(events: readonly ConflictEvent[]): Omit<SyncConflict, 'id' | 'resolution'>[] {
  const groups = new Map<string, { e: ConflictEvent; fact: ChangeDecisionFact; checkpoint: string; decision: string }[]>();
  for (const e of events) {
    const fact = changeDecisionFact(e);
    if (!fact || fact.operation !== 'checkpoint') continue;
    const checkpoints = (e.payload as { state?: { execution?: { checkpoints?: unknown } } }).state?.execution?.checkpoints;
    if (!Array.isArray(checkpoints) || checkpoints.length === 0) continue;
    const last = checkpoints[checkpoints.length - 1] as { checkpoint?: unknown; decision?: unknown; label?: unknown };
    if (typeof last.checkpoint !== 'string') continue;
    // The same checkpoint at the same position of the change's decisions: both continued from the same state.
    const key = `${fact.changeId}\u0000${last.checkpoint}\u0000${checkpoints.length}`;
    const list = groups.get(key) ?? [];
    list.push({
      e,
      fact,
      checkpoint: last.checkpoint,
      decision: typeof last.label === 'string' ? last.label : String(last.decision ?? ''),
    });
    groups.set(key, list);
  }
  const out: Omit<SyncConflict, 'id' | 'resolution'>[] = [];
  for (const list of groups.values()) {
    const devices = new Set(list.map((x) => x.e.device));
    if (devices.size < 2) continue;
    const ordered = [...list].sort((a, b) => a.e.at.localeCompare(b.e.at) || a.e.id.localeCompare(b.e.id));
    const first = ordered[0]!;
    const second = ordered.find((x) => x.e.device !== first.e.device)!;
    out.push({
      kind: 'checkpoint-decided-twice',
      changeId: first.fact.changeId,
      controllerId: null,
      title: first.fact.title,
      message:
        `The ${first.checkpoint} checkpoint of change "${first.fact.title}" was decided twice on two laptops that could not see each other: ` +
        `${first.fact.by} signed ${first.decision} at ${first.e.at}, and ${second.fact.by} signed ${second.decision} at ${second.e.at}.`,
      hint: 'Both decisions are kept. Find out which decision the work at the cabinet followed, then record it with your signature and the reason.',
      records: [first, second].map((x) => record(x.e, x.fact.by, `${x.checkpoint}: ${x.decision}`)),
      options: [`${first.decision} by ${first.fact.by} stands`, `${second.decision} by ${second.fact.by} stands`],
    });
  }
  return out;
}

function baselineConflicts(events: readonly ConflictEvent[]): Omit<SyncConflict, 'id' | 'resolution'>[] {
  const groups = new Map<
    string,
    { e: ConflictEvent; controllerId: string; version: number; by: string; snapshot: string; changeId: string | null }[]
  >();
  for (const e of events) {
    if (e.type !== 'baseline.approved' || !isRecord(e.payload)) continue;
    const p = e.payload as {
      controllerId?: unknown;
      version?: unknown;
      snapshotSha256?: unknown;
      changeId?: unknown;
      approval?: { signer?: { name?: unknown } };
    };
    if (typeof p.controllerId !== 'string' || typeof p.version !== 'number') continue;
    const key = `${p.controllerId}\u0000${p.version}`;
    const list = groups.get(key) ?? [];
    list.push({
      e,
      controllerId: p.controllerId,
      version: p.version,
      by: typeof p.approval?.signer?.name === 'string' ? p.approval.signer.name : 'someone',
      snapshot: typeof p.snapshotSha256 === 'string' ? p.snapshotSha256 : '',
      changeId: typeof p.changeId === 'string' ? p.changeId : null,
    });
    groups.set(key, list);
  }
  const out: Omit<SyncConflict, 'id' | 'resolution'>[] = [];
  for (const list of groups.values()) {
    const ordered = [...list].sort((a, b) => a.e.at.localeCompare(b.e.at) || a.e.id.localeCompare(b.e.id));
    const first = ordered[0]!;
    const second = ordered.find((x) => x.e.device !== first.e.device);
    if (!second) continue;
    out.push({
      kind: 'baseline-approved-twice',
      changeId: first.changeId ?? second.changeId,
      controllerId: first.controllerId,
      title: `baseline ${first.version} of ${first.controllerId}`,
      message:
        `Baseline version ${first.version} of controller ${first.controllerId} was approved twice on two laptops that could not see each other: ` +
        `${first.by} approved snapshot ${first.snapshot.slice(0, 12)}… at ${first.e.at}, and ${second.by} approved snapshot ${second.snapshot.slice(0, 12)}… at ${second.e.at}.`,
      hint: "Both approvals are kept; drift checks compare with the later one. Decide which snapshot is the controller's approved baseline, and record it with your signature and the reason.",
      records: [first, second].map((x) => record(x.e, x.by, `baseline ${x.version}: snapshot ${x.snapshot.slice(0, 12)}…`)),
      options: [
        `snapshot ${first.snapshot.slice(0, 12)}… (${first.by}) is the baseline`,
        `snapshot ${second.snapshot.slice(0, 12)}… (${second.by}) is the baseline`,
      ],
    });
  }
  return out;
}

function lockoutConflicts(events: readonly ConflictEvent[]): Omit<SyncConflict, 'id' | 'resolution'>[] {
  const locks: { e: ConflictEvent; fingerprint: string; until: string; employeeId: string }[] = [];
  for (const e of events) {
    if (e.type !== 'person.locked' || !isRecord(e.payload)) continue;
    const p = e.payload as { fingerprint?: unknown; until?: unknown; employeeId?: unknown };
    if (typeof p.fingerprint === 'string' && typeof p.until === 'string')
      locks.push({ e, fingerprint: p.fingerprint, until: p.until, employeeId: typeof p.employeeId === 'string' ? p.employeeId : '' });
  }
  if (locks.length === 0) return [];
  const out: Omit<SyncConflict, 'id' | 'resolution'>[] = [];
  for (const e of events) {
    if (e.type === 'person.locked' || e.type === 'conflict.resolved') continue;
    for (const sig of signaturesIn(e.payload)) {
      const lock = locks.find((l) => l.fingerprint === sig.fingerprint && l.e.device !== e.device && sig.at >= l.e.at && sig.at < l.until);
      if (!lock) continue;
      const fact = changeDecisionFact(e);
      out.push({
        kind: 'locked-out-while-signing',
        changeId: fact?.changeId ?? null,
        controllerId: null,
        title: `${sig.signerName} (${lock.employeeId})`,
        message:
          `${sig.signerName} was locked out of signing on one laptop at ${lock.e.at} (too many wrong passwords, until ${lock.until}), ` +
          `but signed "${sig.meaning}" on another laptop at ${sig.at} (${e.type}${fact ? `, change "${fact.title}"` : ''}).`,
        hint: 'Both records are kept. Wrong passwords may mean someone else tried to sign as this person: ask them, then decide whether the signature stands, and record it with your signature and the reason.',
        records: [
          record(lock.e, sig.signerName, `locked out until ${lock.until}`),
          record(e, sig.signerName, `signed "${sig.meaning}" (${e.type})`),
        ],
        options: ['the signature stands (it was this person)', 'the signature does not stand (repeat the decision)'],
      });
      break;
    }
  }
  return out;
}

/** The resolutions recorded in a journal, by conflict id (the last eligible one wins; every one stays recorded). */
function resolutions(events: readonly ConflictEvent[]): Map<string, ConflictResolution> {
  const out = new Map<string, ConflictResolution>();
  const ordered = [...events]
    .filter((e) => e.type === 'conflict.resolved')
    .sort((a, b) => a.at.localeCompare(b.at) || a.id.localeCompare(b.id));
  for (const e of ordered) {
    if (!isRecord(e.payload)) continue;
    const p = e.payload as {
      conflictId?: unknown;
      decision?: unknown;
      reason?: unknown;
      signature?: { signer?: { name?: unknown; roles?: unknown } };
    };
    const roles = p.signature?.signer?.roles;
    if (typeof p.conflictId !== 'string' || typeof p.decision !== 'string' || typeof p.reason !== 'string') continue;
    if (!Array.isArray(roles) || !roles.some((r) => typeof r === 'string' && CONFLICT_RESOLVER_ROLES.includes(r))) continue;
    out.set(p.conflictId, {
      eventId: e.id,
      device: e.device,
      at: e.at,
      by: typeof p.signature?.signer?.name === 'string' ? p.signature.signer.name : 'someone',
      decision: p.decision,
      reason: p.reason,
    });
  }
  return out;
}

/** Every conflict among the events of many devices, with its resolution if one was signed. Input order does not matter. */
export function findJournalConflicts(input: Iterable<ConflictEvent>): SyncConflict[] {
  const events = [...input];
  const facts = events.map((e) => changeDecisionFact(e)).filter((f): f is ChangeDecisionFact => f !== null);
  const found: Omit<SyncConflict, 'id' | 'resolution'>[] = findChangeConflicts(facts).map((c) => ({
    kind: c.kind,
    changeId: c.changeId,
    controllerId: null,
    title: c.title,
    message: c.message,
    hint: c.hint,
    records: [
      { eventId: c.stop.eventId, device: c.stop.device, seq: c.stop.seq, at: c.stop.at, by: c.stop.by, what: c.stop.operation },
      {
        eventId: c.execution.eventId,
        device: c.execution.device,
        seq: c.execution.seq,
        at: c.execution.at,
        by: c.execution.by,
        what: c.execution.operation,
      },
    ],
    options: ['the execution stands (record a retrospective review)', 'undo the execution with a new change'],
  }));
  found.push(...checkpointConflicts(events), ...baselineConflicts(events), ...lockoutConflicts(events));
  const resolved = resolutions(events);
  return found
    .map((c) => {
      const id = conflictId(
        c.kind,
        c.records.map((r) => r.eventId),
      );
      return { ...c, id, resolution: resolved.get(id) ?? null };
    })
    .sort((a, b) => (a.records[0]?.at ?? '').localeCompare(b.records[0]?.at ?? '') || a.id.localeCompare(b.id));
}

/** The conflicts a person still has to resolve. */
export function openConflicts(conflicts: readonly SyncConflict[]): SyncConflict[] {
  return conflicts.filter((c) => c.resolution === null);
}
