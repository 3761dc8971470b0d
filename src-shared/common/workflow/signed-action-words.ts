/**
 * The words of the signed-actions table (signed-actions.ts) that only the change screen's forms need: what a
 * signature covers, derived from the action's meaning, words and field labels; the labels of an override's own
 * fields; and a request checked against the action's schema, its problem named by the field's label ("Reason:
 * required") so a form says what to fill in instead of sending a request the API would refuse.
 */
import type * as z from 'zod';
import { SIGNED_ACTIONS, type ActionField, type OverrideRequest, type SignedActionType } from './signed-actions.ts';

/** What a signature of each meaning gives, in the signer's words. */
const MEANING_WORDS: Record<(typeof SIGNED_ACTIONS)[SignedActionType]['meaning'], string> = {
  'captured by': 'that you captured it',
  approved: 'your approval',
  rejected: 'your rejection',
  reviewed: 'your review',
  go: 'your go for the work to start',
  'no-go': 'your no-go',
  rollback: 'your decision that the change is rolled back',
  responsible: 'your word as the one responsible',
  'checkpoint-decision': 'the go, no-go, rollback or review you choose',
  'window-decision': 'your decision to complete the work after the window or to roll back',
};

/** What a signature covers besides its own fields, where it is more than the change as shown. */
const COVERS_ALSO: Partial<Record<SignedActionType, string>> = {
  checkpoint: "the change's checklist ticks, notes and attached files, and every snapshot, diff and policy revision recorded on the change",
};

/** The labels of an override's own fields (the override approver's signature inside `override`). */
export const OVERRIDE_FIELD_LABELS: Record<keyof OverrideRequest, string> = {
  employeeId: 'Override approver',
  password: "Override approver's password",
  role: 'Override role',
  rule: 'Rule overridden',
  blackout: 'Blackout name',
  reason: 'Override reason',
};

/** The fields of an action that belong to a co-signer (their employee id and password, or the override), not to the signer. */
export function cosignerFields(type: SignedActionType): Set<string> {
  const out = new Set<string>();
  for (const c of SIGNED_ACTIONS[type].cosigners) {
    if (c.within !== null) out.add(c.within);
    else out.add(c.employeeIdField).add(c.passwordField);
  }
  return out;
}

/**
 * What the signer's signature covers, from the table: the meaning ("your approval"), the labels of the fields the
 * signer fills in, and the change as shown.
 */
export function signatureCovers(type: SignedActionType): string {
  const spec = SIGNED_ACTIONS[type];
  const own = cosignerFields(type);
  const labels = Object.entries(spec.fields as Record<string, ActionField>)
    .filter(([name]) => !own.has(name))
    .map(([, f]) => f.label.replace(/ \(.*\)$/, ''));
  const filled = labels.length === 0 ? '' : `, what you fill in here (${labels.join(', ')})`;
  const also = COVERS_ALSO[type] ?? 'the change, its snapshots and its diffs as shown on this screen';
  return `${MEANING_WORDS[spec.meaning]}${filled}, and ${also}.`;
}

/** A field's label for a problem at `path` of a request of `type` (an override's own field by its label). */
function labelAt(type: SignedActionType, path: readonly PropertyKey[]): string {
  const [head, next] = path;
  const fields = SIGNED_ACTIONS[type].fields as Record<string, ActionField>;
  if (head === 'override' && typeof next === 'string' && next in OVERRIDE_FIELD_LABELS)
    return OVERRIDE_FIELD_LABELS[next as keyof OverrideRequest];
  return typeof head === 'string' ? (fields[head]?.label ?? head) : 'The request';
}

/** The value at `path` of a request. */
function valueAt(request: unknown, path: readonly PropertyKey[]): unknown {
  return path.reduce<unknown>(
    (v, k) => (v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k] : undefined),
    request,
  );
}

/** One schema problem in words: "required" for a missing or empty value, zod's own words otherwise. */
function problemWords(issue: z.core.$ZodIssue, value: unknown): string {
  if (value === undefined || value === '') return 'required';
  if (issue.code === 'too_small' && issue.minimum === 1) return 'required';
  return issue.message;
}

/** A request's problem under its action's schema, named by the field's label ("Reason: required"), or null when it is valid. */
export function actionProblem(action: { type: SignedActionType } & Record<string, unknown>): { field: string; message: string } | null {
  const result = SIGNED_ACTIONS[action.type].schema.safeParse(action);
  if (result.success) return null;
  const issue = result.error.issues[0]!;
  const field = labelAt(action.type, issue.path);
  return { field, message: `${field}: ${problemWords(issue, valueAt(action, issue.path))}` };
}
