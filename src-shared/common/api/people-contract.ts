/**
 * The API contract's people part (one file per domain; contract.ts joins them into OPERATIONS).
 * People: enrolled certificates, the plant CA, the roster, revocation.
 */
import * as z from 'zod';
import { Empty, Password, TEXT_FILE_MAX_CHARS } from './contract-primitives.ts';

/** A person on the roster, as the People screen shows and edits it. */
export const RosterEntryView = z
  .object({ employeeId: z.string(), name: z.string(), roles: z.array(z.string()), site: z.string().nullable(), active: z.boolean() })
  .strict();

/** A person enrolled on this laptop. */
export const PersonViewSchema = z.object({
  fingerprint: z.string(),
  employeeId: z.string(),
  name: z.string(),
  roles: z.array(z.string()),
  source: z.string(),
  enrolledAt: z.string(),
  lockedUntil: z.string().nullable(),
  revoked: z.boolean(),
});
/** A person enrolled on this laptop. */
export type PersonView = z.infer<typeof PersonViewSchema>;

/** The people operations: name -> request and response schemas. */
export const PEOPLE_OPERATIONS = {
  'people.list': {
    request: Empty,
    response: z.object({
      people: z.array(PersonViewSchema),
      cas: z.array(z.object({ fingerprint: z.string(), name: z.string(), source: z.string() })),
      hasLocalCa: z.boolean(),
      /** The plant's roles (the roster's vocabulary), with their labels. */
      roles: z.array(z.object({ id: z.string(), label: z.string() })),
      /** Which roles may give each signature outside the change workflow (the change workflow's come with the change). */
      signatureRoles: z.object({ baseline: z.array(z.string()), plantEngineering: z.array(z.string()), restore: z.array(z.string()) }),
      roster: z.array(RosterEntryView),
      sites: z.array(z.object({ id: z.string(), name: z.string() })),
    }),
  },
  'people.importRoster': {
    request: z
      .object({
        text: z.string().max(TEXT_FILE_MAX_CHARS),
        source: z.string().min(1).max(200),
        employeeId: z.string().min(1),
        password: Password,
      })
      .strict(),
    response: z.object({ people: z.number() }),
  },
  'people.setRosterEntry': {
    request: z.object({ entry: RosterEntryView, reason: z.string().max(2000), employeeId: z.string().min(1), password: Password }).strict(),
    response: z.object({ ok: z.literal(true) }),
  },
  'people.revoke': {
    request: z
      .object({
        employeeId: z.string().min(1),
        reason: z.string().trim().min(1, 'say why, for the record').max(2000),
        caPassword: Password,
      })
      .strict(),
    response: z.object({ ok: z.literal(true) }),
  },
  'people.createCa': {
    request: z.object({ name: z.string().trim().min(1).max(120), caPassword: Password }).strict(),
    response: z.object({ fingerprint: z.string() }),
  },
  'people.enrol': {
    request: z
      .object({
        name: z.string().trim().min(1).max(120),
        employeeId: z.string().trim().min(1).max(40),
        roles: z.array(z.string().regex(/^[a-z][a-z0-9-]*$/, 'role names are lower-case words joined by hyphens')).min(1),
        password: Password,
        caPassword: Password,
      })
      .strict(),
    response: PersonViewSchema,
  },
} as const;
