/**
 * Writes a change's evidence pack (issue #14) from what the store holds: the journal rows as stored, the snapshot,
 * capture and artefact bytes, the trusted CA certificates and the policy revision. Every derived member (diffs,
 * signature statements, trust material, the crosswalk, the report) is computed here from the signed ones, with
 * the functions the verifier uses to check them.
 */
import type { JsonValue } from '../../common/canonical-json.ts';
import type { ChangeState } from '../../common/workflow/change-state.ts';
import type { SnapshotFile } from '../../common/snapshot/snapshot.ts';
import { canonicalJson } from '../../common/canonical-json.ts';
import { parseStoredRow, type StoredEventRow } from '../journal-verifier.ts';
import { sha256Hex } from '../hash.ts';
import {
  MANIFEST,
  PACK_FORMAT,
  PACK_FORMAT_RULES,
  REPORT,
  SHA256SUMS,
  contentMembers,
  eventBodyBytes,
  eventMembers,
  findSignatures,
  fixedMembers,
  jsonMember,
  sha256sums,
  signatureIndex,
  type EventIndexEntry,
  type Manifest,
  type PackEvent,
} from './pack-format.ts';
import type { ClockAttestation } from '../../common/sync/clock-flags.ts';
import {
  clockAttestationMember,
  clockFlagsMember,
  deriveClockFlags,
  deriveDiffs,
  derivePkiMembers,
  diffMembers,
  revocationsMember,
  type ControllerDiffs,
} from './pack-derive.ts';
import { VERIFY_SCRIPT, verifyMarkdown } from './verify-procedure.ts';
import { writeZip } from './pack-zip.ts';
import type { PackContext } from './pack-context.ts';
import { loadPolicyYaml } from '../../common/workflow/policy-yaml.ts';
import { evaluateCrosswalk, parseCrosswalk } from './crosswalk.ts';
import { renderReport } from './report-pdf.ts';
import { deriveRoles } from './pack-roles.ts';
import { packWording } from './pack-wording.ts';

/** Everything the writer needs, read from one data directory. */
export interface PackInput {
  changeId: string;
  exportedAt: string;
  exportedBy: Manifest['exportedBy'];
  /** The journal rows to include, in device and seq order (why each is there, its role, comes from pack-roles.ts). */
  events: StoredEventRow[];
  /** Snapshot files by their document hash. */
  snapshots: { sha256: string; bytes: Buffer }[];
  captures: { sha256: string; bytes: Buffer }[];
  artefacts: { sha256: string; name: string; bytes: Buffer }[];
  /** Files attached to the change's checklist ticks, by the hash each tick recorded (absent: none). */
  attachments?: { sha256: string; name: string; bytes: Buffer }[];
  policy: { revision: number; name: string; source: 'adopted' | 'shipped-default'; yaml: string };
  checkpointsYaml: string;
  /** The checklist templates text the change's latest signature relied on (absent: none recorded). */
  checklistsYaml?: string;
  /** The central server's clock attestations (plant-CA-signed) that flag any event of the pack. */
  clockAttestations: ClockAttestation[];
  /** The compliance crosswalk (resources/compliance/crosswalk.yaml). */
  crosswalkYaml: string;
}

/**
 * Parses stored rows into pack events in device and seq order, each with the role its signed content gives it
 * (pack-roles.ts, as the verifier recomputes it), and the change's final state: the `state` of its last
 * `change.updated` event. A row that cannot be read is refused (the journal is damaged).
 */
export function packEvents(rows: PackInput['events'], changeId: string): { events: PackEvent[]; state: ChangeState } {
  const events = rows
    .map((row): PackEvent => {
      const parsed = parseStoredRow(row);
      if ('error' in parsed) throw new Error(`event seq ${String(row.seq)} of device ${row.device} cannot be read: ${parsed.error}`);
      return { body: parsed.body, hash: row.hash, sig: row.sig, role: 'link', member: eventMembers(row.device, parsed.body.seq).body };
    })
    .sort((a, b) => a.body.device.localeCompare(b.body.device) || a.body.seq - b.body.seq);
  const last = events
    .filter((e) => e.body.type === 'change.updated' && (e.body.payload as Record<string, JsonValue>)['changeId'] === changeId)
    .at(-1);
  if (!last) throw new Error(`change ${changeId} has no change.updated event to export`);
  const state = (last.body.payload as Record<string, JsonValue>)['state'] as unknown as ChangeState;
  deriveRoles(events, changeId, state).forEach((role, i) => (events[i]!.role = role));
  return { events, state };
}

