/**
 * The change-control policy document (`schema: baseline.policy/1`, YAML; the plant's default is
 * resources/policy/default-policy.yaml): roles, approval groups, change classes, line tiers, the safety-tag
 * escalation, risk scoring, change windows, blackouts and the signature lockout. This module owns its SHAPE
 * (zod); policy-rules.ts owns the rules that tie its parts together (unknown names, contradictions) and
 * policy-yaml.ts reads the file and reports every problem with its line.
 *
 * Durations are written `48h`, `15m`, `7d` or `none` and come out as minutes; dates and times stay text until a
 * time zone reads them (change-windows.ts).
 */
import * as z from 'zod';
import { parseDuration } from './duration.ts';
import { isCalendarDate, parseDateTimeText, timeZoneProblem } from './time-zone.ts';
import { CHANGE_CLASSES, CHANGE_FIELDS, WEEKDAYS, type Weekday } from './workflow-terms.ts';

/** NERC CIP-010 R2.1: a drift check at least once every 35 calendar days (minutes). */
export const MAX_DRIFT_CHECK_MINUTES = 35 * 1440;
/** The skew limit when the policy names none (minutes). */
export const DEFAULT_CLOCK_SKEW_LIMIT_MINUTES = 5;
/** The longest skew limit a policy may set (minutes). */
export const MAX_CLOCK_SKEW_LIMIT_MINUTES = 24 * 60;
/** NERC CIP-010 R1.3: the baseline updated within 30 calendar days of a completed change (minutes). */
export const MAX_BASELINE_AFTER_CHANGE_MINUTES = 30 * 1440;

/** The safety review when a policy leaves it out: the change guide's technical, safety/PHA and CAB steps. */
export const DEFAULT_SAFETY_REVIEW = {
  steps: [
    { name: 'Technical review', groups: ['technical-review', 'single-approver'] },
    { name: 'Safety / PHA review', groups: ['process-safety', 'safety-manager'] },
    { name: 'CAB approval', groups: ['cab', 'vp-operations'] },
  ],
  signOffRoles: ['safety-manager'],
  checklist: [
    'Safety interlocks checked and working',
    'No safety instrumented function bypassed or left in override',
    'Safety system alarms clear',
    'Process parameters normal',
  ],
};

/** The post-implementation review when a policy leaves it out: normal and major (safety-critical) changes. */
export const DEFAULT_POST_IMPLEMENTATION_REVIEW = {
  classes: ['normal', 'safety-critical'] as ('standard' | 'normal' | 'emergency' | 'safety-critical')[],
  reviewerRoles: ['plant-engineering-manager'],
  within: 72 * 60,
};

/** The schema name and major version this code reads. */
export const POLICY_SCHEMA = 'baseline.policy/1';

const Name = z.string().regex(/^[a-z][a-z0-9-]{0,63}$/, {
  error: 'must be a name in lower-case letters, digits and hyphens, starting with a letter (such as ot-security)',
});
const NameList = z.array(Name).min(1);
const Text = z.string().max(2000);

const Duration = z.string({ error: 'must be a duration such as 30m, 24h or 2d' }).transform((text, ctx) => {
  const minutes = parseDuration(text);
  if (minutes === null) {
    ctx.issues.push({ code: 'custom', input: text, message: `"${text}" is not a duration: write it like 30m, 24h, 2d or 1h30m` });
    return z.NEVER;
  }
  return minutes;
});

/** A positive duration (timeouts, lockout): zero would mean "never wait" or "never lock". */
const PositiveDuration = Duration.refine((m) => m > 0, { error: 'must be longer than zero' });

const TierNotice = z.string({ error: 'must be a duration such as 24h, or same-shift' }).transform((text, ctx) => {
  if (text.trim().toLowerCase() === 'same-shift') return { minutes: 0, sameShift: true };
  const minutes = parseDuration(text);
  if (minutes === null) {
    ctx.issues.push({ code: 'custom', input: text, message: `"${text}" is not a notice period: write it like 24h or 2d, or same-shift` });
    return z.NEVER;
  }
  return { minutes, sameShift: false };
});

const TimeZone = z.string({ error: 'must be an IANA time zone name such as America/Chicago' }).superRefine((name, ctx) => {
  const problem = timeZoneProblem(name);
  if (problem !== null) ctx.addIssue({ code: 'custom', message: problem });
});

