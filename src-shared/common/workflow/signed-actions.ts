/**
 * Every decision a person signs on a change, declared once: the operation it becomes, how the record words it, what
 * the signature means, the fields the signer fills in (with their labels), who may sign and who signs with them.
 * The API's request schema (`SignedActionSchema`, used by `changes.act`), the `SignedAction` type, the change
 * service's dispatch (`src-main/services/change-actions.ts`, one entry per action, checked by the compiler) and the
 * change screen's forms all come from this table. The rules themselves stay in `change-transition.ts`.
 */
import * as z from 'zod';
import { Password as PasswordSchema, Sha256 as Sha256Schema } from '../api/contract-primitives.ts';
import type { SignatureMeaning } from '../snapshot/snapshot.ts';
import { BREAK_GLASS_METHODS, WINDOW_DECISIONS } from './change-state.ts';

/** An override approver's own signature letting work happen outside a window or inside a blackout. */
export const OverrideRequestSchema = z
  .object({
    employeeId: z.string().min(1),
    password: PasswordSchema,
    role: z.string().min(1),
    rule: z.enum(['outside-window', 'blackout']),
    blackout: z.string().min(1).max(200).optional(),
    reason: z.string().min(1).max(2000),
  })
  .strict();
/** An override approver's own signature (what `override` holds). */
export type OverrideRequest = z.infer<typeof OverrideRequestSchema>;

/** One field the signer fills in: its label on the form and in messages, and its schema. */
export interface ActionField<S extends z.ZodType = z.ZodType> {
  label: string;
  schema: S;
}

/**
 * Who may sign an action (the rule in `change-transition.ts` decides; this names it for forms and docs):
 * the requester; an approver holding a role the change still needs; a scheduler or executor (anyone enrolled, checked
 * against windows and dual control); a responder on the class's break-glass list; a checkpoint signer (the
 * checkpoint file's roles, not on the change); a CAB reviewer not on the break-glass work.
 */
export type SignerRule =
  | 'requester'
  | 'approver'
  | 'scheduler'
  | 'executor'
  | 'responder'
  | 'checkpoint-signer'
  | 'cab-reviewer'
  | 'safety-signer'
  | 'break-glass-approver'
  | 'implementation-reviewer';

/** A second person signing the same decision with their own password. */
export interface CosignerSpec {
  /** How the journal records the co-signature: `witness`, `countersign`, or `override:<rule>` for an override. */
  as: 'witness' | 'countersign' | 'override' | 'break-glass-approver';
  /** The label of the co-signer on the form. */
  label: string;
  meaning: SignatureMeaning;
  /** Who may co-sign, in words. */
  who: string;
  /**
   * Always (the schema requires the fields), only when the policy asks for one, or now or later (named now, signing
   * now with their password or afterwards with an action of their own).
   */
  required: 'always' | 'when-the-policy-requires' | 'now-or-later';
  /** The field holding the co-signer's fields (`override`), or null when they sit on the action itself. */
  within: 'override' | null;
  /** The fields (inside `within` when set) holding the co-signer's employee id and password. */
  employeeIdField: string;
  passwordField: string;
}

/** The declarative part of one signed action. */
export interface SignedActionSpec<T extends string = string, F extends Record<string, ActionField> = Record<string, ActionField>> {
  /** The change operation it becomes (the same word as the action's `type`). */
  operation: T;
  /** The button and form title: "Approve with conditions". */
  title: string;
  /** How the record words it after a name: "approved with conditions" (as OT security). */
  words: string;
  /** What the signature means; `checkpoint-decision`: the decision's effect (go, no-go, rollback or reviewed); `window-decision`: go to complete, rollback to roll back. */
  meaning: SignatureMeaning | 'checkpoint-decision' | 'window-decision';
  signer: SignerRule;
  /** Who may sign, in words, for the form. */
  signerText: string;
  cosigners: readonly CosignerSpec[];
  fields: F;
}

type ShapeOf<T extends string, F extends Record<string, ActionField>> = { type: z.ZodLiteral<T> } & { [K in keyof F]: F[K]['schema'] };

/** One table entry with its strict request schema (`{ type, ...fields }`). */
function signedAction<const T extends string, const F extends Record<string, ActionField>>(
  spec: SignedActionSpec<T, F>,
): SignedActionSpec<T, F> & { schema: z.ZodObject<ShapeOf<T, F>, z.core.$strict> } {
  const shape: Record<string, z.ZodType> = { type: z.literal(spec.operation) };
  for (const [name, field] of Object.entries(spec.fields)) shape[name] = field.schema;
  return { ...spec, schema: z.object(shape).strict() as unknown as z.ZodObject<ShapeOf<T, F>, z.core.$strict> };
}

