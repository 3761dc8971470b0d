/**
 * The policy rules an evidence pack's change had to follow, checked on its final state and the signatures that
 * back it: approvals complete and signed in roles the signers' certificates carry, segregation of duties,
 * checkpoints in order and signed by checkpoint roles, before- and after-snapshots present, work inside its slot
 * or under a co-signed override. Part of the pack verifier (pack-verifier.ts).
 */
import type { JsonValue } from '../../common/canonical-json.ts';
import type { ChangeState, Execution } from '../../common/workflow/change-state.ts';
import { countApprovals } from '../../common/workflow/approval-progress.ts';
import type { CheckpointSet } from '../../common/workflow/checkpoints.ts';
import { contentMembers, eventRecord, type FoundSignature, type PackEvent } from './pack-format.ts';
import { snapshotPairs } from './pack-derive.ts';

/** Records one failure: the member, the record inside it (when there is one), and why. */
export type Fail = (member: string, record: string | null, reason: string) => void;

/** The change event whose payload matches. */
function changeEventOf(events: readonly PackEvent[], pred: (p: Record<string, JsonValue>) => boolean): PackEvent | undefined {
  return events.find((e) => e.role === 'change' && e.body.type === 'change.updated' && pred(e.body.payload as Record<string, JsonValue>));
}

