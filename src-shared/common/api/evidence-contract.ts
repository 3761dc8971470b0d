/**
 * The API contract's evidence part (one file per domain; contract.ts joins them into OPERATIONS).
 * Evidence packs: export for a change, and verify a pack.
 */
import * as z from 'zod';

/** The largest evidence pack `evidence.verify` accepts, in bytes (40 MiB; its base64 text, 4 characters per 3 bytes, fits one web host message). */
export const EVIDENCE_PACK_MAX_BYTES = 40 * 1024 * 1024;
/** The same bound as base64 characters. */
export const EVIDENCE_PACK_MAX_BASE64_CHARS = Math.ceil(EVIDENCE_PACK_MAX_BYTES / 3) * 4;

/** The verdict on an evidence pack, as the Audit screen shows it. */
export const PackVerdictViewSchema = z.object({
  ok: z.boolean(),
  fileName: z.string(),
  changeId: z.string().nullable(),
  number: z.string().nullable(),
  title: z.string().nullable(),
  status: z.string().nullable(),
  manifestSha256: z.string().nullable(),
  /** The format the pack declares, whose rules it was checked by (null: no readable manifest). */
  format: z.string().nullable(),
  counts: z.object({
    members: z.number(),
    events: z.number(),
    signatures: z.number(),
    snapshots: z.number(),
    approvals: z.number(),
    checkpoints: z.number(),
  }),
  signers: z.array(z.object({ name: z.string(), employeeId: z.string(), roles: z.array(z.string()), meaning: z.string(), at: z.string() })),
  checks: z.array(z.string()),
  failures: z.array(z.object({ member: z.string(), record: z.string().nullable(), reason: z.string() })),
  trustedCas: z.array(z.string()),
});
/** The verdict on an evidence pack. */
export type PackVerdictView = z.infer<typeof PackVerdictViewSchema>;

/** The evidence operations: name -> request and response schemas. */
export const EVIDENCE_OPERATIONS = {
  'evidence.verify': {
    request: z
      .object({
        fileName: z.string().min(1).max(255),
        packBase64: z
          .string()
          .max(EVIDENCE_PACK_MAX_BASE64_CHARS, 'an evidence pack may be at most 40 MiB')
          .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'the pack must be sent as base64'),
      })
      .strict(),
    response: PackVerdictViewSchema,
  },
  'evidence.export': {
    request: z.object({ changeId: z.string().min(1) }).strict(),
    response: z.object({ fileName: z.string(), zipBase64: z.string(), manifestSha256: z.string(), members: z.number() }),
  },
} as const;
