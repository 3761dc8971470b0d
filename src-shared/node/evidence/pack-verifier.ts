/**
 * Verifies an evidence pack offline (issue #14) with only the pack and the CA certificates the auditor trusts:
 * the container, every member's hash (SHA256SUMS and manifest.json), every journal event's hash, device
 * signature and chain link, every person's signature with its certificate chain and revocation, the snapshots,
 * every derived member (recomputed and compared byte for byte), and the policy rules the change had to follow.
 * Every failure names the member and the record it is in; nothing is written anywhere.
 */
import { attachmentProblems } from '../checklist-attachments.ts';
import type { JsonValue } from '../../common/canonical-json.ts';
import { canonicalJson } from '../../common/canonical-json.ts';
import { GENESIS_PREV, eventHashInput, type EventBody } from '../../common/journal-event.ts';
import type { ChangeState } from '../../common/workflow/change-state.ts';
import type { SnapshotFile } from '../../common/snapshot/snapshot.ts';
import { parseCheckpointsYaml, type CheckpointSet } from '../../common/workflow/checkpoints.ts';
import { loadPolicyYaml } from '../../common/workflow/policy-yaml.ts';
import { sha256Hex } from '../hash.ts';
import { publicKeyFromPem, verifyText } from '../ed25519.ts';
import { certificateFingerprint, certificateProblem, subjectOf, verifyWithCertificate } from '../pki.ts';
import { verifySnapshotBytes } from '../snapshot-verifier.ts';
import { ClockAttestationSchema, readClockAttestation, type ClockAttestation } from '../../common/sync/clock-flags.ts';
import { reliedDifferences } from '../change-signature.ts';
import {
  MANIFEST, ManifestSchema, PACK_FORMAT, REPORT, SHA256SUMS, contentMembers, eventRecord, findSignatures, fixedMembers, jsonMember, pkiMembers,
  signatureIndex, statementText, type EventIndexEntry, type FoundSignature, type Manifest, type PackEvent, type SignatureIndexEntry,
} from './pack-format.ts';
import {
  clockFlagsMember, deriveClockFlags, deriveDiffs, derivePkiMembers, diffMembers, revocationsMember, deriveRevocations, type ControllerDiffs, type PackClockFlag,
} from './pack-derive.ts';
import { readZip } from './pack-zip.ts';
import { evaluateCrosswalk, parseCrosswalk } from './crosswalk.ts';
import type { PackContext } from './pack-context.ts';
import { checkRules, type Fail } from './pack-rules.ts';
import { checkManualRollbacks, checkRestores } from './pack-restores.ts';

/** One failure: the member, the record inside it (when there is one), and why. */
export interface PackFailure {
  member: string;
  record: string | null;
  reason: string;
}

/** The verdict on one pack. */
export interface PackVerdict {
  ok: boolean;
  changeId: string | null;
  /** The plant's change number ("CR-0007"), when the change has one. */
  number: string | null;
  title: string | null;
  status: string | null;
  manifestSha256: string | null;
  counts: { members: number; events: number; signatures: number; snapshots: number; approvals: number; checkpoints: number };
  failures: PackFailure[];
  /** Events of the pack the central server flagged for an implausible device time, with the words to show. */
  clockFlags: PackClockFlag[];
  /** The parsed pack (for the report and the crosswalk), when the change could be read. */
  context: PackContext | null;
}

/** What the auditor trusts. */
export interface VerifyPackOptions {
  /** The plant CA certificates (PEM) the auditor trusts; the pack's own copy is never trusted by itself. */
  caPems: string[];
}

/** Verifies a pack's bytes. Never throws for anything in the pack: every problem becomes a failure. */
export async function verifyPack(bytes: Buffer, options: VerifyPackOptions): Promise<PackVerdict> {
  const failures: PackFailure[] = [];
  const fail = (member: string, record: string | null, reason: string) => {
    if (!failures.some((f) => f.member === member && f.record === record && f.reason === reason)) failures.push({ member, record, reason });
  };
  const verdict = (partial: Partial<PackVerdict>): PackVerdict => ({
    ok: failures.length === 0, changeId: null, number: null, title: null, status: null, manifestSha256: null,
    counts: { members: 0, events: 0, signatures: 0, snapshots: 0, approvals: 0, checkpoints: 0 }, context: null, clockFlags: [], ...partial, failures,
  });

  const zip = await readZip(bytes);
  for (const p of zip.problems) fail(p.member, null, p.reason);
  const members = zip.members;
  if (members.size === 0) {
    if (failures.length === 0) fail('(pack)', null, 'the zip holds no members');
    return verdict({});
  }
  try {
    return verdict(checkMembers(members, options, fail));
  } catch (err) {
    // A defect in the verifier must still give an answer, never a crash.
    fail('(pack)', null, `the pack could not be checked to the end: ${err instanceof Error ? err.message : String(err)}`);
    return verdict({});
  }
}

