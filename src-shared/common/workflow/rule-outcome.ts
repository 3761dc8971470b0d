/**
 * What the small rule modules (safety review, emergency review, post-implementation review, rollback guidance)
 * return to change-transition.ts: the next state, or the rule broken with the words of the refusal; the transition
 * adds the change's name, status and operation.
 */
import { changeName, type ChangeOperation, type ChangeState } from './change-state.ts';
import { refuse, type RefusalRule, type TransitionResult } from './transition-rules.ts';
import type { Participant, PersonRef } from './workflow-terms.ts';

/** The next state, or a refusal (`text` completes "<Rule title>: ..."). */
export type RuleOutcome =
  { ok: true; next: ChangeState } | { ok: false; rule: RefusalRule; text: string; hint: string; details?: Record<string, unknown> };

/** A refusal. */
export function no(rule: RefusalRule, text: string, hint: string, details?: Record<string, unknown>): RuleOutcome {
  return { ok: false, rule, text, hint, ...(details ? { details } : {}) };
}

/** A person as the state records them. */
export const personRef = (p: PersonRef): PersonRef => ({ id: p.id, name: p.name });

/** Whether a text is empty once trimmed. */
export const blankText = (s: string | undefined): boolean => s === undefined || s.trim() === '';

/** How `person` is on an executed change (filed, carries out, witnesses), or null when they are not on it. */
export function partOnChange(state: ChangeState, person: Participant | PersonRef): string | null {
  if (person.id === state.requester.id) return 'filed';
  if (!('execution' in state)) return null;
  if (person.id === state.execution.executor.id) return 'carries out';
  if (person.id === state.execution.witness?.id) return 'witnesses';
  const approver = state.execution.breakGlass?.approver;
  if (approver?.id !== undefined && approver.id !== null && approver.id === person.id) return 'approved under break-glass';
  return null;
}

/** The operation of one type. */
export type OpOf<T extends ChangeOperation['type']> = Extract<ChangeOperation, { type: T }>;

/** A rule module's outcome as a transition result (its refusal text completed with the change's name). */
export function ruled(state: ChangeState, op: ChangeOperation, outcome: RuleOutcome): TransitionResult {
  if (outcome.ok) return outcome;
  return refuse(state, op, outcome.rule, `${outcome.text.replace(/this change/g, changeName(state))}`, outcome.hint, outcome.details ?? {});
}
