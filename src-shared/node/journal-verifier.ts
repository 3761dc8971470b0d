/**
 * Verifies stored journal rows: every hash, signature, chain link and sequence number (ARCHITECTURE §3).
 *
 * It works on the raw stored columns, not parsed objects, so that a flipped byte anywhere (even one that
 * breaks JSON) is reported against the seq it sits in rather than crashing the check. Used by the CLI, the
 * app's Audit view, and later by the server's ingest and the evidence-pack verifier.
 */
import type { KeyObject } from 'node:crypto';
import {
  ActorSchema,
  GENESIS_PREV,
  eventHashInput,
  type EventBody,
  type EventProblem,
  type JournalEvent,
  type JournalVerifyReport,
} from '../common/journal-event.ts';
import { canonicalJson, type JsonValue } from '../common/canonical-json.ts';
import { sha256Hex } from './hash.ts';
import { publicKeyFromPem, verifyText } from './ed25519.ts';
import { checkDeviceCertificate } from './plant-certificates.ts';
import { checkChangeSignatures } from './change-signature.ts';

/** A journal row exactly as stored (text columns; seq may have been tampered into anything). */
export interface StoredEventRow {
  id: string;
  device: string;
  seq: unknown;
  prev: string;
  type: string;
  payload: string;
  actor: string;
  at: string;
  hash: string;
  sig: string;
}

/** Parses a stored row into an event body, or explains why it cannot be read. */
export function parseStoredRow(row: StoredEventRow): { body: EventBody } | { error: string } {
  if (typeof row.seq !== 'number' || !Number.isSafeInteger(row.seq)) {
    return { error: `seq column holds ${JSON.stringify(row.seq)}, not a whole number` };
  }
  let payload: JsonValue;
  try {
    payload = JSON.parse(row.payload) as JsonValue;
  } catch {
    return { error: 'payload column is no longer valid JSON' };
  }
  let actorRaw: unknown;
  try {
    actorRaw = JSON.parse(row.actor);
  } catch {
    return { error: 'actor column is no longer valid JSON' };
  }
  const actor = ActorSchema.safeParse(actorRaw);
  if (!actor.success) return { error: 'actor column does not describe an actor' };
  return {
    body: { id: row.id, device: row.device, seq: row.seq, prev: row.prev, type: row.type, payload, actor: actor.data, at: row.at },
  };
}

/** The public key a device announced in its first event (`device.created`, seq 1), if readable. */
export function deviceKeyFromGenesis(row: StoredEventRow | undefined): KeyObject | null {
  if (!row || row.type !== 'device.created' || row.seq !== 1) return null;
  try {
    const payload = JSON.parse(row.payload) as { publicKeyPem?: unknown };
    return typeof payload.publicKeyPem === 'string' ? publicKeyFromPem(payload.publicKeyPem) : null;
  } catch {
    return null;
  }
}

/** Problems of one row given its device key and the expected chain position. */
export function checkRow(
  row: StoredEventRow,
  key: KeyObject | null,
  expectedSeq: number,
  expectedPrev: string,
  checkSignature = true,
): EventProblem[] {
  const seqForReport = typeof row.seq === 'number' ? row.seq : expectedSeq;
  const problem = (kind: EventProblem['kind'], message: string): EventProblem => ({ device: row.device, seq: seqForReport, kind, message });
  const problems: EventProblem[] = [];
  const parsed = parseStoredRow(row);
  if ('error' in parsed) return [problem('unreadable', parsed.error)];
  if (parsed.body.seq !== expectedSeq) {
    const found = parsed.body.seq;
    const missing =
      found > expectedSeq
        ? found - 1 === expectedSeq
          ? `seq ${expectedSeq} is missing`
          : `seq ${expectedSeq} to ${found - 1} are missing`
        : null;
    problems.push(
      problem(
        'seq-gap',
        missing
          ? `${missing} (deleted from the journal?): expected seq ${expectedSeq} but found ${found}`
          : `expected seq ${expectedSeq} but found ${found} (repeated or out of order)`,
      ),
    );
  }
  if (row.prev !== expectedPrev) {
    problems.push(
      problem('chain-broken', `prev is ${row.prev.slice(0, 12)}… but the previous event's hash is ${expectedPrev.slice(0, 12)}…`),
    );
  }
  // Columns are stored in canonical form, so any edit of their text (even one JSON parsing would forgive,
  // such as white space or key order) is an alteration.
  if (row.payload !== canonicalJson(parsed.body.payload) || row.actor !== canonicalJson(parsed.body.actor)) {
    problems.push(
      problem('hash-mismatch', 'the stored payload or actor text is not the canonical text that was signed (edited after it was written)'),
    );
  }
  const input = eventHashInput(parsed.body);
  const actualHash = sha256Hex(input);
  if (actualHash !== row.hash) {
    problems.push(problem('hash-mismatch', "the event's content does not match its stored hash (altered after it was written)"));
  }
  if (!key) {
    problems.push(problem('unknown-device', `no readable device.created event gives the key of device ${row.device}`));
  } else if (checkSignature && !verifyText(key, input, row.sig)) {
    problems.push(problem('signature-invalid', "the device signature does not verify over the event's content"));
  }
  // A person's signature on a change decision covers what it relied on (21 CFR 11.70): recomputed from the event,
  // so an event re-signed by a device key but altered after the person signed still fails here.
  if (checkSignature && row.type === 'change.updated') {
    for (const p of checkChangeSignatures(parsed.body.payload)) problems.push(problem('person-signature-invalid', p));
  }
  return problems;
}

