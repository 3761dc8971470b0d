/**
 * Payload schemas of every journal event type. The journal refuses to append an event whose payload does
 * not match, so every stored event of a known type can be projected and read back.
 */
import { z } from 'zod';

/** Payloads by event type. */
export const EVENT_PAYLOADS = {
  /** A data directory's first event: the device announces the key that signs its chain. */
  'device.created': z.object({
    name: z.string().min(1),
    publicKeyPem: z.string().startsWith('-----BEGIN PUBLIC KEY-----'),
    keyProtection: z.enum(['os-keychain', 'passphrase', 'file-permissions']),
    appVersion: z.string(),
  }).strict(),
  /** The app (desktop or web host) started on this data directory. */
  'app.started': z.object({
    transport: z.enum(['electron', 'web', 'in-process']),
    appVersion: z.string(),
    platform: z.string(),
    host: z.string(),
    pid: z.number().int(),
  }).strict(),
  /** Someone ran a whole-journal verification from the app; the result is itself part of the record. */
  'journal.verified': z.object({
    ok: z.boolean(),
    eventsChecked: z.number().int().nonnegative(),
    problems: z.number().int().nonnegative(),
    firstProblem: z.string().nullable(),
  }).strict(),
} as const;

/** Known event type names. */
export type EventType = keyof typeof EVENT_PAYLOADS;

/** The payload type of an event type. */
export type EventPayload<T extends EventType> = z.infer<(typeof EVENT_PAYLOADS)[T]>;

/** True for event types this build knows. */
export function isEventType(type: string): type is EventType {
  return Object.hasOwn(EVENT_PAYLOADS, type);
}
