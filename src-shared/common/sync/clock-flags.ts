/**
 * Implausible device times (ARCHITECTURE §8, clocks): every event carries its device's clock, which nobody checks at
 * the cabinet. At each push the server compares the laptop's clock with its own (the offset is recorded) and flags
 * events whose time cannot be right: before the device's previous event, far in the future of the server's time,
 * or recorded by a clock whose offset from the server's is beyond the limit. Flags are kept, never corrected: the
 * evidence shows the time as signed, with the flag beside it.
 */

/** Clock offset from the server beyond which events are flagged (the same limit the header warns at). */
export const CLOCK_SKEW_LIMIT_MS = 5 * 60_000;
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
export function clockFlags(e: { seq: number; at: string }, previousAt: string | null, receivedAt: Date, offsetMs: number | null): ClockFlag[] {
  const out: ClockFlag[] = [];
  const at = Date.parse(e.at);
  if (previousAt !== null && Number.isFinite(at) && at < Date.parse(previousAt)) {
    out.push({ kind: 'before-previous', message: `Event ${e.seq} says ${e.at}, before the device's previous event (${previousAt}): the laptop's clock was set back.` });
  }
  if (Number.isFinite(at) && at > receivedAt.getTime() + FUTURE_LIMIT_MS) {
    out.push({ kind: 'in-the-future', message: `Event ${e.seq} says ${e.at}, later than the server's time when it arrived (${receivedAt.toISOString()}).` });
  }
  if (offsetMs !== null && Math.abs(offsetMs) > CLOCK_SKEW_LIMIT_MS) {
    const minutes = Math.round(Math.abs(offsetMs) / 60_000);
    out.push({ kind: 'clock-skew', message: `Event ${e.seq} was pushed by a laptop whose clock was ${minutes} minutes ${offsetMs > 0 ? 'ahead of' : 'behind'} the server's (limit ${CLOCK_SKEW_LIMIT_MS / 60_000} minutes).` });
  }
  return out;
}
