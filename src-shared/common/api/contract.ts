/**
 * The typed API: every operation the renderer (or any client) may call, and every event the main process
 * pushes, declared once. Transports (Electron IPC, loopback WebSocket, in-process) carry exactly these;
 * every request is validated with these schemas at the main-process boundary. Each domain declares its
 * operations in its own file (`<domain>-contract.ts`); this file joins them and re-exports their schemas.
 */
import * as z from 'zod';
import type { ErrorData } from '../errors.ts';
import { KPI_OPERATIONS } from './kpi-contract.ts';
import { CHANGE_CAPTURE_OPERATIONS } from './change-capture-contract.ts';
import { APP_OPERATIONS } from './app-contract.ts';
import { SYNC_OPERATIONS } from './sync-contract.ts';
import { JOURNAL_OPERATIONS } from './journal-contract.ts';
import { CAPTURE_OPERATIONS } from './capture-contract.ts';
import { SNAPSHOT_OPERATIONS } from './snapshot-contract.ts';
import { POLICY_OPERATIONS } from './policy-contract.ts';
import { PLANT_OPERATIONS } from './plant-contract.ts';
import { CHANGE_OPERATIONS } from './change-contract.ts';
import { PEOPLE_OPERATIONS } from './people-contract.ts';
import { EVIDENCE_OPERATIONS } from './evidence-contract.ts';
import { CONTROLLER_EDIT_OPERATIONS } from './controller-edit-contract.ts';
import { SEARCH_OPERATIONS } from './search-contract.ts';
import { LINE_CAPTURE_OPERATIONS } from './line-capture-contract.ts';
import { TAG_VALUES_OPERATIONS } from './tag-values-contract.ts';
import { AUDIT_OPERATIONS } from './audit-contract.ts';
import { CHECKLIST_OPERATIONS } from './checklist-contract.ts';
import { ConnectivitySchema } from './app-contract.ts';
import { SyncStatusSchema } from './sync-contract.ts';

export * from './contract-primitives.ts';
export * from './app-contract.ts';
export * from './sync-contract.ts';
export * from './journal-contract.ts';
export * from './capture-contract.ts';
export * from './snapshot-contract.ts';
export * from './policy-contract.ts';
export * from './plant-contract.ts';
export * from './change-contract.ts';
export * from './people-contract.ts';
export * from './evidence-contract.ts';
export * from './checklist-contract.ts';

/** Every operation: name -> request schema, response schema. Names are `domain.verb`. */
export const OPERATIONS = {
  ...APP_OPERATIONS,
  ...SYNC_OPERATIONS,
  ...JOURNAL_OPERATIONS,
  ...CAPTURE_OPERATIONS,
  ...SNAPSHOT_OPERATIONS,
  ...POLICY_OPERATIONS,
  ...PLANT_OPERATIONS,
  ...CHANGE_OPERATIONS,
  ...PEOPLE_OPERATIONS,
  ...EVIDENCE_OPERATIONS,
  ...KPI_OPERATIONS,
  ...CONTROLLER_EDIT_OPERATIONS,
  ...SEARCH_OPERATIONS,
  ...LINE_CAPTURE_OPERATIONS,
  ...TAG_VALUES_OPERATIONS,
  ...AUDIT_OPERATIONS,
  ...CHANGE_CAPTURE_OPERATIONS,
  ...CHECKLIST_OPERATIONS,
} as const;

/** Events the main process pushes to every client. */
export const PUSHED_EVENTS = {
  'connectivity.changed': ConnectivitySchema,
  'sync.status': SyncStatusSchema,
  /** How far a bundle export or import has got (content files and events done of total). */
  'sync.bundle.progress': z.object({ operation: z.enum(['export', 'import']), done: z.number(), total: z.number(), detail: z.string() }),
  'journal.appended': z.object({ id: z.string(), device: z.string(), seq: z.number(), type: z.string() }),
  'capture.progress': z.object({
    captureId: z.string(),
    controllerId: z.string(),
    done: z.number(),
    total: z.number(),
    detail: z.string(),
  }),
  'capture.finished': z.object({
    captureId: z.string(),
    controllerId: z.string(),
    captureSha256: z.string().nullable(),
    complete: z.boolean(),
    tags: z.number(),
    good: z.number(),
    bad: z.number(),
    failure: z.custom<ErrorData>().nullable(),
    /** Set when the capture was started from a change's screen. */
    change: z.object({ changeId: z.string(), phase: z.enum(['before', 'after', 'rollback']) }).optional(),
  }),
} as const;

/** Operation names. */
export type OperationName = keyof typeof OPERATIONS;
/** What a caller passes for an operation (defaults may be omitted). */
export type OperationRequest<N extends OperationName> = z.input<(typeof OPERATIONS)[N]['request']>;
/** What a handler receives after validation (defaults filled in). */
export type ValidRequest<N extends OperationName> = z.output<(typeof OPERATIONS)[N]['request']>;
/** What an operation returns. */
export type OperationResponse<N extends OperationName> = z.output<(typeof OPERATIONS)[N]['response']>;
/** Pushed event names. */
export type PushedEventName = keyof typeof PUSHED_EVENTS;
/** A pushed event's payload. */
export type PushedEventPayload<E extends PushedEventName> = z.output<(typeof PUSHED_EVENTS)[E]>;

/** True when a string names an operation. */
export function isOperationName(name: unknown): name is OperationName {
  return typeof name === 'string' && Object.hasOwn(OPERATIONS, name);
}