const TimeOfDay = z
  .string({ error: 'must be a time of day such as 06:00 (24-hour clock, quoted or not)' })
  .regex(/^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$/, {
    error: 'must be a time of day such as 06:00 (24-hour clock; 24:00 is the end of the day)',
  });

const DateTimeString = z
  .string({ error: 'must be a date or date-time such as 2026-04-01 or 2026-04-01T06:00' })
  .refine((s) => parseDateTimeText(s) !== null, {
    error: 'must be a date (2026-04-01), a plant-time date-time (2026-04-01T06:00) or an instant with a zone (2026-04-01T06:00:00Z)',
  });

const MonthDay = z.string({ error: 'must be a month and day such as 12-15' }).refine(
  (s) => {
    const m = /^(\d{2})-(\d{2})$/.exec(s);
    return m !== null && isCalendarDate(2027, Number(m[1]), Number(m[2]));
  },
  { error: 'must be a month and day such as 12-15 (29 February is not allowed: not every year has it)' },
);

const WEEKDAY_NAMES: Readonly<Record<string, Weekday>> = {
  sun: 'sun',
  sunday: 'sun',
  mon: 'mon',
  monday: 'mon',
  tue: 'tue',
  tuesday: 'tue',
  wed: 'wed',
  wednesday: 'wed',
  thu: 'thu',
  thursday: 'thu',
  fri: 'fri',
  friday: 'fri',
  sat: 'sat',
  saturday: 'sat',
};

const Day = z.string({ error: `must be a weekday: ${WEEKDAYS.join(', ')}` }).transform((s, ctx) => {
  const day = WEEKDAY_NAMES[s.trim().toLowerCase()];
  if (day === undefined) {
    ctx.issues.push({ code: 'custom', input: s, message: `"${s}" is not a weekday: write ${WEEKDAYS.join(', ')} (or the full names)` });
    return z.NEVER;
  }
  return day;
});

const ClassName = z.enum(CHANGE_CLASSES);
const Tier = z.union([z.literal(1), z.literal(2), z.literal(3)], { error: 'must be a line tier: 1, 2 or 3' });

/** Which lines a window or blackout covers: listed lines, lines of listed tiers, or (neither given) every line. */
const scope = {
  lines: z.array(z.string().min(1).max(64)).min(1).optional(),
  tiers: z.array(Tier).min(1).optional(),
};

const ApprovalGroupSchema = z
  .object({
    name: z.string().min(1).max(120).optional(),
    description: Text.optional(),
    roles: NameList,
    quorum: z.number().int().min(1),
    supersedes: z.array(Name).default([]),
    /** Roles that must be among the quorum (RACI "accountable"): the group is met only once each of them signed. */
    accountable: z.array(Name).default([]),
  })
  .strict();

/** An approval group: who may sign toward it and how many different roles must. */
export type ApprovalGroup = z.output<typeof ApprovalGroupSchema>;

const ClassSchema = z
  .object({
    description: Text.default(''),
    approvals: NameList,
    followTierAndRisk: z.boolean(),
    dualControl: z.boolean().default(false),
    staging: z.boolean().default(false),
    diffReview: z.boolean().default(false),
    notice: Duration.default(0),
    requiresWindow: z.boolean().default(true),
    maxRiskBand: Name.optional(),
    approvalTimeout: z.object({ after: PositiveDuration, escalateTo: NameList }).strict(),
    requiredFields: z.array(z.enum(CHANGE_FIELDS)),
    breakGlass: z
      .object({
        approverRoles: NameList,
        /** The responder list: the roles whose holders may carry out a break-glass change (absent: anyone enrolled). */
        responders: NameList.optional(),
        retrospectiveWithin: PositiveDuration,
        retrospectiveApprovals: NameList,
      })
      .strict()
      .optional(),
  })
  .strict();

/** What a change class requires. */
export type ClassPolicy = z.output<typeof ClassSchema>;

const TierSchema = z
  .object({
    description: Text.default(''),
    approvals: NameList,
    notice: TierNotice,
    staging: z.boolean(),
    diffReview: z.boolean(),
  })
  .strict();

/** What a line tier requires. */
export type TierPolicy = z.output<typeof TierSchema>;

