/**
 * The API contract's journal part (one file per domain; contract.ts joins them into OPERATIONS).
 * The signed journal: listing events with their verification state, and verifying the whole journal.
 */
import * as z from 'zod';
import { ActorSchema } from '../journal-event.ts';
import { Empty, JsonSchema } from './contract-primitives.ts';

/** One problem verification found with an event. */
export const EventProblemSchema = z.object({
  device: z.string(),
  seq: z.number(),
  kind: z.enum([
    'unreadable',
    'hash-mismatch',
    'signature-invalid',
    'person-signature-invalid',
    'chain-broken',
    'seq-gap',
    'unknown-device',
    'key-mismatch',
    'device-uncertified',
    'signer-revoked',
    'device-revoked',
  ]),
  message: z.string(),
});

/** One journal event as the Audit view shows it, with its verification state. */
export const EventViewSchema = z.object({
  rowid: z.number(),
  id: z.string(),
  device: z.string(),
  seq: z.union([z.number(), z.string()]),
  type: z.string(),
  actor: ActorSchema.nullable(),
  at: z.string(),
  hash: z.string(),
  prev: z.string(),
  payload: JsonSchema,
  verification: z.discriminatedUnion('state', [
    z.object({ state: z.literal('verified') }),
    z.object({ state: z.literal('failed'), problems: z.array(EventProblemSchema) }),
  ]),
});

/** One journal event as shown to people. */
export type EventView = z.infer<typeof EventViewSchema>;

/** Whole-journal verification result. */
export const VerifyReportSchema = z.object({
  ok: z.boolean(),
  events: z.number(),
  failedEvents: z.number(),
  devices: z.number(),
  firstProblem: EventProblemSchema.nullable(),
  problems: z.array(EventProblemSchema),
  projections: z.array(
    z.object({ table: z.string(), missing: z.number(), unexpected: z.number(), changed: z.number(), rows: z.array(z.string()) }),
  ),
  attachments: z
    .array(
      z.object({
        changeId: z.string(),
        number: z.string().nullable(),
        checklist: z.string(),
        item: z.string(),
        name: z.string(),
        sha256: z.string(),
        problem: z.enum(['missing', 'altered']),
        actualSha256: z.string().nullable(),
        message: z.string(),
        hint: z.string(),
      }),
    )
    .optional(),
  checkedAt: z.string(),
  summary: z.string(),
});

/** The journal operations: name -> request and response schemas. */
export const JOURNAL_OPERATIONS = {
  'journal.list': {
    request: z
      .object({
        limit: z.number().int().min(1).max(1000).default(200),
        beforeRowid: z.number().int().positive().optional(),
      })
      .strict(),
    response: z.object({
      total: z.number(),
      events: z.array(EventViewSchema),
      nextBeforeRowid: z.number().nullable(),
    }),
  },
  'journal.verify': { request: Empty, response: VerifyReportSchema },
} as const;
