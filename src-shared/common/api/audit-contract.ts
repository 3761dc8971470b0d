/**
 * The Audit trail narrowed by event type, signer, change and date (one file per domain; spread into OPERATIONS).
 */
import * as z from 'zod';
import type { EventView } from './journal-contract.ts';

/** An event with the people who signed it (not the session user that recorded it). */
export type AuditEventView = EventView & { signers: { name: string; employeeId: string | null; as: 'signer' | 'co-signer' }[] };

/** Audit operations. */
export const AUDIT_OPERATIONS = {
  'journal.search': {
    request: z
      .object({
        type: z.string().max(100).optional(),
        /** Employee id of the person who signed the events. */
        signer: z.string().max(100).optional(),
        /** The change, by plant number (CR-0001) or id. */
        change: z.string().max(100).optional(),
        from: z.string().datetime({ offset: true }).optional(),
        to: z.string().datetime({ offset: true }).optional(),
        limit: z.number().int().min(1).max(1000).default(200),
        beforeRowid: z.number().int().positive().optional(),
      })
      .strict(),
    response: z.object({
      total: z.number(),
      events: z.array(z.custom<AuditEventView>()),
      nextBeforeRowid: z.number().nullable(),
      /** The event types the journal holds (the filter's choices). */
      types: z.array(z.string()),
      /** The change the filter resolved to (id), when one was given. */
      changeId: z.string().nullable(),
    }),
  },
} as const;