function parseJson(members: Map<string, Buffer>, path: string, fail: Fail): unknown {
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

function compareDerived(members: Map<string, Buffer>, path: string, expected: Buffer, what: string, fail: Fail): void {
  const actual = members.get(path);
  if (!actual) fail(path, null, `the member is missing (${what})`);
  else if (!actual.equals(expected)) fail(path, null, `the member differs from ${what}, recomputed from the signed members`);
}

function checkHashes(members: Map<string, Buffer>, fail: Fail): { manifest: Manifest | null; manifestSha256: string | null; hashFailed: Set<string> } {
  const hashFailed = new Set<string>();
  // The manifest first (read, not yet judged), so that a disagreement with SHA256SUMS can be blamed on the right side.
  let manifest: Manifest | null = null;
  const raw = parseJson(members, MANIFEST, fail);
  if (raw !== undefined) {
    const parsed = ManifestSchema.safeParse(raw);
    if (parsed.success) manifest = parsed.data;
    else {
      const format = (raw as { format?: unknown } | null)?.format;
      fail(MANIFEST, null, format !== PACK_FORMAT ? `the manifest's format is "${String(format)}"; this verifier reads ${PACK_FORMAT}` : `the manifest does not have the pack's shape: ${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}`);
    }
  }
  const manifestHash = new Map((manifest?.members ?? []).map((m) => [m.path, m.sha256]));
  const sums = members.get(SHA256SUMS);
  if (!sums) {
    fail(SHA256SUMS, null, 'the member is missing from the pack (it lists the SHA-256 of every member)');
  } else {
    const listed = new Map<string, { hash: string; line: number }>();
    sums.toString('utf8').split('\n').forEach((line, i) => {
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
        if (manifestHash.get(path) === sha256Hex(b)) fail(SHA256SUMS, `line ${line} (${path})`, `SHA256SUMS lists another SHA-256 for ${path} than the member and manifest.json have: SHA256SUMS was altered`);
        else {
          fail(path, at, `the member's SHA-256 is not the one SHA256SUMS lists (changed after export): ${sha256Hex(b).slice(0, 16)}… instead of ${hash.slice(0, 16)}…`);
          hashFailed.add(path);
        }
      }
    }
    for (const path of members.keys()) {
      if (path !== SHA256SUMS && !listed.has(path)) fail(path, null, 'the member is not listed in SHA256SUMS (added after export, or SHA256SUMS altered)');
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
      fail(m.path, null, 'the member\'s SHA-256 or size is not the one manifest.json lists (changed after export)');
      hashFailed.add(m.path);
    }
  }
  for (const path of members.keys()) {
    if (![MANIFEST, REPORT, SHA256SUMS].includes(path) && !inManifest.has(path)) fail(path, null, 'the member is not listed in manifest.json (added after export)');
  }
  return { manifest, manifestSha256: sha256Hex(members.get(MANIFEST)!), hashFailed };
}

/** Journal events: canonical bytes, hash, device signature, and the chain links between the change's events. */
function checkJournal(members: Map<string, Buffer>, changeId: string | null, fail: Fail): PackEvent[] {
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
    if (text !== bytes.toString('utf8')) fail(member, rec, 'the event is not the canonical text its device signed (altered: white space, key order or content)');
    if (entry.hash !== e.hash) fail(member, rec, `the event's SHA-256 is not the hash journal/index.json records (${String(entry.hash).slice(0, 12)}…)`);
    const sigMember = member.replace(/\.json$/, '.sig');
    const sig = members.get(sigMember);
    if (!sig) fail(sigMember, rec, 'the device signature of the event is missing');
    e.sig = sig ? sig.toString('base64') : '';
    if (sig && entry.sig !== e.sig) fail(fixedMembers.eventIndex, rec, 'the index records another signature than the event\'s .sig member');
    if (!keys.has(body.device)) {
      const pem = members.get(pkiMembers.device(body.device));
      keys.set(body.device, pem ? publicKeyFromPem(pem.toString('utf8')) : null);
      if (!pem) fail(pkiMembers.device(body.device), null, `the public key of device ${body.device} is missing`);
    }
    const key = keys.get(body.device);
    if (key && sig && !verifyText(key, text, e.sig)) fail(sigMember, rec, `the device signature does not verify with device ${body.device}'s key (altered, or re-signed with another key)`);
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
      if (pem && pem.toString('utf8') !== announced) fail(pkiMembers.device(device), null, `the key is not the one device ${device} announced in its device.created event`);
    }
    const changeSeqs = list.filter((e) => e.role === 'change').map((e) => e.body.seq);
    if (changeSeqs.length > 0) {
      const from = Math.min(...changeSeqs);
      const to = Math.max(...changeSeqs);
      for (let s = from; s <= to; s++) {
        const e = bySeq.get(s);
        if (!e) {
          fail(`journal/${device}`, `seq ${s}`, `the event between the change's events is missing: the chain from seq ${from} to ${to} cannot be followed`);
          continue;
        }
        const prev = bySeq.get(s - 1);
        if (s > from && prev && e.body.prev !== prev.hash) fail(e.member, eventRecord(e), `the chain is broken: prev is not the hash of seq ${s - 1}`);
      }
    }
    for (const e of list) {
      const prev = bySeq.get(e.body.seq - 1);
      if (prev && e.body.prev !== prev.hash && e.role !== 'change') fail(e.member, eventRecord(e), `the chain is broken: prev is not the hash of seq ${e.body.seq - 1}`);
    }
  }
  return events;
}

