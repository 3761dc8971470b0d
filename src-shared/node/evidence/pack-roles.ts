/**
 * Why each event is in an evidence pack (its role in journal/index.json), computed from the signed events alone, so
 * that the writer writes and the verifier recomputes the same role (format 3 on): an index altered to present a
 * policy adoption as a link, or a link as a snapshot record, is named. Also the names the plant model gives the
 * change's controllers, read from the signed plant events the pack carries (role `plant`).
 */
import type { JsonValue } from '../../common/canonical-json.ts';
import type { ChangeState } from '../../common/workflow/change-state.ts';
import type { EventRole, PackEvent } from './pack-format.ts';

/** The roles in the order the writer chooses between them when one event has reasons for two. */
const ROLE_PRIORITY: readonly EventRole[] = ['change', 'restore', 'snapshot', 'policy', 'plant', 'trust', 'genesis', 'link'];

/** Event types that travel with the pack as trust material. */
export const TRUST_TYPES: readonly string[] = ['ca.trusted', 'person.enrolled', 'certificate.revoked'];

/** Event types of the plant model that name a controller, and that name lines. */
export const CONTROLLER_TYPES: readonly string[] = ['controller.registered', 'controller.edited', 'controller.line-assigned'];
export const LINE_TYPES: readonly string[] = ['plant.imported', 'plant.line-set'];

type Payload = Record<string, JsonValue>;
const payload = (e: PackEvent): Payload => (e.body.payload ?? {}) as Payload;

/** What the change's own events point at: its snapshots, captures, restore decisions, policy and checklist revisions. */
function changeReferences(events: readonly PackEvent[], changeId: string, state: ChangeState | null) {
  const snapshots = new Set<string>();
  const captures = new Set<string>();
  const decisions = new Set<string>();
  let checklistsSha: string | undefined;
  if (state && 'execution' in state) {
    for (const s of state.execution.snapshots ?? []) snapshots.add(s.snapshotSha256);
    for (const m of state.execution.manualRollbacks ?? []) if (m.proof) snapshots.add(m.proof.snapshotSha256);
  }
  for (const e of events) {
    const p = payload(e);
    if (p['changeId'] !== changeId) continue;
    if (e.body.type === 'restore.verified') {
      snapshots.add(String(p['beforeSnapshotSha256']));
      captures.add(String(p['captureSha256']));
      decisions.add(String(p['decisionId']));
    }
    if (e.body.type === 'baseline.approved') snapshots.add(String(p['snapshotSha256']));
    const relied = (p['relied'] as { policy?: { checklists?: { sha256: string } } } | undefined)?.policy?.checklists;
    if (e.body.type === 'change.updated' && relied) checklistsSha = relied.sha256;
  }
  return {
    snapshots,
    captures,
    decisions,
    checklistsSha,
    policyRevision: state?.review?.evaluation.policyRevision,
    controllers: new Set(state?.fields.targetControllers ?? []),
  };
}

/** The reasons one event has to be in the pack, given what the change points at. */
function reasons(e: PackEvent, changeId: string, refs: ReturnType<typeof changeReferences>): EventRole[] {
  const p = payload(e);
  const t = e.body.type;
  const out: EventRole[] = [];
  if (p['changeId'] === changeId) out.push('change');
  if (
    (t === 'restore.authorized' && refs.decisions.has(String(p['id']))) ||
    (['restore.started', 'restore.written', 'restore.executed'].includes(t) && refs.decisions.has(String(p['decisionId'])))
  )
    out.push('restore');
  if (
    (t === 'snapshot.captured' && refs.snapshots.has(String(p['snapshotSha256']))) ||
    (t === 'capture.recorded' && refs.captures.has(String(p['captureSha256'])))
  )
    out.push('snapshot');
  if (
    (t === 'policy.adopted' && p['revision'] === refs.policyRevision) ||
    (t === 'checklists.adopted' && refs.checklistsSha !== undefined && p['sha256'] === refs.checklistsSha)
  )
    out.push('policy');
  const controller = t === 'controller.registered' ? p['id'] : p['controllerId'];
  if ((CONTROLLER_TYPES.includes(t) && refs.controllers.has(String(controller))) || LINE_TYPES.includes(t)) out.push('plant');
  if (TRUST_TYPES.includes(t)) out.push('trust');
  if (e.body.seq === 1 && t === 'device.created') out.push('genesis');
  return out;
}

/** The role of every event (same order), recomputed from the signed events and the change's final state. */
export function deriveRoles(events: readonly PackEvent[], changeId: string, state: ChangeState | null): EventRole[] {
  const refs = changeReferences(events, changeId, state);
  return events.map((e) => {
    const why = reasons(e, changeId, refs);
    return ROLE_PRIORITY.find((r) => why.includes(r)) ?? 'link';
  });
}

/** A controller as the plant model names it in the pack's signed events. */
export interface ControllerName {
  id: string;
  name: string;
  line: { id: string; name: string | null } | null;
}

/** The plant's names of the change's controllers, from the pack's `plant` events (later events win, in pack order). */
export function controllerNames(events: readonly PackEvent[]): Map<string, ControllerName> {
  const names = new Map<string, ControllerName>();
  const lineNames = new Map<string, string>();
  const ordered = [...events].sort((a, b) => a.body.at.localeCompare(b.body.at) || a.body.seq - b.body.seq);
  for (const e of ordered) {
    if (e.role !== 'plant') continue;
    const p = payload(e);
    if (e.body.type === 'plant.imported') {
      const lines = (p['plant'] as { lines?: { id: string; name: string }[] } | undefined)?.lines ?? [];
      for (const l of lines) lineNames.set(l.id, l.name);
    } else if (e.body.type === 'plant.line-set') {
      const l = p['line'] as { id: string; name: string };
      lineNames.set(l.id, l.name);
    } else if (e.body.type === 'controller.registered') {
      const id = String(p['id']);
      names.set(id, { id, name: String(p['name']), line: names.get(id)?.line ?? null });
    } else if (e.body.type === 'controller.edited') {
      const id = String(p['controllerId']);
      const next = p['next'] as { name?: string } | undefined;
      const had = names.get(id);
      if (next?.name) names.set(id, { id, name: next.name, line: had?.line ?? null });
    } else if (e.body.type === 'controller.line-assigned') {
      const id = String(p['controllerId']);
      const had = names.get(id) ?? { id, name: id, line: null };
      names.set(id, { ...had, line: { id: String(p['lineId']), name: null } });
    }
  }
  for (const c of names.values()) if (c.line) c.line.name = lineNames.get(c.line.id) ?? null;
  return names;
}

/** "PLC-L01-FILLER on line L01 (Packaging line 1)", or the id alone when the pack names no such controller. */
export function controllerWords(names: ReadonlyMap<string, ControllerName>, id: string): string {
  const c = names.get(id);
  if (!c) return id;
  const line = c.line ? ` on line ${c.line.id}${c.line.name ? ` (${c.line.name})` : ''}` : '';
  return `${c.name}${line}`;
}
