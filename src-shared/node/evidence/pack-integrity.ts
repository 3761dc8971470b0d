/**
 * The pack's bytes as exported, checked by the pack verifier (pack-verifier.ts): every member's hash against
 * SHA256SUMS and manifest.json, and every journal event's canonical text, hash, device signature and chain link.
 * Anything added, removed or changed after export fails here, named by member and record.
 */
import type { JsonValue } from '../../common/canonical-json.ts';
import { GENESIS_PREV, eventHashInput, type EventBody } from '../../common/journal-event.ts';
import { sha256Hex } from '../hash.ts';
import { publicKeyFromPem, verifyText } from '../ed25519.ts';
import {
  MANIFEST,
  ManifestSchema,
  PACK_FORMATS,
  REPORT,
  SHA256SUMS,
  eventRecord,
  fixedMembers,
  pkiMembers,
  type EventIndexEntry,
  type Manifest,
  type PackEvent,
} from './pack-format.ts';
import type { Fail } from './pack-rules.ts';

/** A member read as JSON; a missing or unreadable member is a failure (undefined). */
export function parseJson(members: Map<string, Buffer>, path: string, fail: Fail): unknown {
  const b = members.get(path);
  if (!b) {
    fail(path, null, 'the member is missing from the pack');
    return undefined;
  }
  try {
    return JSON.parse(b.toString('utf8')) as unknown;
  } catch {
    fail(path, null, 'the member is not valid JSON');
    return undefined;
  }
}

/**
 * A member derived from the signed ones must be byte for byte what the verifier recomputes (or, for a member whose
 * shape an earlier pack format wrote differently, one of the shapes that format allows).
 */
export function compareDerived(
  members: Map<string, Buffer>,
  path: string,
  expected: Buffer | readonly Buffer[],
  what: string,
  fail: Fail,
): void {
  const actual = members.get(path);
  const accepted = Buffer.isBuffer(expected) ? [expected] : expected;
  if (!actual) fail(path, null, `the member is missing (${what})`);
  else if (!accepted.some((b) => actual.equals(b))) fail(path, null, `the member differs from ${what}, recomputed from the signed members`);
}

/**
 * Every member's hash against SHA256SUMS and manifest.json; a disagreement is blamed on the side that changed.
 * Returns the manifest (when it reads) and the members whose hashes failed.
 */
export function checkHashes(
  members: Map<string, Buffer>,
  fail: Fail,
): { manifest: Manifest | null; manifestSha256: string | null; hashFailed: Set<string> } {
  const hashFailed = new Set<string>();
  // The manifest first (read, not yet judged), so that a disagreement with SHA256SUMS can be blamed on the right side.
  let manifest: Manifest | null = null;
  const raw = parseJson(members, MANIFEST, fail);
  if (raw !== undefined) {
    const parsed = ManifestSchema.safeParse(raw);
    if (parsed.success) manifest = parsed.data;
    else {
      const format = (raw as { format?: unknown } | null)?.format;
      fail(
        MANIFEST,
        null,
        !PACK_FORMATS.includes(format as never)
          ? `the manifest's format is "${String(format)}"; this verifier reads ${PACK_FORMATS.join(' and ')} (a newer pack needs a newer Baseline to verify it)`
          : `the manifest does not have the pack's shape: ${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}`,
      );
    }
  }
  const manifestHash = new Map((manifest?.members ?? []).map((m) => [m.path, m.sha256]));
  const sums = members.get(SHA256SUMS);
  if (!sums) {
    fail(SHA256SUMS, null, 'the member is missing from the pack (it lists the SHA-256 of every member)');
  } else {
    const listed = new Map<string, { hash: string; line: number }>();
    sums
      .toString('utf8')
      .split('\n')
      .forEach((line, i) => {
        if (line === '') return;
        const m = /^([0-9a-f]{64}) [ *](.+)$/.exec(line);
        if (!m) return fail(SHA256SUMS, `line ${i + 1}`, 'the line is not "<sha256>  <member>" (altered)');
        listed.set(m[2]!, { hash: m[1]!, line: i + 1 });
      });
    for (const [path, { hash, line }] of listed) {
      const b = members.get(path);
      const at = `SHA256SUMS line ${line}`;
      if (!b) fail(path, at, 'the member is listed in SHA256SUMS but missing from the pack (removed after export, or SHA256SUMS altered)');
      else if (sha256Hex(b) !== hash) {
        if (manifestHash.get(path) === sha256Hex(b))
          fail(
            SHA256SUMS,
            `line ${line} (${path})`,
            `SHA256SUMS lists another SHA-256 for ${path} than the member and manifest.json have: SHA256SUMS was altered`,
          );
        else {
          fail(
            path,
            at,
            `the member's SHA-256 is not the one SHA256SUMS lists (changed after export): ${sha256Hex(b).slice(0, 16)}… instead of ${hash.slice(0, 16)}…`,
          );
          hashFailed.add(path);
        }
      }
    }
    for (const path of members.keys()) {
      if (path !== SHA256SUMS && !listed.has(path))
        fail(path, null, 'the member is not listed in SHA256SUMS (added after export, or SHA256SUMS altered)');
    }
  }
  if (!members.has(REPORT)) fail(REPORT, null, 'the member is missing from the pack (the human-readable report)');
  if (!manifest) return { manifest: null, manifestSha256: members.has(MANIFEST) ? sha256Hex(members.get(MANIFEST)!) : null, hashFailed };
  const inManifest = new Set<string>();
  for (const m of manifest.members) {
    inManifest.add(m.path);
    const b = members.get(m.path);
    if (!b) fail(m.path, null, 'the member is listed in manifest.json but missing from the pack (removed after export)');
    else if (!hashFailed.has(m.path) && (sha256Hex(b) !== m.sha256 || b.length !== m.size)) {
      fail(m.path, null, "the member's SHA-256 or size is not the one manifest.json lists (changed after export)");
      hashFailed.add(m.path);
    }
  }
  for (const path of members.keys()) {
    if (![MANIFEST, REPORT, SHA256SUMS].includes(path) && !inManifest.has(path))
      fail(path, null, 'the member is not listed in manifest.json (added after export)');
  }
  return { manifest, manifestSha256: sha256Hex(members.get(MANIFEST)!), hashFailed };
}