function checkSignature(f: FoundSignature, entry: SignatureIndexEntry | undefined, members: Map<string, Buffer>, caPems: string[], revoked: Map<string, string>, fail: Fail): void {
  const s = f.signature;
  const rec = `${f.source.record}: ${s.signer?.name ?? '?'} (${s.meaning ?? '?'})`;
  const member = f.source.member;
  const certPem = s.signer?.certificatePem ?? '';
  let fingerprint: string;
  try {
    fingerprint = certificateFingerprint(certPem);
  } catch {
    return fail(member, rec, 'the signer\'s certificate cannot be read');
  }
  if (fingerprint !== s.signer.fingerprint) return fail(member, rec, 'the certificate is not the one the signature names (fingerprint)');
  const subject = subjectOf(certPem);
  if (subject.name !== s.signer.name || subject.employeeId !== s.signer.employeeId || subject.roles.join(',') !== (s.signer.roles ?? []).join(',')) {
    fail(member, rec, `the printed name, employee id or roles differ from the certificate (${subject.name}, ${subject.employeeId})`);
  }
  if (!verifyWithCertificate(certPem, statementText(s), s.value)) fail(member, rec, 'the signature does not verify with the signer\'s certificate');
  const docPath = entry?.document ?? null;
  const doc = docPath ? members.get(docPath) : undefined;
  if (!doc) fail(docPath ?? member, rec, 'the signed document is missing');
  else if (sha256Hex(doc) !== s.documentSha256) fail(docPath!, rec, `the signed document's SHA-256 is not the one signed (${s.documentSha256.slice(0, 12)}…): the content changed after signing`);
  const at = new Date(s.at);
  const revokedAt = revoked.get(fingerprint);
  if (revokedAt !== undefined) fail(member, rec, `the signer's certificate is revoked (${revokedAt}, pki/revocations.json)`);
  const why = Number.isNaN(at.getTime()) ? 'the signing time is not a date' : certificateProblem(certPem, caPems, new Set(), at);
  if (why) fail(member, rec, why);
}

/**
 * What each signed decision relied on (change-signature.ts): the hashes it recorded must be the ones its state gives,
 * and the policy and checkpoint file it names, when the pack holds that revision, must be those members.
 */
