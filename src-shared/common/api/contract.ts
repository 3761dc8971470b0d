/**
 * The typed API: every operation the renderer (or any client) may call, and every event the main process
 * pushes, declared once. Transports (Electron IPC, loopback WebSocket, in-process) carry exactly these;
 * every request is validated with these schemas at the main-process boundary.
 */
import { z } from 'zod';
import { ActorSchema } from '../journal-event.ts';

const JsonSchema: z.ZodType<unknown> = z.unknown();

/** Reachability of the central sync server, as the main process sees it. */
export const ConnectivitySchema = z.object({
  state: z.enum(['online', 'offline', 'not-configured']),
  server: z.string().nullable(),
  checkedAt: z.string().nullable(),
  detail: z.string(),
});
/** Reachability of the central sync server. */
export type Connectivity = z.infer<typeof ConnectivitySchema>;

const EventProblemSchema = z.object({
  device: z.string(),
  seq: z.number(),
  kind: z.enum(['unreadable', 'hash-mismatch', 'signature-invalid', 'chain-broken', 'seq-gap', 'unknown-device', 'key-mismatch']),
  message: z.string(),
});

/** One journal event as the Audit view shows it, with its verification state. */
export const EventViewSchema = z.object({
  rowid: z.number(),
  id: z.string(),
  device: z.string(),
  seq: z.union([z.number(), z.string()]),
  type: z.string(),
  actor: ActorSchema.nullable(),
  at: z.string(),
  hash: z.string(),
  prev: z.string(),
  payload: JsonSchema,
  verification: z.discriminatedUnion('state', [
    z.object({ state: z.literal('verified') }),
    z.object({ state: z.literal('failed'), problems: z.array(EventProblemSchema) }),
  ]),
});
/** One journal event as shown to people. */
export type EventView = z.infer<typeof EventViewSchema>;

/** Whole-journal verification result. */
export const VerifyReportSchema = z.object({
  ok: z.boolean(),
  events: z.number(),
  devices: z.number(),
  firstProblem: EventProblemSchema.nullable(),
  problems: z.array(EventProblemSchema),
  checkedAt: z.string(),
  summary: z.string(),
});

const Empty = z.object({}).strict();

/** Every operation: name -> request schema, response schema. Names are `domain.verb`. */
export const OPERATIONS = {
  'app.info': {
    request: Empty,
    response: z.object({
      appVersion: z.string(),
      deviceId: z.string(),
      deviceName: z.string(),
      home: z.string(),
      transport: z.enum(['electron', 'web', 'in-process']),
      keyProtection: z.enum(['os-keychain', 'passphrase', 'file-permissions']),
      schemaVersion: z.number(),
    }),
  },
  'connectivity.get': { request: Empty, response: ConnectivitySchema },
  'journal.list': {
    request: z.object({
      limit: z.number().int().min(1).max(1000).default(200),
      beforeRowid: z.number().int().positive().optional(),
    }).strict(),
    response: z.object({
      total: z.number(),
      events: z.array(EventViewSchema),
      nextBeforeRowid: z.number().nullable(),
    }),
  },
  'journal.verify': { request: Empty, response: VerifyReportSchema },
} as const;

/** Events the main process pushes to every client. */
export const PUSHED_EVENTS = {
  'connectivity.changed': ConnectivitySchema,
  'journal.appended': z.object({ id: z.string(), device: z.string(), seq: z.number(), type: z.string() }),
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
