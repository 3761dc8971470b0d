/**
 * The members of an evidence pack that earlier formats left to trust (format 3 on; PACK_FORMAT_RULES): the role of
 * every event in journal/index.json, recomputed from the signed events (and, for every format, the index's order);
 * and the two members a person reads,
 * report.pdf and VERIFY.md, rendered again from the signed members and compared byte for byte, so a report re-rendered
 * with other words or a procedure edited after export is named even when every hash list was made to agree. Part of
 * the pack verifier (pack-verifier.ts).
 */
import type { ChangeState } from '../../common/workflow/change-state.ts';
import type { ClauseResult } from './crosswalk.ts';
import type { PackContext } from './pack-context.ts';
import type { PackClockFlag } from './pack-derive.ts';
import { REPORT, eventRecord, fixedMembers, type PackEvent } from './pack-format.ts';
import { deriveRoles } from './pack-roles.ts';
import type { Fail } from './pack-rules.ts';
import { renderReport } from './report-pdf.ts';
import { verifyMarkdown } from './verify-procedure.ts';

/** Each event's role in journal/index.json against the role its signed content gives; the events take the recomputed roles. */
export function checkRoles(
  members: ReadonlyMap<string, Buffer>,
  events: PackEvent[],
  changeId: string | null,
  state: ChangeState | null,
  fail: Fail,
): void {
  let listed: Map<string, unknown>;
  try {
    const index = JSON.parse(members.get(fixedMembers.eventIndex)?.toString('utf8') ?? '[]') as { member?: unknown; role?: unknown }[];
    listed = new Map(index.map((e) => [String(e?.member), e?.role]));
  } catch {
    return; // reported by the journal check
  }
  const roles = deriveRoles(events, changeId ?? '', state);
  events.forEach((e, i) => {
    const given = listed.get(e.member);
    if (given !== roles[i])
      fail(
        fixedMembers.eventIndex,
        eventRecord(e),
        `the index gives the event the role "${String(given)}", but the signed events make it "${roles[i]}" (journal/index.json was altered)`,
      );
    e.role = roles[i]!;
  });
}

/**
 * The index lists the events in device and seq order (the change's final state is its last change.updated event):
 * every writer sorted it so, from the first pack format on, so this holds a pack of any format to it.
 */
export function checkOrder(events: readonly PackEvent[], fail: Fail): void {
  const outOfOrder = events.findIndex(
    (e, i) => i > 0 && (events[i - 1]!.body.device.localeCompare(e.body.device) || events[i - 1]!.body.seq - e.body.seq) > 0,
  );
  if (outOfOrder > 0)
    fail(
      fixedMembers.eventIndex,
      eventRecord(events[outOfOrder]!),
      `the events are not in device and seq order (this one follows ${eventRecord(events[outOfOrder - 1]!)}): the index was reordered after export, which would change what reads as the change's last event`,
    );
}

/** VERIFY.md: the procedure Baseline writes for this change. */
export function checkProcedure(
  members: ReadonlyMap<string, Buffer>,
  state: ChangeState,
  clockFlags: readonly PackClockFlag[],
  fail: Fail,
): void {
  const actual = members.get(fixedMembers.verify);
  const expected = Buffer.from(verifyMarkdown(state.id, state.fields.title, state.number, clockFlags), 'utf8');
  if (!actual)
    fail(fixedMembers.verify, null, 'the member is missing (the procedure to verify the pack without Baseline): run `baseline verify`');
  else if (!actual.equals(expected))
    fail(
      fixedMembers.verify,
      null,
      'the procedure is not the one Baseline writes for this pack (altered after export): do not follow it; run `baseline verify`, or the procedure of VERIFY.md in a pack you trust',
    );
}

/** report.pdf: the report the signed members give, with this manifest's hash on every page. */
export async function checkReport(
  members: ReadonlyMap<string, Buffer>,
  context: PackContext,
  manifestSha256: string,
  crosswalk: ClauseResult[],
  fail: Fail,
): Promise<void> {
  const actual = members.get(REPORT);
  if (!actual) return; // reported by the hash check
  if (!actual.equals(await renderReport(context, manifestSha256, crosswalk)))
    fail(
      REPORT,
      null,
      'the report is not the one the signed members of this pack give (rendered again with other content, or altered after export): do not rely on it; read the verdict of `baseline verify`, or export the pack again from the laptop that holds the change',
    );
}