/** A device key this laptop holds as genuine: the data directory's own, pinned in its device key file at first start. */
export interface PinnedDevice {
  id: string;
  publicKeyPem: string;
}

/** Options for whole-journal verification. */
export interface VerifyOptions {
  /**
   * The key this data directory holds for its own device (its device key file): its journal must have been signed by
   * it, and besides it only devices the plant CA certified count (`certifiedDevices`, ARCHITECTURE §8). Without
   * it no device is pinned and no event counts.
   */
  localDevice?: PinnedDevice;
  now?: () => Date;
  /** Called with each event that verified and counts (pinned device, no problem), in verified order. */
  onVerified?: (event: JournalEvent) => void;
  /**
   * 'all' (default) checks every event's signature. 'chain-head' checks every hash and chain link but only the
   * signature of each device's newest event: its signature covers its prev hash, which covers the event before,
   * and so on back to the genesis, so the whole chain is what the device signed (short of truncation, which no
   * local check can see). About ten times cheaper; the app's trust check uses it, `journal verify` does not.
   */
  signatures?: 'all' | 'chain-head';
  /**
   * Further devices whose events count: those the plant CA certified (`certifiedDevices`), each checked against the
   * CAs the pinned device's journal trusts. Their chains are verified like the pinned device's.
   */
  certifiedDevices?: ReadonlySet<string>;
}

/**
 * The devices other than the pinned one whose events count: a device counts when its own chain holds a
 * `device.certified` event whose certificate names that device, binds the key of its `device.created` event, and was
 * issued (signature checked, issuer a CA by basicConstraints and keyUsage) by a CA that the pinned device's journal
 * trusts (`ca.trusted`), not revoked there (`certificate.revoked`), and in date when the event was recorded. Someone
 * who can write only baseline.db cannot forge such a certificate without the plant CA's key; rows of the pinned
 * chain are only read here, and `verifyJournalRows` then checks every one of them (a forged `ca.trusted` fails there).
 */
export function certifiedDevices(rows: Iterable<StoredEventRow>, localDevice: PinnedDevice | undefined): Set<string> {
  const certified = new Set<string>();
  if (!localDevice) return certified;
  const caPems: string[] = [];
  const revoked = new Set<string>();
  const genesisKeys = new Map<string, string>();
  const claims: { device: string; certificatePem: string; deviceId: string; at: string }[] = [];
  for (const row of rows) {
    if (row.device === localDevice.id) {
      if (row.type !== 'ca.trusted' && row.type !== 'certificate.revoked') continue;
      const parsed = parseStoredRow(row);
      if ('error' in parsed) continue;
      const p = parsed.body.payload as { certificatePem?: unknown; fingerprint?: unknown };
      if (row.type === 'ca.trusted' && typeof p.certificatePem === 'string') caPems.push(p.certificatePem);
      if (row.type === 'certificate.revoked' && typeof p.fingerprint === 'string') revoked.add(p.fingerprint);
      continue;
    }
    if (row.type === 'device.created' && row.seq === 1) {
      try {
        const key = (JSON.parse(row.payload) as { publicKeyPem?: unknown }).publicKeyPem;
        if (typeof key === 'string') genesisKeys.set(row.device, key);
      } catch {
        // An unreadable genesis certifies nothing; verifyJournalRows reports it.
      }
    } else if (row.type === 'device.certified') {
      const parsed = parseStoredRow(row);
      if ('error' in parsed) continue;
      const p = parsed.body.payload as { certificatePem?: unknown; deviceId?: unknown };
      if (typeof p.certificatePem === 'string' && typeof p.deviceId === 'string')
        claims.push({ device: row.device, certificatePem: p.certificatePem, deviceId: p.deviceId, at: row.at });
    }
  }
  if (caPems.length === 0) return certified;
  for (const claim of claims) {
    const publicKeyPem = genesisKeys.get(claim.device);
    if (!publicKeyPem || claim.deviceId !== claim.device || certified.has(claim.device)) continue;
    const at = new Date(claim.at);
    if (Number.isNaN(at.getTime())) continue;
    if (checkDeviceCertificate(claim.certificatePem, { deviceId: claim.device, publicKeyPem }, caPems, revoked, at).ok)
      certified.add(claim.device);
  }
  return certified;
}