function checkRelied(events: readonly PackEvent[], members: Map<string, Buffer>, fail: Fail): void {
  const policy = members.get(fixedMembers.policy);
  const checkpoints = members.get(fixedMembers.checkpoints);
  const revision = ((): number | null => {
    try {
      return policy ? loadPolicyYaml(policy.toString('utf8'), fixedMembers.policy).revision : null;
    } catch {
      return null; // reported with the policy member
    }
  })();
  for (const e of events) {
    if (e.role !== 'change' || e.body.type !== 'change.updated') continue;
    const p = e.body.payload as Record<string, JsonValue>;
    const changed = reliedDifferences(p);
    if (changed.length > 0) fail(e.member, eventRecord(e), `the signed decision relied on other content: ${changed.join(', ')} changed after signing`);
    const relied = p['relied'] as { policy?: { revision: number; sha256: string; checkpointsSha256: string | null } } | undefined;
    if (!relied?.policy) continue;
    if (policy && relied.policy.revision === revision && relied.policy.sha256 !== sha256Hex(policy)) {
      fail(fixedMembers.policy, eventRecord(e), `the decision was signed under policy revision ${revision} with SHA-256 ${relied.policy.sha256.slice(0, 12)}…, not this text`);
    }
    if (checkpoints && relied.policy.checkpointsSha256 !== null && (p['operation'] === 'checkpoint') && relied.policy.checkpointsSha256 !== sha256Hex(checkpoints)) {
      fail(fixedMembers.checkpoints, eventRecord(e), 'the checkpoint decision was signed against other checkpoint definitions than this member');
    }
  }
}

/**
 * The clock flags: each attestation member signed by a plant CA the auditor trusts, and clock/flags.json recomputed
 * from them and the pack's events. A pack written before clock flags existed has neither.
 */
function checkClockFlags(members: Map<string, Buffer>, events: readonly PackEvent[], caPems: readonly string[], fail: Fail): PackClockFlag[] {
  const attestations: ClockAttestation[] = [];
  for (const [path] of members) {
    if (!/^clock\/attestations\/[^/]+\.json$/.test(path)) continue;
    const parsed = ClockAttestationSchema.safeParse(parseJson(members, path, fail));
    if (!parsed.success) {
      fail(path, null, 'the member is not a clock attestation ({id, statement, signature})');
      continue;
    }
    const a = parsed.data;
    if (fixedMembers.clockAttestation(a.id) !== path) fail(path, null, `the member holds attestation ${a.id}, not the one its name says`);
    if (readClockAttestation(a) === null) fail(path, null, 'the statement does not read as clock flags of its own id');
    else if (!caPems.some((ca) => verifyWithCertificate(ca, a.statement, a.signature))) fail(path, null, 'the clock flags are not signed by the plant CA you trust');
    attestations.push(a);
  }
  const [path, bytes] = clockFlagsMember(attestations, events);
  if (attestations.length > 0 || members.has(path)) compareDerived(members, path, bytes, 'the clock attestations in the pack', fail);
  return deriveClockFlags(attestations, events);
}

