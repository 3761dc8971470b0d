/**
 * The members of an evidence pack the verifier can vouch for. manifest.json and SHA256SUMS are signed by no one, so a
 * member added after export and listed in both passes every hash check; this module names each member that no signed
 * record of the pack, and no member the verifier recomputes, accounts for. It also holds the unsigned members whose
 * text is fixed (verify.sh) or stated elsewhere in the pack (the manifest's policy line) to that. Part of the pack
 * verifier (pack-verifier.ts).
 */
import type { JsonValue } from '../../common/canonical-json.ts';
import type { SnapshotFile } from '../../common/snapshot/snapshot.ts';
import type { ChangeState } from '../../common/workflow/change-state.ts';
import { MANIFEST, REPORT, SHA256SUMS, contentMembers, fixedMembers, pkiMembers, type Manifest, type PackEvent } from './pack-format.ts';
import type { Fail } from './pack-rules.ts';
import { VERIFY_SCRIPT } from './verify-procedure.ts';

/** What the verifier derived from the signed members: every member name it accounts for besides the fixed ones. */
export interface AccountedInput {
  members: ReadonlyMap<string, Buffer>;
  events: readonly PackEvent[];
  state: ChangeState;
  snapshots: ReadonlyMap<string, SnapshotFile>;
  /** Members the verifier recomputed and compared (signature members, keys and certificates, diffs). */
  derived: Iterable<string>;
}

/** Members every pack of this format may hold, whatever the change. */
const FIXED: readonly string[] = [
  MANIFEST,
  REPORT,
  SHA256SUMS,
  fixedMembers.eventIndex,
  fixedMembers.signatureIndex,
  fixedMembers.policy,
  fixedMembers.checkpoints,
  fixedMembers.checklists,
  fixedMembers.crosswalkDefinition,
  fixedMembers.crosswalk,
  fixedMembers.clockFlags,
  fixedMembers.verify,
  fixedMembers.verifyScript,
  pkiMembers.revocations,
];

/** Members whose own check names them already (a CA needs its ca.trusted event; an attestation is checked against the CA). */
const CHECKED_ELSEWHERE = [/^pki\/ca\/[^/]+\.pem$/, /^clock\/attestations\/[^/]+\.json$/];

/** Fails every member that nothing signed in the pack accounts for. */
export function checkAccounted(input: AccountedInput, fail: Fail): void {
  const accounted = new Set<string>([...FIXED, ...input.derived]);
  for (const e of input.events) {
    accounted.add(e.member);
    accounted.add(e.member.replace(/\.json$/, '.sig'));
    accounted.add(pkiMembers.device(e.body.device));
    const p = e.body.payload as Record<string, JsonValue>;
    // The capture a restore's proof compared (restore.verified).
    if (e.body.type === 'restore.verified' && typeof p['captureSha256'] === 'string')
      accounted.add(contentMembers.capture(p['captureSha256']));
  }
  for (const [sha, file] of input.snapshots) {
    accounted.add(contentMembers.snapshot(sha));
    accounted.add(contentMembers.snapshotDocument(sha));
    for (const a of file.document?.artefacts ?? []) accounted.add(contentMembers.artefact(a.sha256, a.name));
  }
  const ticks = 'execution' in input.state ? (input.state.execution.ticks ?? []) : [];
  for (const t of ticks) for (const a of t.attachments ?? []) accounted.add(contentMembers.attachment(a.sha256, a.name));
  for (const path of input.members.keys()) {
    if (accounted.has(path) || CHECKED_ELSEWHERE.some((r) => r.test(path))) continue;
    fail(
      path,
      null,
      "the member is not part of this change's evidence: no signed record in the pack names it and the verifier derives no such member (added after export; manifest.json and SHA256SUMS are signed by no one, so their listing it proves nothing)",
    );
  }
}

/**
 * The unsigned members with a fixed or stated text: verify.sh is the procedure every Baseline writes (the same script
 * since the first pack format), and the manifest's policy line names the policy the pack carries.
 */
export function checkUnsignedText(
  members: ReadonlyMap<string, Buffer>,
  manifest: Manifest | null,
  policy: { revision: number; name: string } | null,
  fail: Fail,
): void {
  const script = members.get(fixedMembers.verifyScript);
  if (!script)
    fail(
      fixedMembers.verifyScript,
      null,
      'the member is missing (the offline procedure of VERIFY.md as a script): run `baseline verify`, or the commands in VERIFY.md',
    );
  else if (script.toString('utf8') !== VERIFY_SCRIPT)
    fail(
      fixedMembers.verifyScript,
      null,
      'the member is not the procedure Baseline writes (altered after export): do not run it; run `baseline verify`, or a copy of verify.sh from a pack you trust',
    );
  if (manifest && policy && (manifest.policy.revision !== policy.revision || manifest.policy.name !== policy.name))
    fail(
      MANIFEST,
      null,
      `the manifest names policy "${manifest.policy.name}" revision ${manifest.policy.revision}, but ${fixedMembers.policy} is "${policy.name}" revision ${policy.revision} (the manifest was edited after export)`,
    );
}
