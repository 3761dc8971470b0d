/**
 * Implausible device times (ARCHITECTURE §8, clocks): every event carries its device's clock, which nobody checks at
 * the cabinet. At each push the server compares the laptop's clock with its own (the offset is recorded) and flags
 * events whose time cannot be right: before the device's previous event, far in the future of the server's time,
 * or recorded by a clock whose offset from the server's is beyond the policy's limit (`clocks.skewLimit`). Flags
 * are kept, never corrected: the evidence shows the time as signed, with the flag beside it.
 *
 * The flags of one push travel to every laptop as a clock attestation: a statement signed with the plant CA's key,
 * pulled like a central revocation, recorded in each laptop's journal (`clock.flagged`) and carried by evidence packs.
 */
import * as z from 'zod';
import { canonicalJson } from '../canonical-json.ts';

/** Default clock offset from the server beyond which events are flagged (the policy's `clocks.skewLimit` default). */
export const DEFAULT_CLOCK_SKEW_LIMIT_MS = 5 * 60_000;
/** How far past the server's time an event may claim to be before it is flagged "in the future". */
export const FUTURE_LIMIT_MS = 10 * 60_000;

/** Why an event's time is implausible. */
export type ClockFlagKind = 'before-previous' | 'in-the-future' | 'clock-skew';

/** One flag. */
export interface ClockFlag {
  kind: ClockFlagKind;
  message: string;
}

/** The flags of one event: its time, the device's previous event's time, when the server received it, and the device's clock offset then. */
export function clockFlags(
  e: { seq: number; at: string },
  previousAt: string | null,
  receivedAt: Date,
  offsetMs: number | null,
  skewLimitMs = DEFAULT_CLOCK_SKEW_LIMIT_MS,
): ClockFlag[] {
  const out: ClockFlag[] = [];
  const at = Date.parse(e.at);
  if (previousAt !== null && Number.isFinite(at) && at < Date.parse(previousAt)) {
    out.push({
      kind: 'before-previous',
      message: `Event ${e.seq} says ${e.at}, before the device's previous event (${previousAt}): the laptop's clock was set back.`,
    });
  }
  if (Number.isFinite(at) && at > receivedAt.getTime() + FUTURE_LIMIT_MS) {
    out.push({
      kind: 'in-the-future',
      message: `Event ${e.seq} says ${e.at}, later than the server's time when it arrived (${receivedAt.toISOString()}).`,
    });
  }
  if (offsetMs !== null && Math.abs(offsetMs) > skewLimitMs) {
    out.push({
      kind: 'clock-skew',
      message: `Event ${e.seq} was pushed by a laptop whose clock was ${offsetWords(offsetMs)} the server's (limit ${minutesWords(skewLimitMs)}).`,
    });
  }
  return out;
}

function minutesWords(ms: number): string {
  const minutes = Math.round(Math.abs(ms) / 60_000);
  if (minutes >= 120) return `${Math.round(minutes / 60).toLocaleString('en-US')} h`;
  return minutes >= 1 ? `${minutes} min` : `${Math.round(Math.abs(ms) / 1000)} s`;
}

/** "7 min ahead of" / "2 h behind": a clock offset in words. */
export function offsetWords(offsetMs: number): string {
  return `${minutesWords(offsetMs)} ${offsetMs > 0 ? 'ahead of' : 'behind'}`;
}

/** What the plant CA signs for the clock flags of one push. */
export const ClockAttestationBodySchema = z
  .object({
    schema: z.literal('baseline.clock-flags/1'),
    id: z.string().min(1).max(100),
    device: z.string().min(1).max(100),
    deviceName: z.string().max(200),
    /** When the server received the push, by its own clock. */
    receivedAt: z.string().max(64),
    /** The laptop's clock when it sent the push, and its offset from the server's (null when the laptop sent no readable time). */
    deviceTime: z.string().max(64),
    offsetMs: z.number().nullable(),
    /** The policy's skew limit the server applied. */
    skewLimitMs: z.number().int().positive(),
    flags: z
      .array(
        z
          .object({
            seq: z.number().int().positive(),
            eventId: z.string().min(1).max(100),
            at: z.string().max(64),
            kind: z.enum(['before-previous', 'in-the-future', 'clock-skew']),
            message: z.string().max(1000),
          })
          .strict(),
      )
      .min(1)
      .max(1000),
  })
  .strict();
/** The flags of one push, as the plant CA signed them. */
export type ClockAttestationBody = z.infer<typeof ClockAttestationBodySchema>;

/** A clock attestation as it travels: the exact statement the plant CA signed, and the signature (base64). */
export const ClockAttestationSchema = z
  .object({
    id: z.string().min(1).max(100),
    statement: z.string().max(400_000),
    signature: z.string().max(2000),
  })
  .strict();
/** A clock attestation as it travels. */
export type ClockAttestation = z.infer<typeof ClockAttestationSchema>;