/** The policy rules, on the change's final state and the signatures that back it. */
export function checkRules(
  state: ChangeState,
  events: readonly PackEvent[],
  found: readonly FoundSignature[],
  checkpoints: CheckpointSet | null,
  snapshotsPresent: ReadonlySet<string>,
  fail: Fail,
): void {
  const last = events.filter((e) => e.role === 'change' && e.body.type === 'change.updated').at(-1)!;
  const requesterId = state.requester.id;
  const execution: Execution | null = 'execution' in state ? state.execution : null;
  const executorId = execution?.executor.id ?? null;
  const witnessId = execution?.witness?.id ?? null;
  const signedBy = (e: PackEvent | undefined) => found.filter((f) => e && f.source.member === e.member);
  if (state.review) {
    const ev = state.review.evaluation;
    const breakGlass = execution?.breakGlass ?? null;
    const progress = countApprovals(ev.approvals, state.review.approvals, ev.dualControl.required);
    const needsApproval = ['approved', 'scheduled', 'in-execution', 'rolled-back', 'closed'].includes(state.status);
    if (needsApproval && !breakGlass && !progress.complete) {
      fail(
        last.member,
        eventRecord(last),
        `approvals incomplete for a ${state.status} change: ${
          progress.requirements
            .filter((r) => !r.satisfied)
            .map((r) => `${r.requirement.name}: ${r.missing}`)
            .join('; ') || 'dual control not met'
        }`,
      );
    }
    if (breakGlass && execution?.retrospective && execution.retrospective.completedAt === null) {
      fail(
        last.member,
        eventRecord(last),
        `the emergency change's retrospective review is not done (due ${execution.retrospective.dueAt})`,
      );
    }
    for (const a of [...state.review.approvals, ...(execution?.retrospective?.reviews ?? [])]) {
      const e = changeEventOf(
        events,
        (p) =>
          ['approve', 'approve-with-conditions', 'retrospective-review'].includes(String(p['operation'])) &&
          (p['by'] as { id?: string })?.id === a.by.id,
      );
      const rec = `approval by ${a.by.name} as ${a.role}`;
      const sig = signedBy(e).find((f) => f.signature.signer.employeeId === a.by.id);
      if (!e || !sig) fail(last.member, rec, 'no signed approval event in the pack backs this approval');
      else if (!sig.signature.signer.roles.includes(a.role))
        fail(e.member, rec, `the signer's certificate does not carry the role ${a.role}`);
      if (a.by.id === requesterId) fail(e?.member ?? last.member, rec, 'segregation of duties: the requester approved their own change');
      if (executorId !== null && a.by.id === executorId)
        fail(e?.member ?? last.member, rec, 'segregation of duties: the person carrying out the change approved it');
    }
  }
  if (execution) {
    const records = execution.checkpoints ?? [];
    const order = checkpoints?.checkpoints.map((c) => c.id) ?? [];
    let position = -1;
    records.forEach((r, i) => {
      const rec = `checkpoint ${i + 1}: ${r.label} at ${r.name} by ${r.by.name}`;
      const e = changeEventOf(
        events,
        (p) =>
          p['operation'] === 'checkpoint' &&
          (p['state'] as unknown as ChangeState & { execution?: Execution })?.execution?.checkpoints?.length === i + 1,
      );
      const sig = signedBy(e).find((f) => f.signature.signer.employeeId === r.by.id);
      if (!e || !sig) fail(last.member, rec, 'no signed checkpoint event in the pack backs this decision');
      else if (checkpoints && !sig.signature.signer.roles.some((role) => checkpoints.signerRoles.includes(role)))
        fail(e.member, rec, `the signer holds none of the roles allowed to sign checkpoints (${checkpoints.signerRoles.join(', ')})`);
      if ([requesterId, executorId, witnessId].includes(r.by.id))
        fail(e?.member ?? last.member, rec, 'segregation of duties: the requester, executor or witness signed a checkpoint');
      const at = order.indexOf(r.checkpoint);
      if (checkpoints && (at < 0 || at < position || at > position + 1))
        fail(
          e?.member ?? last.member,
          rec,
          `checkpoint out of order (expected ${order[Math.max(0, position + (r.effect === 'monitor' ? 0 : 1))] ?? 'none'})`,
        );
      position = r.effect === 'monitor' ? at - 1 : at;
      if ((r.effect === 'proceed' || r.effect === 'close') && r.items.some((x) => !x.confirmed))
        fail(e?.member ?? last.member, rec, 'a GO/CLOSE decision with checklist items not confirmed');
    });
    const completed = state.status === 'closed' && state.closure.outcome === 'completed';
    const proceeded = records.some((r) => r.effect === 'proceed');
    for (const pair of snapshotPairs(state)) {
      if ((proceeded || completed) && !pair.before)
        fail(last.member, `controller ${pair.controllerId}`, 'no before-snapshot recorded for a target controller');
      if (completed && !pair.after)
        fail(last.member, `controller ${pair.controllerId}`, 'no after-snapshot recorded for a target controller of a completed change');
      for (const s of [pair.before, pair.after]) {
        if (s && !snapshotsPresent.has(s.snapshotSha256))
          fail(
            contentMembers.snapshot(s.snapshotSha256),
            `${s.phase}-snapshot of ${pair.controllerId}`,
            'the snapshot the change records is missing from the pack',
          );
      }
    }
    if (completed && records.at(-1)?.effect !== 'close')
      fail(last.member, eventRecord(last), 'closed as completed without the last checkpoint deciding CLOSE');
    const ev = state.review?.evaluation;
    if (ev?.window.required && !execution.breakGlass) {
      const slot = 'slot' in state ? state.slot : null;
      const start = Date.parse(execution.startedAt);
      const inside = slot !== null && start >= Date.parse(slot.start) && start <= Date.parse(slot.end);
      const overrides = [...(slot?.overrides ?? []), ...execution.overrides];
      const startEvent = changeEventOf(events, (p) => p['operation'] === 'start-execution');
      const scheduleEvent = events
        .filter(
          (e) =>
            e.role === 'change' &&
            e.body.type === 'change.updated' &&
            (e.body.payload as Record<string, JsonValue>)['operation'] === 'schedule',
        )
        .at(-1);
      const cosigned = (id: string) =>
        found.some(
          (f) =>
            f.source.record.endsWith('co-signature') &&
            f.signature.signer.employeeId === id &&
            (f.source.member === startEvent?.member || f.source.member === scheduleEvent?.member),
        );
      if (!inside && overrides.length === 0)
        fail(
          startEvent?.member ?? last.member,
          'start-execution',
          `the work started at ${execution.startedAt}, outside its slot ${slot ? `${slot.start} – ${slot.end}` : '(none booked)'}, with no override`,
        );
      for (const o of overrides)
        if (!cosigned(o.by.id))
          fail(
            startEvent?.member ?? last.member,
            `override (${o.rule}) by ${o.by.name}`,
            'the override is not co-signed by its approver in the pack',
          );
    }
  }
}