/** The problem every event of a device that is neither pinned nor certified carries. */
export function uncertifiedDeviceProblem(
  row: StoredEventRow,
  genesisName: string | null,
  localDevice: PinnedDevice | undefined,
): EventProblem {
  const seq = typeof row.seq === 'number' ? row.seq : 0;
  const who = `device ${row.device}${genesisName ? ` ("${genesisName}")` : ''}`;
  return {
    device: row.device,
    seq,
    kind: 'device-uncertified',
    message: localDevice
      ? `${who} is not this data directory's own device (pinned in its device key file) and no plant CA certifies its key, so its events do not count (written into baseline.db from elsewhere?)`
      : `no device key file pins the key of ${who} (verify in the data directory that holds its device-key.json), and no plant CA certifies it, so its events do not count`,
  };
}

/** The device name a genesis row announces, if readable. */
export function deviceNameFromGenesis(row: StoredEventRow | undefined): string | null {
  if (!row || row.type !== 'device.created') return null;
  try {
    const name = (JSON.parse(row.payload) as { name?: unknown }).name;
    return typeof name === 'string' ? name : null;
  } catch {
    return null;
  }
}

/**
 * Verifies rows of any number of devices. Rows must come ordered by device, then seq (as stored): the order
 * projections are rebuilt in. Each device's chain is checked from its genesis; a bad event does not hide problems
 * after it. Only the pinned device's events and those of certified devices (`certifiedDevices`) count; any other
 * device's events are reported as uncertified.
 */
export function verifyJournalRows(rows: Iterable<StoredEventRow>, options: VerifyOptions = {}): JournalVerifyReport {
  const problems: EventProblem[] = [];
  let events = 0;
  let failedEvents = 0;
  const devices = new Set<string>();
  const local = options.localDevice;
  let current: {
    device: string;
    key: KeyObject | null;
    expectedSeq: number;
    prev: string;
    pinned: boolean;
    name: string | null;
    head: StoredEventRow | null;
  } | null = null;
  const headOnly = options.signatures === 'chain-head';
  const checkHead = () => {
    const head = current?.head;
    if (!headOnly || !current || !head || !current.key) return;
    const parsed = parseStoredRow(head);
    if ('body' in parsed && !verifyText(current.key, eventHashInput(parsed.body), head.sig)) {
      problems.push({
        device: head.device,
        seq: parsed.body.seq,
        kind: 'signature-invalid',
        message: 'the device signature of the newest event does not verify over its content',
      });
    }
  };

  for (const row of rows) {
    events++;
    if (!current || current.device !== row.device) {
      checkHead();
      devices.add(row.device);
      const key = deviceKeyFromGenesis(row);
      const isLocal = local !== undefined && local.id === row.device;
      const pinned = isLocal || (local !== undefined && (options.certifiedDevices?.has(row.device) ?? false));
      current = { device: row.device, key, expectedSeq: 1, prev: GENESIS_PREV, pinned, name: deviceNameFromGenesis(row), head: null };
      if (isLocal) {
        const localKey = publicKeyFromPem(local.publicKeyPem);
        if (!key || !localKey || !key.equals(localKey)) {
          problems.push({
            device: row.device,
            seq: 1,
            kind: 'key-mismatch',
            message: "the journal's device.created key is not this data directory's device key (journal replaced or key file swapped)",
          });
          current.pinned = false;
        }
      }
    }
    const found = checkRow(row, current.key, current.expectedSeq, current.prev, !headOnly);
    current.head = row;
    if (!current.pinned && !(local?.id === row.device)) found.push(uncertifiedDeviceProblem(row, current.name, local));
    if (found.length > 0) failedEvents++;
    problems.push(...found);
    if (found.length === 0 && current.pinned && options.onVerified) {
      const parsed = parseStoredRow(row);
      if ('body' in parsed) options.onVerified({ ...parsed.body, hash: row.hash, sig: row.sig });
    }
    current.prev = row.hash;
    current.expectedSeq = (typeof row.seq === 'number' ? row.seq : current.expectedSeq) + 1;
  }
  checkHead();
  if (local && events > 0 && !devices.has(local.id)) {
    problems.unshift({
      device: local.id,
      seq: 1,
      kind: 'key-mismatch',
      message: "the journal holds no events of this data directory's own device (the database was replaced or copied from elsewhere)",
    });
  }
  return {
    ok: problems.length === 0,
    events,
    failedEvents,
    devices: devices.size,
    firstProblem: problems[0] ?? null,
    problems,
    projections: [],
    checkedAt: (options.now ?? (() => new Date()))().toISOString(),
  };
}