/** The statement the plant CA signs for a push's flags. */
export function clockAttestationStatement(body: ClockAttestationBody): string {
  return canonicalJson(body);
}

/** The body of an attestation, or null when its statement is not one (wrong shape, or not canonical, or another id). */
export function readClockAttestation(a: ClockAttestation): ClockAttestationBody | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(a.statement);
  } catch {
    return null;
  }
  const r = ClockAttestationBodySchema.safeParse(parsed);
  if (!r.success || r.data.id !== a.id || clockAttestationStatement(r.data) !== a.statement) return null;
  return r.data;
}

/** One flagged event, as a laptop shows it beside the event. */
export interface ClockFlagView {
  attestationId: string;
  device: string;
  deviceName: string;
  seq: number;
  eventId: string;
  kind: ClockFlagKind;
  /** When the server received the push, and the laptop's clock offset then. */
  receivedAt: string;
  offsetMs: number | null;
  skewLimitMs: number;
  /** The flag in words a plant engineer reads. */
  words: string;
}

/** The flag in words: "The clock of laptop X was 7 min ahead of the server's when it pushed; event times may be wrong by that much." */
export function clockFlagWords(body: ClockAttestationBody, flag: ClockAttestationBody['flags'][number]): string {
  const laptop = `laptop ${body.deviceName || body.device}`;
  switch (flag.kind) {
    case 'clock-skew':
      return `The clock of ${laptop} was ${body.offsetMs === null ? 'off' : `${offsetWords(body.offsetMs)} the server's`} when it pushed event ${flag.seq} (limit ${minutesWords(body.skewLimitMs)}); event times may be wrong by that much.`;
    case 'before-previous':
      return `Event ${flag.seq} of ${laptop} is dated ${flag.at}, before that laptop's previous event: its clock was set back, so the event's time is wrong.`;
    case 'in-the-future':
      return `Event ${flag.seq} of ${laptop} is dated ${flag.at}, later than the server's time when it arrived (${body.receivedAt}): its clock ran ahead.`;
  }
}

/** Every flagged event in a set of attestations (each attestation once, by id), oldest push first. */
export function clockFlagViews(attestations: readonly ClockAttestationBody[]): ClockFlagView[] {
  const seen = new Set<string>();
  const out: ClockFlagView[] = [];
  for (const body of attestations) {
    if (seen.has(body.id)) continue;
    seen.add(body.id);
    for (const f of body.flags) {
      out.push({
        attestationId: body.id,
        device: body.device,
        deviceName: body.deviceName,
        seq: f.seq,
        eventId: f.eventId,
        kind: f.kind,
        receivedAt: body.receivedAt,
        offsetMs: body.offsetMs,
        skewLimitMs: body.skewLimitMs,
        words: clockFlagWords(body, f),
      });
    }
  }
  return out;
}

/** One laptop's clock flags in short, for the sync status. */
export interface ClockFlagSummary {
  device: string;
  deviceName: string;
  /** Events of this laptop flagged so far. */
  events: number;
  /** The latest push that was flagged: when, and the laptop's clock offset then. */
  lastReceivedAt: string;
  lastOffsetMs: number | null;
  words: string;
}

/** The clock flags per laptop (each attestation once), the laptop flagged most recently first. */
export function clockFlagSummaries(attestations: readonly ClockAttestationBody[]): ClockFlagSummary[] {
  const byDevice = new Map<string, { last: ClockAttestationBody; events: Set<number> }>();
  const seen = new Set<string>();
  for (const a of attestations) {
    if (seen.has(a.id)) continue;
    seen.add(a.id);
    const d = byDevice.get(a.device) ?? { last: a, events: new Set<number>() };
    if (a.receivedAt >= d.last.receivedAt) d.last = a;
    for (const f of a.flags) d.events.add(f.seq);
    byDevice.set(a.device, d);
  }
  return [...byDevice.values()]
    .sort((x, y) => y.last.receivedAt.localeCompare(x.last.receivedAt))
    .map(({ last, events }) => {
      const laptop = `laptop ${last.deviceName || last.device}`;
      const n = `${events.size.toLocaleString('en-US')} ${events.size === 1 ? 'event' : 'events'} flagged`;
      const skewed = last.flags.some((f) => f.kind === 'clock-skew') && last.offsetMs !== null;
      const words = skewed
        ? `The clock of ${laptop} was ${offsetWords(last.offsetMs!)} the server's when it pushed at ${last.receivedAt} (${n}); event times may be wrong by that much.`
        : `Events of ${laptop} carry times its clock cannot have been right about (set back, or ahead of the server's) (${n}).`;
      return {
        device: last.device,
        deviceName: last.deviceName,
        events: events.size,
        lastReceivedAt: last.receivedAt,
        lastOffsetMs: last.offsetMs,
        words,
      };
    });
}
