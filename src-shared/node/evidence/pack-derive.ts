/**
 * Members of an evidence pack that are computed from its signed members: the diffs of each target controller,
 * the revocation list, the device keys and people's certificates. The writer writes them; the verifier computes
 * them again from the signed members and compares, byte for byte.
 */
import type { CaptureDocument } from '../../common/capture/capture-document.ts';
import { diffableFromCapture } from '../../common/diff/diffable-document.ts';
import { diffDocuments, type DocumentDiff } from '../../common/diff/document-diff.ts';
import { compareWithProposed, type ProposalComparison } from '../../common/diff/proposed-diff.ts';
import type { JsonValue } from '../../common/canonical-json.ts';
import type { ChangeState, SnapshotRecord } from '../../common/workflow/change-state.ts';
import type { SnapshotFile } from '../../common/snapshot/snapshot.ts';
import { clockFlagWords, readClockAttestation, type ClockAttestation, type ClockFlagKind } from '../../common/sync/clock-flags.ts';
import { contentMembers, fixedMembers, jsonMember, pkiMembers, type PackEvent } from './pack-format.ts';

/** The latest before- and after-snapshot record of each target controller (a later one supersedes). */
export function snapshotPairs(state: ChangeState): { controllerId: string; before: SnapshotRecord | null; after: SnapshotRecord | null }[] {
  const records = 'execution' in state ? (state.execution.snapshots ?? []) : [];
  return state.fields.targetControllers.map((controllerId) => ({
    controllerId,
    before: records.filter((r) => r.phase === 'before' && r.controllerId === controllerId).at(-1) ?? null,
    after: records.filter((r) => r.phase === 'after' && r.controllerId === controllerId).at(-1) ?? null,
  }));
}

/** One controller's before/after diff (configuration differences only) and its comparison with the proposal. */
export interface ControllerDiffs {
  controllerId: string;
  beforeAfter: DocumentDiff;
  proposedVsActual: ProposalComparison & { proposal: 'diff' | 'none' };
}

/** The diffs of every target controller with both snapshots, from the snapshot files (by document hash). */
export function deriveDiffs(state: ChangeState, snapshotFile: (sha256: string) => SnapshotFile | null): ControllerDiffs[] {
  const out: ControllerDiffs[] = [];
  for (const pair of snapshotPairs(state)) {
    if (!pair.before || !pair.after) continue;
    const before = snapshotFile(pair.before.snapshotSha256);
    const after = snapshotFile(pair.after.snapshotSha256);
    if (!before || !after) continue;
    const diff = diffDocuments(
      diffableFromCapture(before.document as unknown as CaptureDocument, pair.controllerId),
      diffableFromCapture(after.document as unknown as CaptureDocument, pair.controllerId),
      { includeUnchanged: false },
    );
    const pc = state.fields.proposedChange;
    const proposed = pc?.kind === 'diff' && pc.controllerId === pair.controllerId ? pc.changes : [];
    out.push({
      controllerId: pair.controllerId,
      beforeAfter: diff,
      proposedVsActual: { proposal: proposed.length > 0 ? 'diff' : 'none', ...compareWithProposed(diff, proposed) },
    });
  }
  return out;
}

/** The diff members of a change. */
export function diffMembers(diffs: readonly ControllerDiffs[]): [string, Buffer][] {
  return diffs.flatMap((d): [string, Buffer][] => [
    [contentMembers.diffBeforeAfter(d.controllerId), jsonMember(d.beforeAfter)],
    [contentMembers.diffProposed(d.controllerId), jsonMember(d.proposedVsActual)],
  ]);
}

/**
 * The diff members a verifier accepts, by the pack's format: each member with the bytes this version derives, and for
 * format 1 also `proposed-vs-actual.json` as written before declared tolerances (no `liveWithin`, which is then empty).
 */
export function acceptedDiffMembers(diffs: readonly ControllerDiffs[], rules: { liveWithinOptional: boolean }): [string, Buffer[]][] {
  return diffs.flatMap((d): [string, Buffer[]][] => {
    const proposed = [jsonMember(d.proposedVsActual)];
    if (rules.liveWithinOptional && d.proposedVsActual.liveWithin.length === 0) {
      const { liveWithin: _none, ...earlier } = d.proposedVsActual;
      proposed.push(jsonMember(earlier));
    }
    return [
      [contentMembers.diffBeforeAfter(d.controllerId), [jsonMember(d.beforeAfter)]],
      [contentMembers.diffProposed(d.controllerId), proposed],
    ];
  });
}

