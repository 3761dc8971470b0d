/**
 * Ticking an item of a checklist template during execution (issue #15): the item must be on a template that
 * applies to the change, its checkpoint not yet decided (a signed checkpoint relied on the checklist as it stood),
 * the note short, the attachments few and named. The tick joins the change's checklist state, which every later
 * signature's relied-on hash covers.
 */
import type { Execution } from './change-state.ts';
import {
  ATTACHMENTS_PER_TICK,
  TICK_NOTE_MAX_CHARS,
  closingDecision,
  templateApplies,
  templateItems,
  type ChecklistTemplates,
  type TickRecord,
} from './checklists.ts';
import { no, personRef, type OpOf, type RuleOutcome } from './rule-outcome.ts';
import type { ChangeState } from './change-state.ts';

const SHA256 = /^[0-9a-f]{64}$/;

/** Records one tick (or untick) of a checklist item. */
export function tickItem(state: ChangeState, op: OpOf<'tick-item'>, templates: ChecklistTemplates | null, now: Date): RuleOutcome {
  if (state.status !== 'in-execution')
    return no(
      'illegal-transition',
      'only a change being executed has its checklists ticked.',
      'Tick the items while the work is going on.',
    );
  if (templates === null)
    return no('tick-invalid', 'no checklist templates are in force.', 'Adopt checklist templates on the Plant screen.');
  const template = templates.templates.find((t) => t.id === op.template);
  if (template === undefined) {
    return no(
      'tick-invalid',
      `there is no checklist "${op.template}" in the templates in force (revision ${templates.revision}: ${templates.templates.map((t) => t.name).join(', ')}).`,
      'Tick an item of one of the listed checklists.',
    );
  }
  if (!templateApplies(template, state)) {
    return no(
      'tick-invalid',
      `the ${template.name} checklist applies only to safety-critical changes, and this change is not one.`,
      'Tick the checklists shown for this change.',
    );
  }
  if (!templateItems(template).includes(op.item)) {
    return no('tick-invalid', `"${op.item}" is not an item of the ${template.name} checklist.`, "Tick the checklist's own items.");
  }
  const execution: Execution = state.execution;
  const closed = closingDecision(template, execution.checkpoints ?? []);
  if (closed !== undefined) {
    return no(
      'tick-invalid',
      `the ${template.name} checklist prepared ${closed.name}, which ${closed.by.name} already decided (${closed.label}); the signature relied on the checklist as it stood.`,
      "Write what you found in a later checkpoint's comment, or in the change's explanations.",
    );
  }
  const note = op.note?.trim() ?? '';
  if (note.length > TICK_NOTE_MAX_CHARS)
    return no(
      'tick-invalid',
      `the note is ${note.length} characters; a note against an item is at most ${TICK_NOTE_MAX_CHARS}.`,
      'Shorten it, or attach a file with the details.',
    );
  const attachments = op.attachments ?? [];
  if (attachments.length > ATTACHMENTS_PER_TICK)
    return no(
      'tick-invalid',
      `${attachments.length} files were attached; one tick takes at most ${ATTACHMENTS_PER_TICK}.`,
      'Attach the rest to another tick of the item.',
    );
  const bad = attachments.find((a) => !SHA256.test(a.sha256) || a.name.trim() === '' || !(a.size >= 0));
  if (bad !== undefined) return no('tick-invalid', `the attachment "${bad.name}" has no valid SHA-256 or size.`, 'Attach the file again.');
  if (!op.ticked && attachments.length > 0)
    return no('tick-invalid', 'files are attached to a tick, not to clearing one.', 'Tick the item to attach the files.');
  const record: TickRecord = {
    template: template.id,
    item: op.item,
    ticked: op.ticked,
    by: personRef(op.by),
    at: now.toISOString(),
    revision: templates.revision,
    ...(note !== '' ? { note } : {}),
    ...(attachments.length > 0
      ? { attachments: attachments.map((a) => ({ name: a.name.trim(), sha256: a.sha256, size: a.size, mediaType: a.mediaType })) }
      : {}),
  };
  return { ok: true, next: { ...state, execution: { ...execution, ticks: [...(execution.ticks ?? []), record] } } };
}