/** Journal events: canonical bytes, hash, device signature, and the chain links between the change's events. */
export function checkJournal(members: Map<string, Buffer>, changeId: string | null, fail: Fail): PackEvent[] {
  const raw = parseJson(members, fixedMembers.eventIndex, fail);
  if (!Array.isArray(raw)) {
    if (raw !== undefined) fail(fixedMembers.eventIndex, null, 'the event index is not a list');
    return [];
  }
  const index = raw as EventIndexEntry[];
  const events: PackEvent[] = [];
  const keys = new Map<string, ReturnType<typeof publicKeyFromPem>>();
  for (const entry of index) {
    const member = String(entry?.member);
    const record = `seq ${String(entry?.seq)} (${String(entry?.type)})`;
    const bytes = members.get(member);
    if (!bytes) {
      fail(member, record, 'the event is listed in journal/index.json but its member is missing');
      continue;
    }
    let body: EventBody;
    try {
      body = JSON.parse(bytes.toString('utf8')) as EventBody;
    } catch {
      fail(member, record, 'the event is not valid JSON (altered)');
      continue;
    }
    const e: PackEvent = { body, hash: sha256Hex(bytes), sig: '', role: 'link', member };
    const rec = typeof body?.seq === 'number' ? eventRecord(e) : record;
    let text: string;
    try {
      text = eventHashInput(body);
    } catch {
      fail(member, rec, 'the event does not have the fields of a journal event');
      continue;
    }
    if (text !== bytes.toString('utf8'))
      fail(member, rec, 'the event is not the canonical text its device signed (altered: white space, key order or content)');
    if (entry.hash !== e.hash)
      fail(member, rec, `the event's SHA-256 is not the hash journal/index.json records (${String(entry.hash).slice(0, 12)}…)`);
    const sigMember = member.replace(/\.json$/, '.sig');
    const sig = members.get(sigMember);
    if (!sig) fail(sigMember, rec, 'the device signature of the event is missing');
    e.sig = sig ? sig.toString('base64') : '';
    if (sig && entry.sig !== e.sig) fail(fixedMembers.eventIndex, rec, "the index records another signature than the event's .sig member");
    if (!keys.has(body.device)) {
      const pem = members.get(pkiMembers.device(body.device));
      keys.set(body.device, pem ? publicKeyFromPem(pem.toString('utf8')) : null);
      if (!pem) fail(pkiMembers.device(body.device), null, `the public key of device ${body.device} is missing`);
    }
    const key = keys.get(body.device);
    if (key && sig && !verifyText(key, text, e.sig))
      fail(
        sigMember,
        rec,
        `the device signature does not verify with device ${body.device}'s key (altered, or re-signed with another key)`,
      );
    const p = body.payload as Record<string, JsonValue> | null;
    const names = p !== null && typeof p === 'object' && !Array.isArray(p) && p['changeId'] === changeId;
    e.role = names ? 'change' : entry.role;
    events.push(e);
  }
  // Chains: each device's genesis (its key), and every link from the change's first event to its last.
  const byDevice = new Map<string, PackEvent[]>();
  for (const e of events) byDevice.set(e.body.device, [...(byDevice.get(e.body.device) ?? []), e]);
  for (const [device, list] of byDevice) {
    list.sort((a, b) => a.body.seq - b.body.seq);
    const bySeq = new Map(list.map((e) => [e.body.seq, e]));
    const genesis = bySeq.get(1);
    if (!genesis || genesis.body.type !== 'device.created' || genesis.body.prev !== GENESIS_PREV) {
      fail(`journal/${device}`, 'seq 1', `device ${device}'s first event (device.created, with its key) is missing`);
    } else {
      const announced = (genesis.body.payload as Record<string, JsonValue>)['publicKeyPem'];
      const pem = members.get(pkiMembers.device(device));
      if (pem && pem.toString('utf8') !== announced)
        fail(pkiMembers.device(device), null, `the key is not the one device ${device} announced in its device.created event`);
    }
    const changeSeqs = list.filter((e) => e.role === 'change').map((e) => e.body.seq);
    if (changeSeqs.length > 0) {
      const from = Math.min(...changeSeqs);
      const to = Math.max(...changeSeqs);
      for (let s = from; s <= to; s++) {
        const e = bySeq.get(s);
        if (!e) {
          fail(
            `journal/${device}`,
            `seq ${s}`,
            `the event between the change's events is missing: the chain from seq ${from} to ${to} cannot be followed`,
          );
          continue;
        }
        const prev = bySeq.get(s - 1);
        if (s > from && prev && e.body.prev !== prev.hash)
          fail(e.member, eventRecord(e), `the chain is broken: prev is not the hash of seq ${s - 1}`);
      }
    }
    for (const e of list) {
      const prev = bySeq.get(e.body.seq - 1);
      if (prev && e.body.prev !== prev.hash && e.role !== 'change')
        fail(e.member, eventRecord(e), `the chain is broken: prev is not the hash of seq ${e.body.seq - 1}`);
    }
  }
  return events;
}
