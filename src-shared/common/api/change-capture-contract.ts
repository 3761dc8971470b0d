/**
 * The change screen's captures (one file per domain; spread into OPERATIONS by contract.ts): before- and
 * after-captures of a change's target controllers started from the change, cancelled, listed with what each is worth
 * as evidence, and a complete one signed and recorded on the change.
 */
import * as z from 'zod';
import type { ChangeCaptureView } from '../workflow/change-capture.ts';

const Sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'must be a SHA-256 in hex');

/** Change capture operations. */
export const CHANGE_CAPTURE_OPERATIONS = {
  /** Starts the before- or after-capture of one target controller (or its re-capture after a manual rollback); progress comes as `capture.progress` with the id. */
  'changeCaptures.start': {
    request: z
      .object({ changeId: z.string().min(1), controllerId: z.string().min(1), phase: z.enum(['before', 'after', 'rollback']) })
      .strict(),
    response: z.object({ captureId: z.string() }),
  },
  'changeCaptures.cancel': {
    request: z.object({ captureId: z.string().min(1) }).strict(),
    response: z.object({ cancelled: z.boolean() }),
  },
  /** Every capture taken from the change's screen, oldest first. */
  'changeCaptures.list': {
    request: z.object({ changeId: z.string().min(1) }).strict(),
    response: z.object({ captures: z.array(z.custom<ChangeCaptureView>()) }),
  },
  /** Signs a complete capture "captured by" the engineer and records it as the change's before- or after-snapshot. */
  'changeCaptures.record': {
    request: z
      .object({ changeId: z.string().min(1), captureSha256: Sha256, employeeId: z.string().min(1), password: z.string().min(1).max(1024) })
      .strict(),
    response: z.object({ snapshotSha256: z.string(), status: z.string() }),
  },
} as const;