function checkMembers(members: Map<string, Buffer>, options: VerifyPackOptions, fail: Fail): Partial<PackVerdict> {
  const { manifest, manifestSha256 } = checkHashes(members, fail);
  const changeId = manifest?.changeId ?? null;
  if (options.caPems.length === 0) fail('(trust)', null, 'no trusted plant CA was given: pass --ca CA.pem with the plant CA certificate you trust (the pack\'s own copy proves nothing by itself)');
  const events = checkJournal(members, changeId, fail);
  const lastChange = events.filter((e) => e.role === 'change' && e.body.type === 'change.updated').at(-1);
  const state = lastChange ? (lastChange.body.payload as Record<string, JsonValue>)['state'] as unknown as ChangeState : null;
  if (!state) fail(fixedMembers.eventIndex, null, `the pack holds no change.updated event of change ${changeId ?? '(unknown)'}`);

  // Snapshots: each one's own signatures and certificates, its name, and its canonical document.
  const revocations = deriveRevocations(events);
  const revoked = new Map(revocations.map((r) => [r.fingerprint, r.revokedAt]));
  const snapshotFiles = new Map<string, SnapshotFile>();
  const snapshotSigs: { member: string; snapshotSha256: string; signatures: SnapshotFile['signatures'] }[] = [];
  for (const [path, b] of members) {
    const m = /^snapshots\/([0-9a-f]{64})\.json$/.exec(path);
    if (!m) continue;
    const sha = m[1]!;
    const v = verifySnapshotBytes(b, { caPems: options.caPems, revokedFingerprints: new Set(revoked.keys()) });
    if (v.sha256 !== null && v.sha256 !== sha) fail(path, null, `the member holds snapshot ${v.sha256.slice(0, 12)}…, not snapshot ${sha.slice(0, 12)}… that its name and the change record (swapped)`);
    if (!v.valid) for (const p of v.problems) fail(path, null, p);
    try {
      const file = JSON.parse(b.toString('utf8')) as SnapshotFile;
      snapshotFiles.set(sha, file);
      snapshotSigs.push({ member: path, snapshotSha256: sha, signatures: Array.isArray(file.signatures) ? file.signatures : [] });
      compareDerived(members, contentMembers.snapshotDocument(sha), Buffer.from(canonicalJson(file.document), 'utf8'), 'the snapshot\'s canonical document', fail);
      const captured = events.find((e) => e.body.type === 'snapshot.captured' && (e.body.payload as Record<string, JsonValue>)['snapshotSha256'] === sha);
      if (!captured) fail(path, null, 'no snapshot.captured event in the pack records this snapshot');
      else if ((captured.body.payload as Record<string, JsonValue>)['fileSha256'] !== sha256Hex(b)) fail(path, null, 'the snapshot file is not the one its snapshot.captured event recorded');
    } catch {
      // reported by verifySnapshotBytes
    }
  }
  for (const [path, b] of members) {
    const c = /^captures\/([0-9a-f]{64})\.json$/.exec(path);
    if (c && sha256Hex(b) !== c[1]) fail(path, null, 'the capture document does not hash to its name');
    const a = /^artefacts\/([0-9a-f]{64})\//.exec(path);
    if (a && sha256Hex(b) !== a[1]) fail(path, null, 'the artefact does not hash to its name');
  }

  // People's signatures, and the members derived from the signed ones.
  const found = findSignatures(events, snapshotSigs);
  const sigs = signatureIndex(found);
  compareDerived(members, fixedMembers.signatureIndex, jsonMember(sigs.index), 'the signatures found in the events and snapshots', fail);
  for (const [path, b] of sigs.members) compareDerived(members, path, b, 'the signature as recorded in its event', fail);
  found.forEach((f, i) => checkSignature(f, sigs.index[i], members, options.caPems, revoked, fail));
  const certificates = new Map(found.map((f) => [f.signature.signer?.fingerprint, f.signature.signer?.certificatePem] as [string, string]));
  for (const [path, b] of derivePkiMembers(events, certificates)) compareDerived(members, path, b, 'the key or certificate in the signed events', fail);
  const [revPath, revBytes] = revocationsMember(events);
  compareDerived(members, revPath, revBytes, 'the certificate.revoked events in the pack', fail);
  const clockFlags = checkClockFlags(members, events, options.caPems, fail);
  for (const [path] of members) {
    if (/^pki\/ca\/.+\.pem$/.test(path) && !events.some((e) => e.body.type === 'ca.trusted' && pkiMembers.ca(String((e.body.payload as Record<string, JsonValue>)['fingerprint'])) === path)) {
      fail(path, null, 'no ca.trusted event in the pack names this CA certificate');
    }
  }

  let diffs: ControllerDiffs[];
  let context: PackContext | null = null;
  let checkpoints: CheckpointSet | null = null;
  if (state) {
    diffs = deriveDiffs(state, (sha) => snapshotFiles.get(sha) ?? null);
    for (const [path, b] of diffMembers(diffs)) compareDerived(members, path, b, 'the diff of the snapshots', fail);
    const policyYaml = members.get(fixedMembers.policy);
    let timeZone = 'UTC';
    if (!policyYaml) fail(fixedMembers.policy, null, 'the policy revision the change was evaluated under is missing');
    else {
      try {
        const policy = loadPolicyYaml(policyYaml.toString('utf8'), fixedMembers.policy);
        timeZone = policy.plant.timeZone;
        const wanted = state.review?.evaluation.policyRevision;
        if (wanted !== undefined && policy.revision !== wanted) fail(fixedMembers.policy, null, `the pack's policy is revision ${policy.revision}, but the change was evaluated under revision ${wanted}`);
        const adopted = events.find((e) => e.body.type === 'policy.adopted' && (e.body.payload as Record<string, JsonValue>)['revision'] === policy.revision);
        if (adopted && (adopted.body.payload as Record<string, JsonValue>)['sha256'] !== sha256Hex(policyYaml)) fail(fixedMembers.policy, null, 'the policy is not the text its policy.adopted event recorded');
        if (manifest?.policy.source === 'adopted' && !adopted) fail(fixedMembers.policy, null, 'the manifest says the policy was adopted, but its signed policy.adopted event is not in the pack');
      } catch (err) {
        fail(fixedMembers.policy, null, `the policy cannot be read: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    const cp = members.get(fixedMembers.checkpoints);
    if (!cp) fail(fixedMembers.checkpoints, null, 'the checkpoint definitions are missing');
    else {
      try {
        checkpoints = parseCheckpointsYaml(cp.toString('utf8'), fixedMembers.checkpoints);
      } catch (err) {
        fail(fixedMembers.checkpoints, null, `the checkpoint definitions cannot be read: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    checkRelied(events, members, fail);
    // The checklist templates the latest signature relied on: the pack's copy must be that text.
    const reliedChecklists = events.filter((e) => e.role === 'change' && e.body.type === 'change.updated')
      .map((e) => ((e.body.payload as { relied?: { policy?: { checklists?: { sha256: string; revision: number } } } }).relied?.policy?.checklists)).filter((x) => x !== undefined).at(-1);
    if (reliedChecklists) {
      const text = members.get(fixedMembers.checklists);
      if (!text) fail(fixedMembers.checklists, null, `the checklist templates (revision ${reliedChecklists.revision}) the signatures relied on are missing`);
      else if (sha256Hex(text) !== reliedChecklists.sha256) fail(fixedMembers.checklists, null, `the checklist templates are not revision ${reliedChecklists.revision} that the signatures relied on (its SHA-256 differs)`);
    }
    // Checklist attachments: each file a tick recorded must be in the pack with the bytes whose hash the signatures relied on.
    const ticks = 'execution' in state ? state.execution.ticks ?? [] : [];
    for (const p of attachmentProblems(ticks, null, (sha, name) => members.get(contentMembers.attachment(sha, name)) ?? null)) {
      fail(contentMembers.attachment(p.sha256, p.name), 'checklist tick', p.message);
    }
    if (state.id !== changeId) fail(MANIFEST, null, `the manifest names change ${String(changeId)}, but the events are of change ${state.id}`);
    checkRules(state, events, found, checkpoints, new Set(snapshotFiles.keys()), fail);
    checkRestores(events, fail);
    checkManualRollbacks(state, snapshotFiles, lastChange!.member, eventRecord(lastChange!), fail);
    if (manifest) {
      context = {
        changeId: state.id, state, events, signatures: sigs.index, diffs, snapshots: snapshotFiles, policy: manifest.policy, timeZone,
        exportedAt: manifest.exportedAt, exportedBy: manifest.exportedBy, clockFlags, memberNames: [...members.keys()],
      };
      const definition = members.get(fixedMembers.crosswalkDefinition);
      if (!definition) fail(fixedMembers.crosswalkDefinition, null, 'the compliance crosswalk is missing');
      else {
        try {
          compareDerived(members, fixedMembers.crosswalk, jsonMember(evaluateCrosswalk(parseCrosswalk(definition.toString('utf8')), context)), 'the crosswalk evaluated on this pack', fail);
        } catch (err) {
          fail(fixedMembers.crosswalkDefinition, null, err instanceof Error ? err.message : String(err));
        }
      }
    }
  }

  const execution = state && 'execution' in state ? state.execution : null;
  return {
    changeId, number: state?.number ?? null, title: state?.fields.title ?? manifest?.title ?? null, status: state?.status ?? null, manifestSha256, context, clockFlags,
    counts: {
      members: members.size, events: events.length, signatures: found.length, snapshots: snapshotFiles.size,
      approvals: state?.review?.approvals.length ?? 0, checkpoints: execution?.checkpoints?.length ?? 0,
    },
  };
}

/** The verdict in words: a summary line, then one line per failure. */
export function formatVerdict(v: PackVerdict): string {
  const head = v.ok
    ? `Evidence pack verified: change ${v.number ? `${v.number} (id ${v.changeId})` : v.changeId} "${v.title}" (${v.status}); ${v.counts.members} members, ${v.counts.events} journal events, ${v.counts.signatures} signatures, ${v.counts.snapshots} snapshots, ${v.counts.approvals} approvals, ${v.counts.checkpoints} checkpoints; every hash, signature, certificate, chain link and policy rule checked.`
    : `Evidence pack NOT verified${v.changeId ? ` (change ${v.changeId})` : ''}: ${v.failures.length} failure${v.failures.length === 1 ? '' : 's'}.`;
  const lines = v.failures.map((f) => `  ${f.member}${f.record ? ` [${f.record}]` : ''}: ${f.reason}`);
  const clock = v.clockFlags.map((f) => `  Clock flag on journal/${f.device}/${String(f.seq).padStart(8, '0')}.json: ${f.words}`);
  return [head, ...lines, ...clock, ...(v.manifestSha256 ? [`manifest.json SHA-256: ${v.manifestSha256}`] : [])].join('\n') + '\n';
}
