/**
 * The tags a proposed change picks from, with current values (one file per domain; spread into OPERATIONS).
 */
import * as z from 'zod';

/** A controller's profile tags with their values in its latest signed snapshot. */
export interface CurrentValues {
  controllerId: string;
  controller: string;
  /** The signed snapshot the values come from (null: none verifies yet, values are null). */
  source: { snapshotSha256: string; signer: string; at: string } | null;
  tags: { tag: string; address: string; type: string; safety: boolean; writable: boolean; description: string; value: unknown }[];
}

/** Tag value operations. */
export const TAG_VALUES_OPERATIONS = {
  'controllers.currentValues': {
    request: z.object({ controllerId: z.string().min(1) }).strict(),
    response: z.custom<CurrentValues>(),
  },
} as const;
