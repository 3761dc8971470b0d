/**
 * Verifies a snapshot file offline (issue #4): it parses, its schema is known, its document hashes to what the
 * signatures name, each signature verifies against its certificate, and each certificate chains to a trusted
 * plant CA, was valid when used and is not revoked. An unsigned snapshot is reported as unsigned: never valid
 * evidence.
 */
import { canonicalJson } from '../common/canonical-json.ts';
import { signatureStatement, type SnapshotFile } from '../common/snapshot/snapshot.ts';
import { ESignatureSchema, schemaProblems } from '../common/snapshot/snapshot-schema.ts';
import { sha256Hex } from './hash.ts';
import { certificateFingerprint, certificateProblem, subjectOf, verifyWithCertificate } from './pki.ts';

/** The verdict on one snapshot file. */
export interface SnapshotVerdict {
  /** True only for an intact snapshot with at least one valid signature and no invalid one. */
  valid: boolean;
  state: 'valid' | 'unsigned' | 'invalid' | 'unreadable';
  sha256: string | null;
  problems: string[];
  signers: { name: string; employeeId: string; meaning: string; at: string; valid: boolean }[];
  controller: string | null;
}

/** Trust anchors for verification. */
export interface TrustStore {
  caPems: string[];
  revokedFingerprints: ReadonlySet<string>;
}

/** Verifies the bytes of a snapshot file. */
export function verifySnapshotBytes(bytes: Uint8Array, trust: TrustStore): SnapshotVerdict {
  const fail = (state: 'invalid' | 'unreadable', problem: string): SnapshotVerdict => ({
    valid: false,
    state,
    sha256: null,
    problems: [problem],
    signers: [],
    controller: null,
  });
  let file: SnapshotFile;
  try {
    file = JSON.parse(Buffer.from(bytes).toString('utf8')) as SnapshotFile;
  } catch {
    return fail('unreadable', 'the file is not complete JSON (truncated or not a snapshot)');
  }
  if (typeof file !== 'object' || file === null) return fail('unreadable', 'the file does not hold a snapshot object');
  if (file.schema !== 'baseline.snapshot/1' || file.document?.schema !== 'baseline.snapshot/1') {
    const found = String(file.schema ?? file.document?.schema ?? 'none');
    return fail('invalid', `unknown schema "${found}": this Baseline reads baseline.snapshot/1; use the version that wrote it`);
  }
  let sha256: string;
  try {
    sha256 = sha256Hex(canonicalJson(file.document));
  } catch (err) {
    return fail('invalid', `the document cannot be canonicalised: ${err instanceof Error ? err.message : String(err)}`);
  }
  const controller = file.document.controller?.description ?? null;
  if (file.document.complete !== true) {
    return {
      valid: false,
      state: 'invalid',
      sha256,
      problems: ['the capture is incomplete (some tags have no good value): never valid evidence'],
      signers: [],
      controller,
    };
  }
  if (file.signatures !== undefined && !Array.isArray(file.signatures)) {
    return {
      valid: false,
      state: 'invalid',
      sha256,
      problems: [`signatures: must be a list of signatures, not ${file.signatures === null ? 'null' : typeof file.signatures}`],
      signers: [],
      controller,
    };
  }
  const signatures = file.signatures ?? [];
  if (signatures.length === 0) {
    return {
      valid: false,
      state: 'unsigned',
      sha256,
      problems: ['the snapshot is unsigned: it records a capture but is not valid evidence'],
      signers: [],
      controller,
    };
  }
  // Every entry must have a signature's shape before any of it is believed (a `null` entry, a missing signer…).
  const malformed = signatures.flatMap((sig, i) => {
    const checked = ESignatureSchema.safeParse(sig);
    return checked.success
      ? []
      : schemaProblems(checked.error, ['signatures', String(i)]).map((p) => `signature ${i + 1} is malformed: ${p}`);
  });
  if (malformed.length > 0) return { valid: false, state: 'invalid', sha256, problems: malformed, signers: [], controller };
  const problems: string[] = [];
  const signers = signatures.map((s, i) => {
    const who = `signature ${i + 1} (${s.signer?.name ?? '?'}, ${s.meaning ?? '?'})`;
    let ok = true;
    if (s.documentSha256 !== sha256) {
      problems.push(
        `${who}: the document was changed after it was signed (its hash is ${sha256.slice(0, 12)}…, the signature names ${String(s.documentSha256).slice(0, 12)}…)`,
      );
      ok = false;
    }
    const certPem = s.signer?.certificatePem ?? '';
    let fingerprint = '';
    try {
      fingerprint = certificateFingerprint(certPem);
    } catch {
      problems.push(`${who}: the signer certificate cannot be read`);
      ok = false;
    }
    if (ok && fingerprint !== s.signer.fingerprint) {
      problems.push(`${who}: the certificate does not match the signer's recorded fingerprint`);
      ok = false;
    }
    if (ok) {
      // The name, employee id and roles shown with a signature must be the certificate's own (11.50(a)(1)).
      const subject = subjectOf(certPem);
      if (
        subject.name !== s.signer.name ||
        subject.employeeId !== s.signer.employeeId ||
        subject.roles.join(',') !== (s.signer.roles ?? []).join(',')
      ) {
        problems.push(
          `${who}: the signer's name, employee id or roles differ from their certificate (${subject.name}, ${subject.employeeId})`,
        );
        ok = false;
      }
      if (s.algorithm !== 'RSASSA-PKCS1-v1_5-SHA256') {
        problems.push(`${who}: unknown signature algorithm "${String(s.algorithm)}"`);
        ok = false;
      }
    }
    if (ok) {
      const statement = canonicalJson(
        signatureStatement({ documentSha256: s.documentSha256, meaning: s.meaning, at: s.at, signerFingerprint: fingerprint }),
      );
      if (!verifyWithCertificate(certPem, statement, s.value)) {
        problems.push(`${who}: the signature does not verify`);
        ok = false;
      }
    }
    if (ok) {
      const at = new Date(s.at);
      const why = Number.isNaN(at.getTime())
        ? 'the signing time is not a date'
        : certificateProblem(certPem, trust.caPems, trust.revokedFingerprints, at);
      if (why) {
        problems.push(`${who}: ${why}`);
        ok = false;
      }
    }
    return { name: s.signer?.name ?? '?', employeeId: s.signer?.employeeId ?? '?', meaning: s.meaning, at: s.at, valid: ok };
  });
  const valid = problems.length === 0;
  return { valid, state: valid ? 'valid' : 'invalid', sha256, problems, signers, controller };
}
