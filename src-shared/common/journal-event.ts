/**
 * The journal event: the unit of the append-only, signed audit trail (ARCHITECTURE §3).
 *
 * An event's hash covers every field except `hash` and `sig`, serialised as RFC 8785 canonical JSON;
 * `prev` chains it to the same device's previous event, `seq` is gapless per device.
 */
import * as z from 'zod';
import { canonicalJson, type JsonValue } from './canonical-json.ts';

/** Who caused an event: a device acting on its own, the operating-system user running the app, or a person with a certificate. */
export const ActorSchema = z.object({
  kind: z.enum(['device', 'os-user', 'person']),
  id: z.string().min(1),
  name: z.string().min(1),
});
/** Who caused an event. */
export type Actor = z.infer<typeof ActorSchema>;

/** The chain anchor of a device's first event (64 zeros: there is no previous event). */
export const GENESIS_PREV = '0'.repeat(64);

/** The fields an event's hash covers. */
export interface EventBody {
  id: string;
  device: string;
  seq: number;
  prev: string;
  type: string;
  payload: JsonValue;
  actor: Actor;
  at: string;
}

/** A stored, sealed event: body plus SHA-256 hash (hex) and Ed25519 signature (base64) by the device key. */
export interface JournalEvent extends EventBody {
  hash: string;
  sig: string;
}

/** The exact text an event's hash is computed over. */
export function eventHashInput(body: EventBody): string {
  const { id, device, seq, prev, type, payload, actor, at } = body;
  return canonicalJson({ id, device, seq, prev, type, payload, actor: { kind: actor.kind, id: actor.id, name: actor.name }, at });
}

/** What can be wrong with one stored event, found by verification. */
export type EventProblemKind =
  | 'unreadable' // a column no longer parses (payload/actor JSON, seq not a number)
  | 'hash-mismatch' // the content no longer matches the stored hash
  | 'signature-invalid'
  | 'person-signature-invalid' // a person's signature on a change decision does not cover what the event records (or does not verify)
  | 'chain-broken' // prev does not equal the previous event's hash
  | 'seq-gap' // seq is not the previous seq + 1
  | 'unknown-device' // no device.created event gives this device's key
  | 'key-mismatch' // the journal's device key is not the key this data directory holds
  | 'device-uncertified' // the device's key is neither pinned on this laptop nor certified: its events do not count
  | 'signer-revoked' // (sync) a signature by a person revoked centrally before it was made
  | 'device-revoked'; // (sync) an event of a device revoked centrally, recorded after the revocation

/** One problem found in one event. */
export interface EventProblem {
  device: string;
  seq: number;
  kind: EventProblemKind;
  message: string;
}

/** Per-event verification state shown in the Audit view. */
export type EventVerification = { state: 'verified' } | { state: 'failed'; problems: EventProblem[] };

/** Result of verifying a whole journal. */
export interface JournalVerifyReport {
  ok: boolean;
  events: number;
  /** Stored events with at least one problem (journal-wide problems, such as a missing genesis, are not events). */
  failedEvents: number;
  devices: number;
  firstProblem: EventProblem | null;
  problems: EventProblem[];
  /** Projection tables (what the app reads) that differ from a replay of the verified journal; empty when all agree. */
  projections: ProjectionDifference[];
  /**
   * Checklist attachments whose stored bytes are missing or no longer hash to what their tick recorded (and the
   * checkpoint signatures relied on). Present when the check read the blob store too (`baseline journal verify`, the
   * Audit screen); each makes the report fail.
   */
  attachments?: AttachmentFinding[];
  checkedAt: string;
}

/** One checklist attachment of a change whose stored bytes are missing or altered, and what to do. */
export interface AttachmentFinding {
  changeId: string;
  /** The plant's change number ("CR-0007"), when the change has one. */
  number: string | null;
  checklist: string;
  item: string;
  /** The file's name as attached. */
  name: string;
  sha256: string;
  problem: 'missing' | 'altered';
  /** What the stored bytes hash to now (null: missing). */
  actualSha256: string | null;
  message: string;
  hint: string;
}

/** One projection table that differs from the journal, with the rows that differ (by primary key). */
export interface ProjectionDifference {
  table: string;
  /** Rows the journal gives that the table lacks. */
  missing: number;
  /** Rows the table holds that the journal does not give. */
  unexpected: number;
  /** Rows present in both whose values differ. */
  changed: number;
  /** The first differing rows, described as `missing|unexpected|changed key=value…`. */
  rows: string[];
}

/** One line per differing projection table, e.g. `revocations: 1 missing (fingerprint=ab12…)`. */
export function describeProjectionDifference(d: ProjectionDifference): string {
  const counts = [
    d.missing ? `${d.missing} missing` : '',
    d.unexpected ? `${d.unexpected} not in the journal` : '',
    d.changed ? `${d.changed} changed` : '',
  ]
    .filter((x) => x !== '')
    .join(', ');
  return `${d.table}: ${counts} (${d.rows.join('; ')}${d.rows.length < d.missing + d.unexpected + d.changed ? '; …' : ''})`;
}

/** One-line human summary of a verification report (CLI and UI use the same words). */
export function summariseVerifyReport(r: JournalVerifyReport): string {
  if (r.ok) {
    return `Journal intact: ${r.events} events from ${r.devices} device${r.devices === 1 ? '' : 's'}; every hash, signature and chain link verified, and every table Baseline reads matches it${r.attachments ? "; every checklist attachment's bytes match the hash its tick recorded" : ''}.`;
  }
  const attachments = r.attachments ?? [];
  const attachmentNote =
    attachments.length === 0
      ? ''
      : ` ${attachments.length} checklist attachment${attachments.length === 1 ? ' is' : 's are'} missing or altered: ${attachments[0]!.message}${attachments.length > 1 ? ` (and ${attachments.length - 1} more)` : ''}. ${attachments[0]!.hint}`;
  if (r.problems.length === 0 && r.projections.length === 0 && attachments.length > 0) {
    return `Journal FAILED verification: its ${r.events} events and every table verify, but${attachmentNote}`;
  }
  const tables = r.projections.map((d) => d.table);
  const tablesNote =
    tables.length === 0
      ? ''
      : ` ${tables.length} table${tables.length === 1 ? '' : 's'} differ${tables.length === 1 ? 's' : ''} from the journal (changed outside Baseline): ${tables.join(', ')}.`;
  if (r.problems.length === 0) {
    return `Journal FAILED verification: its ${r.events} events verify, but${tablesNote}${attachmentNote}`;
  }
  const p = r.firstProblem;
  const first = p ? `first bad event: seq ${p.seq} of device ${p.device} (${p.kind}): ${p.message}` : 'no detail';
  const gaps = r.problems.filter((q) => q.kind === 'seq-gap' && /missing/.test(q.message));
  const gapText =
    gaps.length > 0
      ? `; events are missing: ${gaps
          .slice(0, 3)
          .map((q) => `${q.message.split(' (')[0]} on device ${q.device}`)
          .join('; ')}`
      : '';
  return `Journal FAILED verification: ${r.failedEvents} of ${r.events} events failed (${r.problems.length} problem${r.problems.length === 1 ? '' : 's'})${gapText}; ${first}${tablesNote ? `.${tablesNote}` : ''}${attachmentNote ? `.${attachmentNote}` : ''}`;
}