const field = <S extends z.ZodType>(label: string, schema: S): ActionField<S> => ({ label, schema });
const reason = field('Reason', z.string().min(1).max(2000));
const role = field('Signing as', z.string().min(1));
const comment = field('Comment', z.string().max(2000).optional());
const diffReviewed = field('I have reviewed the proposed diff', z.boolean().optional());
const override = field('Override (outside every window or inside a blackout)', OverrideRequestSchema.optional());

const OVERRIDE_COSIGNER: CosignerSpec = {
  as: 'override',
  label: 'Override approver',
  meaning: 'approved',
  who: 'a holder of a role the policy names for overrides, neither the requester nor the person doing the work',
  required: 'when-the-policy-requires',
  within: 'override',
  employeeIdField: 'employeeId',
  passwordField: 'password',
};

/** Every signed action on a change, by its type. */
export const SIGNED_ACTIONS = {
  submit: signedAction({
    operation: 'submit',
    title: 'Submit for approval',
    words: 'submitted',
    meaning: 'responsible',
    signer: 'requester',
    signerText: 'the requester',
    cosigners: [],
    fields: {},
  }),
  withdraw: signedAction({
    operation: 'withdraw',
    title: 'Withdraw',
    words: 'withdrew',
    meaning: 'responsible',
    signer: 'requester',
    signerText: 'the requester',
    cosigners: [],
    fields: { reason },
  }),
  approve: signedAction({
    operation: 'approve',
    title: 'Approve',
    words: 'approved',
    meaning: 'approved',
    signer: 'approver',
    signerText: 'a holder of a role the change still needs, who did not file it',
    cosigners: [],
    fields: { role, comment, diffReviewed },
  }),
  'approve-with-conditions': signedAction({
    operation: 'approve-with-conditions',
    title: 'Approve with conditions',
    words: 'approved with conditions',
    meaning: 'approved',
    signer: 'approver',
    signerText: 'a holder of a role the change still needs, who did not file it',
    cosigners: [],
    fields: { role, conditions: field('Conditions (one a line)', z.array(z.string().min(1).max(500)).min(1)), comment, diffReviewed },
  }),
  reject: signedAction({
    operation: 'reject',
    title: 'Reject',
    words: 'rejected',
    meaning: 'rejected',
    signer: 'approver',
    signerText: 'a holder of a role the change needs, who did not file it',
    cosigners: [],
    fields: { role, reason },
  }),
  defer: signedAction({
    operation: 'defer',
    title: 'Defer',
    words: 'deferred',
    meaning: 'reviewed',
    signer: 'approver',
    signerText: 'a holder of a role the change needs, who did not file it',
    cosigners: [],
    fields: { role, reason },
  }),
  schedule: signedAction({
    operation: 'schedule',
    title: 'Schedule',
    words: 'scheduled',
    meaning: 'responsible',
    signer: 'scheduler',
    signerText: 'an enrolled person booking the slot',
    cosigners: [OVERRIDE_COSIGNER],
    fields: { start: field('Slot start', z.string().datetime()), end: field('Slot end', z.string().datetime()), override },
  }),
  'break-glass': signedAction({
    operation: 'break-glass',
    title: 'Break glass',
    words: 'started under break-glass',
    meaning: 'responsible',
    signer: 'responder',
    signerText: "a holder of a role on the class's break-glass responder list",
    cosigners: [
      {
        as: 'break-glass-approver',
        label: 'Break-glass approver',
        meaning: 'approved',
        who: "an enrolled holder of one of the class's break-glass approver roles, not the responder",
        required: 'now-or-later',
        within: null,
        employeeIdField: 'approverEmployeeId',
        passwordField: 'approverPassword',
      },
    ],
    fields: {
      approverEmployeeId: field('Approved by', z.string().min(1)),
      approverPassword: field("Approver's password (or they sign later)", PasswordSchema.optional()),
      approverRole: field("Approver's role", z.string().min(1)),
      method: field('How the approval was given', z.enum(BREAK_GLASS_METHODS)),
      reason,
    },
  }),
  'start-execution': signedAction({
    operation: 'start-execution',
    title: 'Start execution',
    words: 'started execution',
    meaning: 'go',
    signer: 'executor',
    signerText: 'the person carrying out the work, inside the booked slot',
    cosigners: [
      {
        as: 'witness',
        label: 'Witness',
        meaning: 'reviewed',
        who: 'a second person, not the one carrying out the work (dual control)',
        required: 'when-the-policy-requires',
        within: null,
        employeeIdField: 'witnessEmployeeId',
        passwordField: 'witnessPassword',
      },
      OVERRIDE_COSIGNER,
    ],
    fields: {
      stagingRecord: field('Staging validation record', z.string().max(500).optional()),
      conditionsMet: field("The approvers' conditions are met", z.boolean().optional()),
      witnessEmployeeId: field('Witness', z.string().min(1).optional()),
      witnessPassword: field("Witness's password", PasswordSchema.optional()),
      override,
    },
  }),
  'record-snapshot': signedAction({
    operation: 'record-snapshot',
    title: 'Record a snapshot',
    words: 'recorded a snapshot',
    meaning: 'responsible',
    signer: 'executor',
    signerText: 'an enrolled person working on the change',
    cosigners: [],
    fields: {
      phase: field('Before or after the work', z.enum(['before', 'after'])),
      controllerId: field('Controller', z.string().min(1)),
      snapshotSha256: field('Signed snapshot', Sha256Schema),
    },
  }),
  checkpoint: signedAction({
    operation: 'checkpoint',
    title: 'Sign the checkpoint',
    words: 'signed a checkpoint',
    meaning: 'checkpoint-decision',
    signer: 'checkpoint-signer',
    signerText:
      'a holder of a role the checkpoints name as signer (shift supervisor) who neither filed, carries out nor witnesses the change',
    cosigners: [],
    fields: {
      role,
      checkpoint: field('Checkpoint', z.string().min(1)),
      decision: field('Decision', z.string().min(1)),
      confirmed: field('Checklist items confirmed', z.array(z.string().max(300)).max(50)),
      comment,
      notes: field(
        'Notes on checklist items',
        z
          .array(z.object({ item: z.string().min(1).max(300), note: z.string().max(2000) }).strict())
          .max(50)
          .optional(),
      ),
    },
  }),
  explain: signedAction({
    operation: 'explain',
    title: 'Explain the after-diff',
    words: 'explained the after-diff',
    meaning: 'responsible',
    signer: 'executor',
    signerText: 'the engineer who did the work',
    cosigners: [
      {
        as: 'countersign',
        label: 'Countersigning supervisor',
        meaning: 'reviewed',
        who: 'a holder of a checkpoint role (shift supervisor) who is not on the change',
        required: 'always',
        within: null,
        employeeIdField: 'supervisorEmployeeId',
        passwordField: 'supervisorPassword',
      },
    ],
    fields: {
      explanations: field(
        'Explanations',
        z
          .array(z.object({ controllerId: z.string().min(1), tag: z.string().min(1).max(300), text: z.string().max(2000) }).strict())
          .min(1)
          .max(50),
      ),
      supervisorEmployeeId: field('Countersigning supervisor', z.string().min(1)),
      supervisorPassword: field("Supervisor's password", PasswordSchema),
      supervisorRole: field('Supervisor signing as', z.string().min(1).optional()),
    },
  }),
  'window-decision': signedAction({
    operation: 'window-decision',
    title: 'Decide at the end of the window',
    words: 'decided at the end of the window',
    meaning: 'window-decision',
    signer: 'checkpoint-signer',
    signerText:
      'a holder of a checkpoint role (shift supervisor) who neither filed, carries out nor witnesses the change, once the booked slot has ended',
    cosigners: [],
    fields: {
      role: field('Signing as', z.string().min(1).optional()),
      decision: field('Decision', z.enum(WINDOW_DECISIONS)),
      comment: field('Comment', z.string().max(2000)),
    },
  }),
  rollback: signedAction({
    operation: 'rollback',
    title: 'Roll back',
    words: 'rolled back',
    meaning: 'rollback',
    signer: 'executor',
    signerText: 'an enrolled person working on the change',
    cosigners: [],
    fields: { reason },
  }),
  close: signedAction({
    operation: 'close',
    title: 'Close',
    words: 'closed',
    meaning: 'responsible',
    signer: 'executor',
    signerText: 'an enrolled person working on the change',
    cosigners: [],
    fields: { comment },
  }),
  'retrospective-review': signedAction({
    operation: 'retrospective-review',
    title: 'Retrospective review',
    words: 'reviewed afterwards',
    meaning: 'reviewed',
    signer: 'cab-reviewer',
    signerText: 'a CAB member who neither approved nor carried out the break-glass work',
    cosigners: [],
    fields: {
      role,
      comment: field('Review', z.string().min(1).max(2000)),
      verdict: field('Verdict', z.enum(['accept', 'reject']).optional()),
      followUp: field('Follow-up of a rejection', z.enum(['rollback', 'corrective-change']).optional()),
    },
  }),
  'safety-sign-off': signedAction({
    operation: 'safety-sign-off',
    title: 'Sign off the safety checklist',
    words: 'signed off the post-change safety checklist',
    meaning: 'approved',
    signer: 'safety-signer',
    signerText: "a holder of the policy's safety sign-off role (the safety manager) who is not on the change",
    cosigners: [],
    fields: { role, confirmed: field('Safety checklist items confirmed', z.array(z.string().max(300)).max(50)), comment },
  }),
  'confirm-break-glass': signedAction({
    operation: 'confirm-break-glass',
    title: 'Sign the break-glass approval',
    words: 'signed the break-glass approval',
    meaning: 'approved',
    signer: 'break-glass-approver',
    signerText: 'the approver named at break-glass, with their own password',
    cosigners: [],
    fields: {},
  }),
  'emergency-report': signedAction({
    operation: 'emergency-report',
    title: 'Emergency report',
    words: 'wrote the emergency report',
    meaning: 'responsible',
    signer: 'responder',
    signerText: 'the responder who carried out (or witnessed) the emergency work',
    cosigners: [],
    fields: {
      rootCause: field('Root cause', z.string().max(4000)),
      contributingFactors: field('Contributing factors', z.string().max(4000).optional()),
      lessonsLearned: field('Lessons learned', z.string().max(4000)),
      permanentFix: field('Permanent fix (change number or ticket, or why none)', z.string().max(500)),
    },
  }),
  'rollback-decision': signedAction({
    operation: 'rollback-decision',
    title: 'Rollback decision',
    words: 'decided on rollback',
    meaning: 'responsible',
    signer: 'executor',
    signerText: 'an enrolled person working on the change',
    cosigners: [],
    fields: {
      answers: field(
        'Answers to the rollback decision matrix',
        z.object({ safetyImpact: z.boolean(), productionCritical: z.boolean(), workaroundAvailable: z.boolean() }).strict(),
      ),
      comment,
    },
  }),
  'manual-rollback': signedAction({
    operation: 'manual-rollback',
    title: 'Manual rollback (logic, firmware)',
    words: 'rolled back by hand',
    meaning: 'rollback',
    signer: 'executor',
    signerText: 'the engineer who wrote the backup back with the vendor tool',
    cosigners: [],
    fields: {
      controllerId: field('Controller', z.string().min(1)),
      kind: field('What was written back', z.enum(['logic', 'firmware', 'other'])),
      reference: field('Backup or vendor file', z.string().max(500)),
      confirmed: field('Steps confirmed', z.array(z.string().max(300)).max(20)),
    },
  }),
  'rollback-proof': signedAction({
    operation: 'rollback-proof',
    title: 'Record the re-capture proof of a manual rollback',
    words: 'recorded the re-capture proof of a manual rollback',
    meaning: 'responsible',
    signer: 'executor',
    signerText: 'an enrolled person working on the change, who signed the re-capture',
    cosigners: [],
    fields: { controllerId: field('Controller', z.string().min(1)), snapshotSha256: field('Signed re-capture', Sha256Schema) },
  }),
  'post-implementation-review': signedAction({
    operation: 'post-implementation-review',
    title: 'Post-implementation review',
    words: 'reviewed after implementation',
    meaning: 'approved',
    signer: 'implementation-reviewer',
    signerText:
      "a holder of the policy's reviewer role (a baseline approver) who is not on the change; the signature also approves the new baselines",
    cosigners: [],
    fields: {
      role,
      objectivesMet: field('Objectives met', z.boolean()),
      findings: field('Findings', z.string().max(4000)),
      lessonsLearned: field('Lessons learned', z.string().max(4000)),
    },
  }),
} as const;

/** A signed action's type. */
export type SignedActionType = keyof typeof SIGNED_ACTIONS;
/** Every signed action's type, in the table's order. */
export const SIGNED_ACTION_TYPES = Object.keys(SIGNED_ACTIONS) as SignedActionType[];

type ActionSchema = (typeof SIGNED_ACTIONS)[SignedActionType]['schema'];

/** The request schema of a signed action: one strict object per table entry, told apart by `type`. */
export const SignedActionSchema = z.discriminatedUnion(
  'type',
  Object.values(SIGNED_ACTIONS).map((a) => a.schema) as unknown as [ActionSchema, ...ActionSchema[]],
);

/** A decision or action a person signs on a change (after validation). */
export type SignedAction = z.output<typeof SignedActionSchema>;
/** One signed action of a given type. */
export type SignedActionOf<K extends SignedActionType> = Extract<SignedAction, { type: K }>;

/** The labels of an action's fields, for a form. */
export function actionFieldLabels(type: SignedActionType): Record<string, string> {
  return Object.fromEntries(Object.entries(SIGNED_ACTIONS[type].fields as Record<string, ActionField>).map(([name, f]) => [name, f.label]));
}