/** One revocation in force when the pack was written. */
export interface Revocation {
  fingerprint: string;
  reason: string;
  revokedAt: string;
  record: { member: string; seq: number; device: string };
}

/** The revocation list (from the pack's `certificate.revoked` events). */
export function deriveRevocations(events: readonly PackEvent[]): Revocation[] {
  return events
    .filter((e) => e.body.type === 'certificate.revoked')
    .map((e) => {
      const p = e.body.payload as Record<string, JsonValue>;
      return {
        fingerprint: String(p['fingerprint']),
        reason: String(p['reason']),
        revokedAt: e.body.at,
        record: { member: e.member, seq: e.body.seq, device: e.body.device },
      };
    });
}

/** PEM members of trust: each device's public key (from its `device.created` event), each person's and CA's certificate. */
export function derivePkiMembers(events: readonly PackEvent[], signerCertificates: ReadonlyMap<string, string>): [string, Buffer][] {
  const out: [string, Buffer][] = [];
  for (const e of events) {
    const p = e.body.payload as Record<string, JsonValue>;
    if (e.body.type === 'device.created' && e.body.seq === 1)
      out.push([pkiMembers.device(e.body.device), Buffer.from(String(p['publicKeyPem']), 'utf8')]);
    if (e.body.type === 'ca.trusted') out.push([pkiMembers.ca(String(p['fingerprint'])), Buffer.from(String(p['certificatePem']), 'utf8')]);
  }
  for (const [fingerprint, pem] of [...signerCertificates].sort(([a], [b]) => a.localeCompare(b)))
    out.push([pkiMembers.person(fingerprint), Buffer.from(pem, 'utf8')]);
  const seen = new Set<string>();
  return out.filter(([path]) => (seen.has(path) ? false : (seen.add(path), true)));
}

/** The revocations member. */
export function revocationsMember(events: readonly PackEvent[]): [string, Buffer] {
  return [pkiMembers.revocations, jsonMember(deriveRevocations(events))];
}

/** One event of the pack that the central server flagged for an implausible device time. */
export interface PackClockFlag {
  device: string;
  deviceName: string;
  seq: number;
  eventId: string;
  kind: ClockFlagKind;
  words: string;
  receivedAt: string;
  offsetMs: number | null;
  skewLimitMs: number;
  /** The plant CA's signed statement it comes from: its id and its member. */
  attestation: { id: string; member: string };
}

/** The member holding one clock attestation, exactly as pulled: `{id, statement, signature}`. */
export function clockAttestationMember(a: ClockAttestation): [string, Buffer] {
  return [fixedMembers.clockAttestation(a.id), jsonMember({ id: a.id, statement: a.statement, signature: a.signature })];
}

/**
 * The clock flags of the pack's events, from the clock attestations it carries (each once; only flags of events in
 * the pack). Whether the plant CA signed each attestation is the verifier's check.
 */
export function deriveClockFlags(attestations: readonly ClockAttestation[], events: readonly PackEvent[]): PackClockFlag[] {
  const inPack = new Set(events.map((e) => e.body.id));
  const seen = new Set<string>();
  const out: PackClockFlag[] = [];
  for (const a of attestations) {
    const body = readClockAttestation(a);
    if (!body || seen.has(body.id)) continue;
    seen.add(body.id);
    for (const f of body.flags) {
      if (!inPack.has(f.eventId)) continue;
      out.push({
        device: body.device,
        deviceName: body.deviceName,
        seq: f.seq,
        eventId: f.eventId,
        kind: f.kind,
        words: clockFlagWords(body, f),
        receivedAt: body.receivedAt,
        offsetMs: body.offsetMs,
        skewLimitMs: body.skewLimitMs,
        attestation: { id: body.id, member: fixedMembers.clockAttestation(body.id) },
      });
    }
  }
  return out;
}

/** The clock flags member. */
export function clockFlagsMember(attestations: readonly ClockAttestation[], events: readonly PackEvent[]): [string, Buffer] {
  return [fixedMembers.clockFlags, jsonMember(deriveClockFlags(attestations, events))];
}
