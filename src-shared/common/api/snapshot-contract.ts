/**
 * The API contract's snapshot part (one file per domain; contract.ts joins them into OPERATIONS).
 * Signed snapshots, approved baselines, drift checks and their clocks, unauthorized-change records.
 */
import * as z from 'zod';
import { Empty, Password, Sha256 } from './contract-primitives.ts';

/** A signed snapshot of a controller. */
export const SnapshotViewSchema = z.object({
  sha256: z.string(),
  controllerId: z.string().nullable(),
  controller: z.string(),
  signer: z.string(),
  /** Who signed the same document after the first signer, in order. */
  cosigners: z.array(z.string()),
  at: z.string(),
});
/** A signed snapshot of a controller. */
export type SnapshotView = z.infer<typeof SnapshotViewSchema>;

/** The snapshot operations: name -> request and response schemas. */
export const SNAPSHOT_OPERATIONS = {
  'baselines.get': {
    request: z.object({ controllerId: z.string().min(1) }).strict(),
    response: z.object({
      history: z.array(z.object({ version: z.number(), snapshotSha256: z.string(), approvedBy: z.string(), approvedAt: z.string() })),
      unauthorizedChanges: z.array(
        z.object({
          id: z.string(),
          openedAt: z.string(),
          closedAt: z.string().nullable(),
          closedBy: z.string().nullable(),
          explanation: z.string().nullable(),
          differences: z.array(z.object({ tag: z.string(), kind: z.string(), before: z.string(), after: z.string(), safety: z.boolean() })),
          moreDifferences: z.number(),
        }),
      ),
    }),
  },
  'baselines.approve': {
    request: z
      .object({ controllerId: z.string().min(1), snapshotSha256: Sha256, employeeId: z.string().min(1), password: Password })
      .strict(),
    response: z.object({ version: z.number() }),
  },
  'drift.check': {
    request: z.object({ controllerId: z.string().min(1) }).strict(),
    response: z.object({
      drifted: z.boolean(),
      configDifferences: z.number(),
      unauthorizedChangeId: z.string().nullable(),
      baselineVersion: z.number(),
    }),
  },
  'drift.clocks': {
    request: Empty,
    response: z.object({
      at: z.string(),
      checkEveryMinutes: z.number(),
      baselineAfterChangeMinutes: z.number(),
      controllers: z.array(
        z.object({
          controllerId: z.string(),
          controller: z.string(),
          baselineVersion: z.number().nullable(),
          lastCheckAt: z.string().nullable(),
          dueAt: z.string().nullable(),
          status: z.enum(['no-baseline', 'ok', 'due']),
          daysOverdue: z.number(),
        }),
      ),
      followUps: z.array(
        z.object({
          changeId: z.string(),
          title: z.string(),
          controllerId: z.string(),
          controller: z.string(),
          closedAt: z.string(),
          dueAt: z.string(),
          afterSnapshotSha256: z.string().nullable(),
          status: z.enum(['pending', 'overdue']),
        }),
      ),
      /** The app's background drift clock: whether it runs here, and its last run. */
      background: z.object({
        running: z.boolean(),
        lastRunAt: z.string().nullable(),
        lastRunChecked: z.number(),
        lastRunProblems: z.array(z.object({ controller: z.string(), message: z.string() })),
      }),
    }),
  },
  'unauthorized.close': {
    request: z
      .object({ id: z.string().min(1), explanation: z.string().min(1).max(4000), employeeId: z.string().min(1), password: Password })
      .strict(),
    response: z.object({ closedAt: z.string().nullable() }),
  },
  'snapshots.sign': {
    request: z
      .object({ controllerId: z.string().min(1), captureSha256: Sha256, employeeId: z.string().min(1), password: Password })
      .strict(),
    response: SnapshotViewSchema,
  },
  'snapshots.list': {
    request: z.object({ controllerId: z.string().min(1) }).strict(),
    response: z.object({ snapshots: z.array(SnapshotViewSchema) }),
  },
} as const;
