/**
 * The API contract's policy part (one file per domain; contract.ts joins them into OPERATIONS).
 * The change policy in force, and adopting a new revision.
 */
import * as z from 'zod';
import { Empty, Password, TEXT_FILE_MAX_CHARS } from './contract-primitives.ts';

/** The policy operations: name -> request and response schemas. */
export const POLICY_OPERATIONS = {
  'policy.get': {
    request: Empty,
    response: z.object({
      name: z.string(),
      revision: z.number(),
      sha256: z.string(),
      source: z.string(),
      adoptedBy: z.string().nullable(),
      adoptedAt: z.string().nullable(),
      timeZone: z.string(),
      /** The policy's clock skew limit (`clocks.skewLimit`, minutes). */
      clockSkewLimitMinutes: z.number(),
    }),
  },
  'policy.adopt': {
    request: z
      .object({
        yaml: z.string().max(TEXT_FILE_MAX_CHARS),
        source: z.string().min(1).max(200),
        employeeId: z.string().min(1),
        password: Password,
      })
      .strict(),
    response: z.object({ revision: z.number(), name: z.string() }),
  },
} as const;
