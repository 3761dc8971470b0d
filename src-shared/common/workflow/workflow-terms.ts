/**
 * The fixed vocabulary of the change workflow (ARCHITECTURE §6): change classes, line tiers, request fields,
 * safety impact levels and weekdays. The policy decides what each means for approvals and scheduling; these
 * names are the same in the policy YAML, the code, the UI and the evidence.
 */

/** The four change classes of the change guide: pre-approved template, CAB-reviewed, fast path, SIS changes. */
export const CHANGE_CLASSES = ['standard', 'normal', 'emergency', 'safety-critical'] as const;

/** A change class. */
export type ChangeClass = (typeof CHANGE_CLASSES)[number];

/** Line tiers (the 24-line packaging plant): set by plant engineering, tier 1 the most critical lines. */
export const LINE_TIERS = [1, 2, 3] as const;

/** A line tier. */
export type LineTier = (typeof LINE_TIERS)[number];

/** The fields of a change request (the change guide and the change management procedures) that a policy can make required per class. */
export const CHANGE_FIELDS = [
  'title',
  'description',
  'justification',
  'targetControllers',
  'impactAssessment',
  'rollbackPlan',
  'testPlan',
  'proposedChange',
  'requestedWindow',
  'itsmTicket',
  'mocReference',
] as const;

/** A change request field the policy can require. */
export type ChangeField = (typeof CHANGE_FIELDS)[number];

/** How people name each field in messages. */
export const CHANGE_FIELD_LABELS: Readonly<Record<ChangeField, string>> = {
  title: 'title',
  description: 'description',
  justification: 'justification',
  targetControllers: 'target controllers',
  impactAssessment: 'impact assessment (summary, impact, probability, safety impact)',
  rollbackPlan: 'rollback plan',
  testPlan: 'test plan',
  proposedChange: 'proposed diff or work instruction',
  requestedWindow: 'requested window',
  itsmTicket: 'ITSM ticket reference',
  mocReference: 'MOC reference',
};

/** Safety impact levels of the request form (the change guide): none, low, medium, high (SIS bypass). */
export const SAFETY_IMPACTS = ['none', 'low', 'medium', 'high'] as const;

/** A safety impact level. */
export type SafetyImpact = (typeof SAFETY_IMPACTS)[number];

/** Weekdays in JavaScript's order (0 = Sunday), as the policy spells them. */
export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

/** A weekday. */
export type Weekday = (typeof WEEKDAYS)[number];

/** A production line as the workflow sees it: its id (e.g. L07), an optional display name and its tier. */
export interface LineFact {
  id: string;
  name?: string;
  tier: LineTier;
}

/** Someone the workflow records: the id the identity service knows them by, and their name. */
export interface PersonRef {
  id: string;
  name: string;
}

/** A person acting on a change, with the policy roles their certificate gives them (checked by the caller). */
export interface Participant extends PersonRef {
  roles: readonly string[];
}

/** The shortest password a person's keystore or the plant CA accepts (shown on the forms before submit). */
export const MIN_PASSWORD_LENGTH = 8;