const Scale = z.object({ min: z.number().int().min(0).max(100), max: z.number().int().min(1).max(100) }).strict();
const Factor = z.number().int().min(0).max(1000);

const RiskSchema = z
  .object({
    impact: Scale,
    probability: Scale,
    safetyFactor: z.object({ none: Factor, low: Factor, medium: Factor, high: Factor }).strict(),
    bands: z
      .array(
        z
          .object({
            name: Name,
            from: z.number().int().min(0),
            to: z.number().int().min(0).optional(),
            approvals: z.array(Name).default([]),
          })
          .strict(),
      )
      .min(1),
  })
  .strict();

/** Risk scoring: the scales, the safety factor per safety impact, and the bands. */
export type RiskPolicy = z.output<typeof RiskSchema>;

const WeeklyPeriod = z.object({ days: z.array(Day).min(1), start: TimeOfDay, end: TimeOfDay }).strict();

const windowCommon = {
  name: Name,
  description: Text.optional(),
  timeZone: TimeZone.optional(),
  classes: z.array(ClassName).min(1),
  ...scope,
};

const WindowSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('weekly'), ...windowCommon, periods: z.array(WeeklyPeriod).min(1) }).strict(),
  z.object({ type: z.literal('one-off'), ...windowCommon, start: DateTimeString, end: DateTimeString }).strict(),
  z.object({ type: z.literal('turnaround'), ...windowCommon, start: DateTimeString, end: DateTimeString }).strict(),
]);

/** A change window: weekly recurring periods, a one-off window or a turnaround. */
export type ChangeWindowPolicy = z.output<typeof WindowSchema>;

const Override = z.object({ approverRoles: NameList }).strict();

const blackoutCommon = {
  name: Name,
  message: z.string().min(1).max(500),
  timeZone: TimeZone.optional(),
  blockedClasses: z.array(ClassName).min(1),
  override: Override.optional(),
  ...scope,
};

const BlackoutSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('one-off'), ...blackoutCommon, start: DateTimeString, end: DateTimeString }).strict(),
  z.object({ type: z.literal('yearly'), ...blackoutCommon, start: MonthDay, end: MonthDay }).strict(),
]);

/** A blackout: classes blocked for a period, and who (if anyone) may sign an override. */
export type BlackoutPolicy = z.output<typeof BlackoutSchema>;

/** The whole policy document. */
export const PolicySchema = z
  .object({
    schema: z.literal(POLICY_SCHEMA),
    revision: z.number().int().min(1),
    name: z.string().min(1).max(200),
    description: Text.optional(),
    plant: z.object({ timeZone: TimeZone }).strict(),
    roles: z.record(Name, z.string().min(1).max(120)),
    approvalGroups: z.record(Name, ApprovalGroupSchema),
    classes: z
      .object({
        standard: ClassSchema,
        normal: ClassSchema,
        emergency: ClassSchema,
        'safety-critical': ClassSchema,
      })
      .strict(),
    tiers: z.object({ 1: TierSchema, 2: TierSchema, 3: TierSchema }).strict(),
    safetyTags: z.object({ approvals: NameList }).strict(),
    risk: RiskSchema,
    windows: z.array(WindowSchema).default([]),
    outsideWindowOverride: Override.optional(),
    blackouts: z.array(BlackoutSchema).default([]),
    signatures: z
      .object({
        lockout: z
          .object({
            maxFailures: z.number().int().min(1).max(20),
            window: PositiveDuration,
            lockFor: PositiveDuration,
          })
          .strict(),
      })
      .strict(),
    safetyReview: z
      .object({
        /** The review steps of a safety-critical change, in order: approval groups of a later step wait for every earlier step. */
        steps: z.array(z.object({ name: z.string().min(1).max(120), groups: NameList }).strict()).min(1),
        /** Who signs the post-change safety checklist before CLOSE (the safety manager). */
        signOffRoles: NameList,
        /** The post-change safety checklist the sign-off confirms, item by item. */
        checklist: z.array(z.string().min(1).max(300)).min(1),
      })
      .strict()
      .optional(),
    postImplementationReview: z
      .object({
        /** The classes whose completed changes owe a post-implementation review (with the new baseline) after CLOSE. */
        classes: z.array(ClassName).default([]),
        /** Who may sign the review; never someone on the change. */
        reviewerRoles: NameList,
        within: PositiveDuration,
      })
      .strict()
      .optional(),
    driftChecks: z
      .object({
        every: PositiveDuration.refine((m) => m >= 60, { error: 'must be at least 1h: every check captures the whole controller' }).refine(
          (m) => m <= MAX_DRIFT_CHECK_MINUTES,
          { error: 'must be at most 35d: NERC CIP-010 R2.1 asks for a drift check at least once every 35 calendar days' },
        ),
        baselineAfterChange: PositiveDuration.refine((m) => m <= MAX_BASELINE_AFTER_CHANGE_MINUTES, {
          error: 'must be at most 30d: NERC CIP-010 R1.3 asks for the baseline to be updated within 30 calendar days of a completed change',
        }),
      })
      .strict()
      .default({ every: MAX_DRIFT_CHECK_MINUTES, baselineAfterChange: MAX_BASELINE_AFTER_CHANGE_MINUTES }),
    /** Laptop clocks: how far a laptop's clock may be off the server's at a push before its events are flagged. */
    clocks: z
      .object({
        skewLimit: PositiveDuration.refine((m) => m <= MAX_CLOCK_SKEW_LIMIT_MINUTES, {
          error: 'must be at most 24h: a clock off by more than a day makes every event time meaningless, whatever the policy says',
        }),
      })
      .strict()
      .default({ skewLimit: DEFAULT_CLOCK_SKEW_LIMIT_MINUTES }),
  })
  .strict();

