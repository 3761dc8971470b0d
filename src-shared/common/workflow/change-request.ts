/**
 * The fields of a change request (the change guide and the change management procedures), validated with zod at every boundary, and which of them a
 * class requires (the policy's `classes.<class>.requiredFields`). A draft may be incomplete; submit (and
 * break-glass for emergencies) refuses a request that lacks a field its class requires.
 */
import * as z from 'zod';
import type { Policy } from './policy-schema.ts';
import { CHANGE_CLASSES, CHANGE_FIELD_LABELS, SAFETY_IMPACTS, type ChangeClass, type ChangeField } from './workflow-terms.ts';

const LongText = z.string().max(20_000);
const Reference = z.string().max(200);
const Instant = z.iso.datetime({ offset: true });

/** One proposed tag change (the same shape as diff/proposed-diff.ts ProposedChange). */
const ProposedTagChangeSchema = z
  .object({
    tag: z.string().min(1).max(200),
    from: z.json().optional(),
    to: z.json(),
    type: z.string().min(1).max(40).optional(),
  })
  .strict();

/** The request's proposed change: tag values (a proposed diff) or a written work instruction (logic, firmware). */
export const ProposedChangeSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('diff'),
      controllerId: z.string().min(1).max(200),
      changes: z.array(ProposedTagChangeSchema).min(1).max(10_000),
    })
    .strict(),
  z.object({ kind: z.literal('work-instruction'), text: z.string().min(1).max(50_000) }).strict(),
]);

/** The request's proposed change. */
export type ProposedChangeField = z.output<typeof ProposedChangeSchema>;

/** The requester's impact assessment: a summary, impact and probability on the policy's scales, the safety impact. */
export const ImpactAssessmentSchema = z
  .object({
    summary: LongText,
    impact: z.number().int().min(0).max(100),
    probability: z.number().int().min(0).max(100),
    safetyImpact: z.enum(SAFETY_IMPACTS),
  })
  .strict();

/** The requester's impact assessment. */
export type ImpactAssessment = z.output<typeof ImpactAssessmentSchema>;

/** Every field of a change request; empty text, an empty list or null means "not filled in yet". */
export const ChangeRequestFieldsSchema = z
  .object({
    title: z.string().max(200).default(''),
    description: LongText.default(''),
    justification: LongText.default(''),
    class: z.enum(CHANGE_CLASSES).nullable().default(null),
    targetControllers: z.array(z.string().min(1).max(200)).max(500).default([]),
    impactAssessment: ImpactAssessmentSchema.nullable().default(null),
    rollbackPlan: LongText.default(''),
    testPlan: LongText.default(''),
    proposedChange: ProposedChangeSchema.nullable().default(null),
    requestedWindow: z.object({ start: Instant, end: Instant }).strict().nullable().default(null),
    itsmTicket: Reference.default(''),
    mocReference: Reference.default(''),
  })
  .strict();

/** The fields of a change request (defaults filled in). */
export type ChangeRequestFields = z.output<typeof ChangeRequestFieldsSchema>;

/** A request with nothing filled in. */
export function emptyChangeRequest(): ChangeRequestFields {
  return ChangeRequestFieldsSchema.parse({});
}

/** Whether a field is filled in (text not blank, list not empty, value present and well-formed). */
export function fieldPresent(fields: ChangeRequestFields, field: ChangeField): boolean {
  switch (field) {
    case 'title':
    case 'description':
    case 'justification':
    case 'rollbackPlan':
    case 'testPlan':
    case 'itsmTicket':
    case 'mocReference':
      return fields[field].trim() !== '';
    case 'targetControllers':
      return fields.targetControllers.length > 0;
    case 'impactAssessment':
      return fields.impactAssessment !== null && fields.impactAssessment.summary.trim() !== '';
    case 'proposedChange':
      return fields.proposedChange !== null;
    case 'requestedWindow':
      return fields.requestedWindow !== null && Date.parse(fields.requestedWindow.end) > Date.parse(fields.requestedWindow.start);
  }
}

/** The fields the class requires that the request lacks (the class itself is always required). */
export function missingFields(policy: Policy, cls: ChangeClass, fields: ChangeRequestFields): ChangeField[] {
  return policy.classes[cls].requiredFields.filter((f) => !fieldPresent(fields, f));
}

/** "title, rollback plan and MOC reference". */
export function describeFields(fields: readonly ChangeField[]): string {
  const words = fields.map((f) => CHANGE_FIELD_LABELS[f]);
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} and ${words[words.length - 1] ?? ''}`;
}

/** "Requested window, ITSM ticket reference": fields as the form labels them (an unknown key is shown as given). */
export function fieldList(fields: readonly string[]): string {
  return fields
    .map((f) => {
      const label = Object.hasOwn(CHANGE_FIELD_LABELS, f) ? CHANGE_FIELD_LABELS[f as ChangeField] : f;
      return label.charAt(0).toUpperCase() + label.slice(1);
    })
    .join(', ');
}
