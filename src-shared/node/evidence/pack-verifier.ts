/**
 * Verifies an evidence pack offline (issue #14) with only the pack and the CA certificates the auditor trusts:
 * the container, every member's hash (SHA256SUMS and manifest.json), every journal event's hash, device
 * signature and chain link, every person's signature with its certificate chain and revocation, the snapshots,
 * every derived member (recomputed and compared byte for byte), and the policy rules the change had to follow.
 * Every failure names the member and the record it is in; nothing is written anywhere. The bytes are checked in
 * pack-integrity.ts, the signatures in pack-signatures.ts, the policy rules in pack-rules.ts; this module reads the
 * snapshots and derived members and gives the verdict.
 */
import { attachmentProblems } from '../checklist-attachments.ts';
import type { JsonValue } from '../../common/canonical-json.ts';
import { canonicalJson } from '../../common/canonical-json.ts';
import type { ChangeState } from '../../common/workflow/change-state.ts';
import type { SnapshotFile } from '../../common/snapshot/snapshot.ts';
import { parseCheckpointsYaml, type CheckpointSet } from '../../common/workflow/checkpoints.ts';
import { loadPolicyYaml } from '../../common/workflow/policy-yaml.ts';
import { sha256Hex } from '../hash.ts';
import { verifySnapshotBytes } from '../snapshot-verifier.ts';
import {
  MANIFEST,
  PACK_FORMAT,
  PACK_FORMAT_RULES,
  contentMembers,
  eventRecord,
  findSignatures,
  fixedMembers,
  jsonMember,
  pkiMembers,
  signatureIndex,
  type PackEvent,
} from './pack-format.ts';
import {
  acceptedDiffMembers,
  deriveDiffs,
  derivePkiMembers,
  revocationsMember,
  deriveRevocations,
  type ControllerDiffs,
  type PackClockFlag,
} from './pack-derive.ts';
import { readZip } from './pack-zip.ts';
import { evaluateCrosswalk, parseCrosswalk, type ClauseResult } from './crosswalk.ts';
import { checkOrder, checkProcedure, checkReport, checkRoles } from './pack-rendered.ts';
import type { PackContext } from './pack-context.ts';
import { checkRules, type Fail } from './pack-rules.ts';
import { checkManualRollbacks, checkRestores } from './pack-restores.ts';
import { checkHashes, checkJournal, compareDerived } from './pack-integrity.ts';
import { checkAccounted, checkUnsignedText } from './pack-accounted.ts';
import { checkClockFlags, checkRelied, checkSignature } from './pack-signatures.ts';
import { packWording } from './pack-wording.ts';

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
  /** The format the manifest declares (the rules the pack was checked by), when it reads. */
  format: string | null;
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
    ok: failures.length === 0,
    changeId: null,
    number: null,
    title: null,
    status: null,
    manifestSha256: null,
    format: null,
    counts: { members: 0, events: 0, signatures: 0, snapshots: 0, approvals: 0, checkpoints: 0 },
    context: null,
    clockFlags: [],
    ...partial,
    failures,
  });

  const zip = await readZip(bytes);
  for (const p of zip.problems) fail(p.member, null, p.reason);
  const members = zip.members;
  if (members.size === 0) {
    if (failures.length === 0) fail('(pack)', null, 'the zip holds no members');
    return verdict({});
  }
  try {
    const { partial, report } = checkMembers(members, options, fail);
    if (report) await checkReport(members, report.context, report.manifestSha256, report.crosswalk, fail);
    return verdict(partial);
  } catch (err) {
    // A defect in the verifier must still give an answer, never a crash.
    fail('(pack)', null, `the pack could not be checked to the end: ${err instanceof Error ? err.message : String(err)}`);
    return verdict({});
  }
}

/** What the report is rendered from again, when the pack's format covers it (after the synchronous checks). */
interface ReportToCheck {
  context: PackContext;
  manifestSha256: string;
  crosswalk: ClauseResult[];
}