/** Builds every member of the pack and zips it. */
export async function writePack(input: PackInput): Promise<{ zip: Buffer; manifestSha256: string; members: number; context: PackContext }> {
  const { events, state } = packEvents(input.events, input.changeId);
  const members: [string, Buffer][] = [];
  const index: EventIndexEntry[] = [];
  for (const e of events) {
    const m = eventMembers(e.body.device, e.body.seq);
    members.push([m.body, eventBodyBytes(e.body)], [m.sig, Buffer.from(e.sig, 'base64')]);
    index.push({
      device: e.body.device,
      seq: e.body.seq,
      id: e.body.id,
      type: e.body.type,
      hash: e.hash,
      sig: e.sig,
      role: e.role,
      member: m.body,
    });
  }
  members.push([fixedMembers.eventIndex, jsonMember(index)]);

  const snapshotFiles = new Map<string, SnapshotFile>();
  for (const s of input.snapshots) {
    const file = JSON.parse(s.bytes.toString('utf8')) as SnapshotFile;
    snapshotFiles.set(s.sha256, file);
    members.push(
      [contentMembers.snapshot(s.sha256), s.bytes],
      [contentMembers.snapshotDocument(s.sha256), Buffer.from(canonicalJson(file.document), 'utf8')],
    );
  }
  for (const c of input.captures) members.push([contentMembers.capture(c.sha256), c.bytes]);
  for (const a of input.artefacts) members.push([contentMembers.artefact(a.sha256, a.name), a.bytes]);
  // Two names of the same bytes may give one member name once made safe: each member once.
  const attached = new Map((input.attachments ?? []).map((a) => [contentMembers.attachment(a.sha256, a.name), a.bytes] as const));
  for (const [path, bytes] of attached) members.push([path, bytes]);

  const found = findSignatures(
    events,
    input.snapshots.map((s) => ({
      member: contentMembers.snapshot(s.sha256),
      snapshotSha256: s.sha256,
      signatures: snapshotFiles.get(s.sha256)!.signatures,
    })),
  );
  const sigs = signatureIndex(found);
  members.push(...sigs.members, [fixedMembers.signatureIndex, jsonMember(sigs.index)]);
  const certificates = new Map(found.map((f) => [f.signature.signer.fingerprint, f.signature.signer.certificatePem]));
  members.push(...derivePkiMembers(events, certificates), revocationsMember(events));
  for (const a of input.clockAttestations) members.push(clockAttestationMember(a));
  members.push(clockFlagsMember(input.clockAttestations, events));
  const clockFlags = deriveClockFlags(input.clockAttestations, events);

  const diffs: ControllerDiffs[] = deriveDiffs(state, (sha) => snapshotFiles.get(sha) ?? null);
  members.push(...diffMembers(diffs));
  members.push(
    [fixedMembers.policy, Buffer.from(input.policy.yaml, 'utf8')],
    [fixedMembers.checkpoints, Buffer.from(input.checkpointsYaml, 'utf8')],
  );
  if (input.checklistsYaml !== undefined) members.push([fixedMembers.checklists, Buffer.from(input.checklistsYaml, 'utf8')]);

  const policy = loadPolicyYaml(input.policy.yaml, fixedMembers.policy);
  const context: PackContext = {
    changeId: input.changeId,
    state,
    events,
    signatures: sigs.index,
    diffs,
    snapshots: snapshotFiles,
    policy: { revision: input.policy.revision, name: input.policy.name, source: input.policy.source },
    timeZone: policy.plant.timeZone,
    wording: packWording(PACK_FORMAT_RULES[PACK_FORMAT].namedRoles, policy.roles),
    exportedAt: input.exportedAt,
    exportedBy: input.exportedBy,
    clockFlags,
    checklistsYaml: input.checklistsYaml ?? null,
    memberNames: [],
  };
  const crosswalk = evaluateCrosswalk(parseCrosswalk(input.crosswalkYaml), context);
  members.push(
    [fixedMembers.crosswalkDefinition, Buffer.from(input.crosswalkYaml, 'utf8')],
    [fixedMembers.crosswalk, jsonMember(crosswalk)],
  );
  members.push(
    [fixedMembers.verify, Buffer.from(verifyMarkdown(input.changeId, state.fields.title, state.number, clockFlags), 'utf8')],
    [fixedMembers.verifyScript, Buffer.from(VERIFY_SCRIPT, 'utf8')],
  );
  context.memberNames = members.map(([p]) => p);

  const manifest: Manifest = {
    format: PACK_FORMAT,
    changeId: input.changeId,
    title: state.fields.title,
    exportedAt: input.exportedAt,
    exportedBy: input.exportedBy,
    policy: { revision: input.policy.revision, name: input.policy.name, source: input.policy.source },
    members: members.map(([path, bytes]) => ({ path, sha256: sha256Hex(bytes), size: bytes.length })),
  };
  const manifestBytes = jsonMember(manifest);
  const manifestSha256 = sha256Hex(manifestBytes);
  const all: [string, Buffer][] = [[MANIFEST, manifestBytes], ...members];
  all.push([REPORT, await renderReport(context, manifestSha256, crosswalk)]);
  all.push([SHA256SUMS, sha256sums(all)]);
  return { zip: await writeZip(all), manifestSha256, members: all.length, context };
}
