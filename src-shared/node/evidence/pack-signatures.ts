/**
 * The signatures in an evidence pack, checked by the pack verifier (pack-verifier.ts): each person's signature
 * against their certificate and the plant CA the auditor trusts, what each signed decision relied on, and the clock
 * attestations the central server signed.
 */
import type { JsonValue } from '../../common/canonical-json.ts';
import { ClockAttestationSchema, readClockAttestation, type ClockAttestation } from '../../common/sync/clock-flags.ts';
import { loadPolicyYaml } from '../../common/workflow/policy-yaml.ts';
import { reliedDifferences } from '../change-signature.ts';
import { sha256Hex } from '../hash.ts';
import { certificateFingerprint, certificateProblem, subjectOf, verifyWithCertificate } from '../pki.ts';
import { clockFlagsMember, deriveClockFlags, type PackClockFlag } from './pack-derive.ts';
import { eventRecord, fixedMembers, statementText, type FoundSignature, type PackEvent, type SignatureIndexEntry } from './pack-format.ts';
import { compareDerived, parseJson } from './pack-integrity.ts';
import type { Fail } from './pack-rules.ts';

/** One person's signature: its certificate, the names it prints, the signed document's hash, revocation and the chain to a trusted CA. */
export function checkSignature(
  f: FoundSignature,
  entry: SignatureIndexEntry | undefined,
  members: Map<string, Buffer>,
  caPems: string[],
  revoked: Map<string, string>,
  fail: Fail,
): void {
  const s = f.signature;
  const rec = `${f.source.record}: ${s.signer?.name ?? '?'} (${s.meaning ?? '?'})`;
  const member = f.source.member;
  const certPem = s.signer?.certificatePem ?? '';
  let fingerprint: string;
  try {
    fingerprint = certificateFingerprint(certPem);
  } catch {
    return fail(member, rec, "the signer's certificate cannot be read");
  }
  if (fingerprint !== s.signer.fingerprint) return fail(member, rec, 'the certificate is not the one the signature names (fingerprint)');
  const subject = subjectOf(certPem);
  if (
    subject.name !== s.signer.name ||
    subject.employeeId !== s.signer.employeeId ||
    subject.roles.join(',') !== (s.signer.roles ?? []).join(',')
  ) {
    fail(member, rec, `the printed name, employee id or roles differ from the certificate (${subject.name}, ${subject.employeeId})`);
  }
  if (!verifyWithCertificate(certPem, statementText(s), s.value))
    fail(member, rec, "the signature does not verify with the signer's certificate");
  const docPath = entry?.document ?? null;
  const doc = docPath ? members.get(docPath) : undefined;
  if (!doc) fail(docPath ?? member, rec, 'the signed document is missing');
  else if (sha256Hex(doc) !== s.documentSha256)
    fail(
      docPath!,
      rec,
      `the signed document's SHA-256 is not the one signed (${s.documentSha256.slice(0, 12)}…): the content changed after signing`,
    );
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
export function checkRelied(events: readonly PackEvent[], members: Map<string, Buffer>, fail: Fail): void {
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
    if (changed.length > 0)
      fail(e.member, eventRecord(e), `the signed decision relied on other content: ${changed.join(', ')} changed after signing`);
    const relied = p['relied'] as { policy?: { revision: number; sha256: string; checkpointsSha256: string | null } } | undefined;
    if (!relied?.policy) continue;
    if (policy && relied.policy.revision === revision && relied.policy.sha256 !== sha256Hex(policy)) {
      fail(
        fixedMembers.policy,
        eventRecord(e),
        `the decision was signed under policy revision ${revision} with SHA-256 ${relied.policy.sha256.slice(0, 12)}…, not this text`,
      );
    }
    if (
      checkpoints &&
      relied.policy.checkpointsSha256 !== null &&
      p['operation'] === 'checkpoint' &&
      relied.policy.checkpointsSha256 !== sha256Hex(checkpoints)
    ) {
      fail(
        fixedMembers.checkpoints,
        eventRecord(e),
        'the checkpoint decision was signed against other checkpoint definitions than this member',
      );
    }
  }
}

/**
 * The clock flags: each attestation member signed by a plant CA the auditor trusts, and clock/flags.json recomputed
 * from them and the pack's events. A pack written before clock flags existed has neither.
 */
export function checkClockFlags(
  members: Map<string, Buffer>,
  events: readonly PackEvent[],
  caPems: readonly string[],
  fail: Fail,
): PackClockFlag[] {
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
    else if (!caPems.some((ca) => verifyWithCertificate(ca, a.statement, a.signature)))
      fail(path, null, 'the clock flags are not signed by the plant CA you trust');
    attestations.push(a);
  }
  const [path, bytes] = clockFlagsMember(attestations, events);
  if (attestations.length > 0 || members.has(path)) compareDerived(members, path, bytes, 'the clock attestations in the pack', fail);
  return deriveClockFlags(attestations, events);
}
