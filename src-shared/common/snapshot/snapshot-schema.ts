/**
 * The shape of capture and snapshot files (`baseline.capture/1`, `baseline.snapshot/1`, docs/formats.md) as zod
 * schemas, for readers of files that arrive from elsewhere (`baseline diff`, `baseline snapshot verify`): every
 * problem is named by its field path, e.g. `values.3.raw: expected string, received number`.
 */
import * as z from 'zod';
import { ControllerTargetSchema } from '../capture/controller-target.ts';
import { ActorSchema } from '../journal-event.ts';

/** One tag of a capture document. */
export const CaptureDocumentValueSchema = z.object({
  tag: z.string().min(1),
  address: z.string(),
  type: z.string().min(1),
  class: z.enum(['config', 'live']),
  safety: z.boolean(),
  writable: z.boolean(),
  value: z.json(),
  raw: z
    .string()
    .regex(/^[0-9a-fA-F]*$/, 'must be hex digits')
    .nullable(),
  quality: z.enum(['good', 'bad']),
  error: z.string().optional(),
  tolerance: z.object({ absolute: z.number().nonnegative().optional(), percent: z.number().nonnegative().optional() }).strict().optional(),
});

/** A file attached to a snapshot. */
export const ArtefactSchema = z.object({
  name: z.string().min(1),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be a SHA-256 hash (64 lowercase hex digits)'),
  size: z.number().int().nonnegative(),
  mediaType: z.string(),
});

const documentFields = {
  controller: z.object({ description: z.string(), target: ControllerTargetSchema }),
  identity: z.record(z.string(), z.string()).nullable(),
  profile: z.object({ name: z.string(), sha256: z.string(), protocol: z.string(), tags: z.number().int().nonnegative() }),
  values: z.array(CaptureDocumentValueSchema),
  complete: z.boolean(),
  failure: z.object({ code: z.string(), message: z.string(), hint: z.string() }).loose().nullable(),
  stats: z.record(z.string(), z.number()),
  negotiated: z.record(z.string(), z.number()),
  capture: z.object({ by: ActorSchema, at: z.string(), workstation: z.string(), appVersion: z.string() }),
};

/** A bare capture document (`baseline.capture/1`). */
export const CaptureDocumentSchema = z.object({ schema: z.literal('baseline.capture/1'), ...documentFields });

/** The signed content of a snapshot (`baseline.snapshot/1`). */
export const SnapshotDocumentSchema = z.object({
  schema: z.literal('baseline.snapshot/1'),
  ...documentFields,
  artefacts: z.array(ArtefactSchema),
});

/** One person's e-signature as a snapshot file carries it. */
export const ESignatureSchema = z.object({
  meaning: z.string().min(1),
  signer: z.object({
    name: z.string(),
    employeeId: z.string(),
    roles: z.array(z.string()),
    fingerprint: z.string(),
    certificatePem: z.string(),
  }),
  at: z.string(),
  documentSha256: z.string(),
  algorithm: z.string(),
  value: z.string(),
});

/** A snapshot file: the document and its signatures. */
export const SnapshotFileSchema = z.object({
  schema: z.literal('baseline.snapshot/1'),
  document: SnapshotDocumentSchema,
  signatures: z.array(ESignatureSchema),
});

/** Zod issues as `path: message` lines, `(file)` for the whole file. */
export function schemaProblems(error: z.ZodError, prefix: string[] = []): string[] {
  return error.issues.map((i) => {
    const path = [...prefix, ...i.path.map(String)].join('.');
    return `${path || '(file)'}: ${i.message}`;
  });
}
