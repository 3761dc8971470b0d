/**
 * The API contract's capture part (one file per domain; contract.ts joins them into OPERATIONS).
 * Capture profiles, registered controllers, captures (start, cancel, read, diff) and Logix browse.
 */
import * as z from 'zod';
import { ControllerTargetSchema } from '../capture/controller-target.ts';
import type { CaptureDocument } from '../capture/capture-document.ts';
import type { DocumentDiff } from '../diff/document-diff.ts';
import { Empty, Sha256, PROFILE_CSV_MAX_CHARS } from './contract-primitives.ts';

/** A stored capture profile. */
export const ProfileViewSchema = z.object({
  sha256: z.string(),
  name: z.string(),
  protocol: z.enum(['modbus', 's7', 'logix']),
  tags: z.number(),
  importedAt: z.string(),
});
/** A stored capture profile. */
export type ProfileView = z.infer<typeof ProfileViewSchema>;

/** The facts of one recorded capture. */
export const CaptureSummarySchema = z.object({
  captureSha256: z.string(),
  at: z.string(),
  complete: z.boolean(),
  tags: z.number(),
  good: z.number(),
  bad: z.number(),
  requests: z.number(),
  minimumRequests: z.number(),
  actor: z.string(),
});
/** The facts of one recorded capture. */
export type CaptureSummary = z.infer<typeof CaptureSummarySchema>;

/** A registered controller with its profile and last capture. */
export const ControllerViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  target: ControllerTargetSchema,
  profile: ProfileViewSchema.nullable(),
  lastCapture: CaptureSummarySchema.nullable(),
  /** When plant engineering retired it (null: in service); a retired controller is off every list, its history readable. */
  retiredAt: z.string().nullable(),
});
/** A registered controller. */
export type ControllerView = z.infer<typeof ControllerViewSchema>;

/** The capture operations: name -> request and response schemas. */
export const CAPTURE_OPERATIONS = {
  'profiles.list': { request: Empty, response: z.object({ profiles: z.array(ProfileViewSchema) }) },
  'profiles.import': {
    request: z
      .object({
        name: z.string().trim().min(1).max(120),
        protocol: z.enum(['modbus', 's7', 'logix']),
        csv: z.string().max(PROFILE_CSV_MAX_CHARS, 'a profile file may be at most 10 MB'),
      })
      .strict(),
    response: ProfileViewSchema,
  },
  'profiles.get': {
    request: z.object({ sha256: Sha256 }).strict(),
    response: z.object({
      sha256: z.string(),
      name: z.string(),
      protocol: z.enum(['modbus', 's7', 'logix']),
      tags: z.array(
        z.object({
          tag: z.string(),
          address: z.string(),
          type: z.string(),
          class: z.enum(['config', 'live']),
          safety: z.boolean(),
          writable: z.boolean(),
          description: z.string(),
          tolerance: z.object({ absolute: z.number().optional(), percent: z.number().optional() }).optional(),
        }),
      ),
    }),
  },
  'controllers.setProfile': {
    request: z.object({ controllerId: z.string().min(1), profileSha256: Sha256 }).strict(),
    response: ControllerViewSchema,
  },
  'controllers.list': { request: Empty, response: z.object({ controllers: z.array(ControllerViewSchema) }) },
  'controllers.register': {
    request: z
      .object({
        name: z.string().trim().min(1).max(120),
        target: ControllerTargetSchema,
        profileSha256: Sha256.nullable(),
      })
      .strict(),
    response: ControllerViewSchema,
  },
  'controllers.captures': {
    request: z.object({ controllerId: z.string().min(1) }).strict(),
    response: z.object({ captures: z.array(CaptureSummarySchema) }),
  },
  'capture.start': {
    request: z.object({ controllerId: z.string().min(1) }).strict(),
    response: z.object({ captureId: z.string() }),
  },
  'capture.cancel': {
    request: z.object({ captureId: z.string().min(1) }).strict(),
    response: z.object({ cancelled: z.boolean() }),
  },
  'captures.get': {
    request: z.object({ captureSha256: Sha256 }).strict(),
    response: z.custom<CaptureDocument>(),
  },
  'captures.diff': {
    request: z.object({ beforeSha256: Sha256, afterSha256: Sha256, force: z.boolean().default(false) }).strict(),
    response: z.custom<DocumentDiff>(),
  },
  'controllers.browse': {
    request: z.object({ target: ControllerTargetSchema }).strict(),
    response: z.object({
      tags: z.array(z.object({ address: z.string(), type: z.string() })),
      skipped: z.array(z.object({ address: z.string(), reason: z.string() })),
    }),
  },
} as const;