function checkMembers(
  members: Map<string, Buffer>,
  options: VerifyPackOptions,
  fail: Fail,
): { partial: Partial<PackVerdict>; report: ReportToCheck | null } {
  const { manifest, manifestSha256 } = checkHashes(members, fail);
  const changeId = manifest?.changeId ?? null;
  // A pack is held to the rules of the format it declares: an earlier one keeps the verdict it had when exported.
  const rules = PACK_FORMAT_RULES[manifest?.format ?? PACK_FORMAT];
  if (options.caPems.length === 0)
    fail(
      '(trust)',
      null,
      "no trusted plant CA was given: pass --ca CA.pem with the plant CA certificate you trust (the pack's own copy proves nothing by itself)",
    );
  const events = checkJournal(members, changeId, fail);
  checkOrder(events, fail);
  const stateOf = (e: PackEvent) => (e.body.payload as Record<string, JsonValue>)['state'] as unknown as ChangeState;
  if (rules.rolesDerived) {
    // The roles the signed events give replace the index's (the change's own events are those that name it).
    const named = events
      .filter((e) => e.body.type === 'change.updated' && (e.body.payload as Record<string, JsonValue>)['changeId'] === changeId)
      .at(-1);
    checkRoles(members, events, changeId, named ? stateOf(named) : null, fail);
  }
  const lastChange = events.filter((e) => e.role === 'change' && e.body.type === 'change.updated').at(-1);
  const state = lastChange ? stateOf(lastChange) : null;
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
    if (v.sha256 !== null && v.sha256 !== sha)
      fail(
        path,
        null,
        `the member holds snapshot ${v.sha256.slice(0, 12)}…, not snapshot ${sha.slice(0, 12)}… that its name and the change record (swapped)`,
      );
    if (!v.valid) for (const p of v.problems) fail(path, null, p);
    try {
      const file = JSON.parse(b.toString('utf8')) as SnapshotFile;
      snapshotFiles.set(sha, file);
      snapshotSigs.push({ member: path, snapshotSha256: sha, signatures: Array.isArray(file.signatures) ? file.signatures : [] });
      compareDerived(
        members,
        contentMembers.snapshotDocument(sha),
        Buffer.from(canonicalJson(file.document), 'utf8'),
        "the snapshot's canonical document",
        fail,
      );
      // A document signed more than once has one snapshot.captured event per signing; the file is the one that
      // recorded it (the last, with every signature).
      const captured = events.filter(
        (e) => e.body.type === 'snapshot.captured' && (e.body.payload as Record<string, JsonValue>)['snapshotSha256'] === sha,
      );
      if (captured.length === 0) fail(path, null, 'no snapshot.captured event in the pack records this snapshot');
      else if (!captured.some((e) => (e.body.payload as Record<string, JsonValue>)['fileSha256'] === sha256Hex(b)))
        fail(path, null, 'the snapshot file is not the one its snapshot.captured event recorded');
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
  const pki = derivePkiMembers(events, certificates);
  for (const [path, b] of pki) compareDerived(members, path, b, 'the key or certificate in the signed events', fail);
  const [revPath, revBytes] = revocationsMember(events);
  compareDerived(members, revPath, revBytes, 'the certificate.revoked events in the pack', fail);
  const clockFlags = checkClockFlags(members, events, options.caPems, fail);
  for (const [path] of members) {
    if (
      /^pki\/ca\/.+\.pem$/.test(path) &&
      !events.some(
        (e) => e.body.type === 'ca.trusted' && pkiMembers.ca(String((e.body.payload as Record<string, JsonValue>)['fingerprint'])) === path,
      )
    ) {
      fail(path, null, 'no ca.trusted event in the pack names this CA certificate');
    }
  }

  let diffs: ControllerDiffs[];
  let context: PackContext | null = null;
  let checkpoints: CheckpointSet | null = null;
  let packPolicy: { revision: number; name: string } | null = null;
  let crosswalk: ClauseResult[] | null = null;
  if (state) {
    diffs = deriveDiffs(state, (sha) => snapshotFiles.get(sha) ?? null);
    const diffMembers = acceptedDiffMembers(diffs, rules);
    for (const [path, accepted] of diffMembers) compareDerived(members, path, accepted, 'the diff of the snapshots', fail);
    checkAccounted(
      { members, events, state, snapshots: snapshotFiles, derived: [...sigs.members, ...pki, ...diffMembers].map(([path]) => path) },
      fail,
    );
    const policyYaml = members.get(fixedMembers.policy);
    let timeZone = 'UTC';
    let policyRoles: Record<string, string> = {};
    if (!policyYaml) fail(fixedMembers.policy, null, 'the policy revision the change was evaluated under is missing');
    else {
      try {
        const policy = loadPolicyYaml(policyYaml.toString('utf8'), fixedMembers.policy);
        timeZone = policy.plant.timeZone;
        policyRoles = policy.roles;
        packPolicy = policy;
        const wanted = state.review?.evaluation.policyRevision;
        if (wanted !== undefined && policy.revision !== wanted)
          fail(
            fixedMembers.policy,
            null,
            `the pack's policy is revision ${policy.revision}, but the change was evaluated under revision ${wanted}`,
          );
        const adopted = events.find(
          (e) => e.body.type === 'policy.adopted' && (e.body.payload as Record<string, JsonValue>)['revision'] === policy.revision,
        );
        if (adopted && (adopted.body.payload as Record<string, JsonValue>)['sha256'] !== sha256Hex(policyYaml))
          fail(fixedMembers.policy, null, 'the policy is not the text its policy.adopted event recorded');
        if (manifest?.policy.source === 'adopted' && !adopted)
          fail(
            fixedMembers.policy,
            null,
            'the manifest says the policy was adopted, but its signed policy.adopted event is not in the pack',
          );
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
        fail(
          fixedMembers.checkpoints,
          null,
          `the checkpoint definitions cannot be read: ${err instanceof Error ? err.message : String(err)}`,
        );
      }
    }
    checkRelied(events, members, fail);
    // The checklist templates the latest signature relied on: the pack's copy must be that text.
    const reliedChecklists = events
      .filter((e) => e.role === 'change' && e.body.type === 'change.updated')
      .map(
        (e) =>
          (e.body.payload as { relied?: { policy?: { checklists?: { sha256: string; revision: number } } } }).relied?.policy?.checklists,
      )
      .filter((x) => x !== undefined)
      .at(-1);
    if (reliedChecklists) {
      const text = members.get(fixedMembers.checklists);
      if (!text)
        fail(
          fixedMembers.checklists,
          null,
          `the checklist templates (revision ${reliedChecklists.revision}) the signatures relied on are missing`,
        );
      else if (sha256Hex(text) !== reliedChecklists.sha256)
        fail(
          fixedMembers.checklists,
          null,
          `the checklist templates are not revision ${reliedChecklists.revision} that the signatures relied on (its SHA-256 differs)`,
        );
    }
    // Checklist attachments: each file a tick recorded must be in the pack with the bytes whose hash the signatures relied on.
    const ticks = 'execution' in state ? (state.execution.ticks ?? []) : [];
    for (const p of attachmentProblems(ticks, null, (sha, name) => members.get(contentMembers.attachment(sha, name)) ?? null)) {
      fail(contentMembers.attachment(p.sha256, p.name), 'checklist tick', p.message);
    }
    if (state.id !== changeId)
      fail(MANIFEST, null, `the manifest names change ${String(changeId)}, but the events are of change ${state.id}`);
    checkRules(state, events, found, checkpoints, new Set(snapshotFiles.keys()), fail);
    checkRestores(events, fail, rules);
    checkManualRollbacks(state, snapshotFiles, lastChange!.member, eventRecord(lastChange!), fail);
    if (manifest) {
      context = {
        changeId: state.id,
        state,
        events,
        signatures: sigs.index,
        diffs,
        snapshots: snapshotFiles,
        policy: manifest.policy,
        timeZone,
        wording: packWording(rules.namedRoles, policyRoles),
        exportedAt: manifest.exportedAt,
        exportedBy: manifest.exportedBy,
        clockFlags,
        checklistsYaml: members.get(fixedMembers.checklists)?.toString('utf8') ?? null,
        memberNames: [...members.keys()],
      };
      const definition = members.get(fixedMembers.crosswalkDefinition);
      if (!definition) fail(fixedMembers.crosswalkDefinition, null, 'the compliance crosswalk is missing');
      else {
        try {
          crosswalk = evaluateCrosswalk(parseCrosswalk(definition.toString('utf8')), context);
          compareDerived(members, fixedMembers.crosswalk, jsonMember(crosswalk), 'the crosswalk evaluated on this pack', fail);
        } catch (err) {
          fail(fixedMembers.crosswalkDefinition, null, err instanceof Error ? err.message : String(err));
        }
      }
    }
  }

  checkUnsignedText(members, manifest, packPolicy, fail);
  if (rules.renderedChecked && state) checkProcedure(members, state, clockFlags, fail);

  const execution = state && 'execution' in state ? state.execution : null;
  const report = rules.renderedChecked && context && crosswalk && manifestSha256 ? { context, manifestSha256, crosswalk } : null;
  const partial: Partial<PackVerdict> = {
    changeId,
    number: state?.number ?? null,
    title: state?.fields.title ?? manifest?.title ?? null,
    status: state?.status ?? null,
    manifestSha256,
    format: manifest?.format ?? null,
    context,
    clockFlags,
    counts: {
      members: members.size,
      events: events.length,
      signatures: found.length,
      snapshots: snapshotFiles.size,
      approvals: state?.review?.approvals.length ?? 0,
      checkpoints: execution?.checkpoints?.length ?? 0,
    },
  };
  return { partial, report };
}

/** The verdict in words: a summary line, then one line per failure. */
export function formatVerdict(v: PackVerdict): string {
  const head = v.ok
    ? `Evidence pack verified: change ${v.number ? `${v.number} (id ${v.changeId})` : v.changeId} "${v.title}" (${v.status}); ${v.counts.members} members, ${v.counts.events} journal events, ${v.counts.signatures} signatures, ${v.counts.snapshots} snapshots, ${v.counts.approvals} approvals, ${v.counts.checkpoints} checkpoints; every hash, signature, certificate, chain link and policy rule checked.`
    : `Evidence pack NOT verified${v.changeId ? ` (change ${v.changeId})` : ''}: ${v.failures.length} failure${v.failures.length === 1 ? '' : 's'}.`;
  const lines = v.failures.map((f) => `  ${f.member}${f.record ? ` [${f.record}]` : ''}: ${f.reason}`);
  const clock = v.clockFlags.map((f) => `  Clock flag on journal/${f.device}/${String(f.seq).padStart(8, '0')}.json: ${f.words}`);
  const format = v.format ? [`Pack format: ${PACK_FORMAT_RULES[v.format as keyof typeof PACK_FORMAT_RULES]?.words ?? v.format}.`] : [];
  return (
    [head, ...lines, ...clock, ...format, ...(v.manifestSha256 ? [`manifest.json SHA-256: ${v.manifestSha256}`] : [])].join('\n') + '\n'
  );
}