/** How far a laptop's clock may be off the server's at a push before its events are flagged (ms). */
export function clockSkewLimitMs(policy: Policy): number {
  return policy.clocks.skewLimit * 60_000;
}

/** The drift-check clocks of the policy, in minutes (drift-clock.ts). */
export function driftClockPolicy(policy: Policy): { checkEveryMinutes: number; baselineAfterChangeMinutes: number } {
  return { checkEveryMinutes: policy.driftChecks.every, baselineAfterChangeMinutes: policy.driftChecks.baselineAfterChange };
}

/** A validated policy (durations in minutes, defaults filled in). */
export type Policy = z.output<typeof PolicySchema>;

/** The lockout the identity service applies to e-signature passwords, in its own units (ms). */
export function signatureLockout(policy: Policy): { maxFailures: number; windowMs: number; lockMs: number } {
  const l = policy.signatures.lockout;
  return { maxFailures: l.maxFailures, windowMs: l.window * 60_000, lockMs: l.lockFor * 60_000 };
}

/**
 * The safety review in force: the policy's own, or the change guide's default limited to the groups and roles this
 * policy declares (a policy without a safety manager has no sign-off to ask for).
 */
export function safetyReviewOf(policy: Policy): {
  steps: { name: string; groups: string[] }[];
  signOffRoles: string[];
  checklist: string[];
} {
  if (policy.safetyReview !== undefined) return policy.safetyReview;
  const d = DEFAULT_SAFETY_REVIEW;
  return {
    steps: d.steps
      .map((s) => ({ name: s.name, groups: s.groups.filter((g) => Object.hasOwn(policy.approvalGroups, g)) }))
      .filter((s) => s.groups.length > 0),
    signOffRoles: d.signOffRoles.filter((r) => Object.hasOwn(policy.roles, r)),
    checklist: [...d.checklist],
  };
}

/** The post-implementation review in force: the policy's own, or the default limited to the roles this policy declares. */
export function postImplementationReviewOf(policy: Policy): { classes: string[]; reviewerRoles: string[]; within: number } {
  if (policy.postImplementationReview !== undefined) return policy.postImplementationReview;
  const d = DEFAULT_POST_IMPLEMENTATION_REVIEW;
  const reviewerRoles = d.reviewerRoles.filter((r) => Object.hasOwn(policy.roles, r));
  return { classes: reviewerRoles.length === 0 ? [] : [...d.classes], reviewerRoles, within: d.within };
}

/** The display name of an approval group ("Change Advisory Board"), or its key. */
export function groupName(policy: Policy, key: string): string {
  return policy.approvalGroups[key]?.name ?? key;
}

/** The display name of a role ("OT security"), or its key. */
export function roleName(policy: Policy, key: string): string {
  return policy.roles[key] ?? key;
}
