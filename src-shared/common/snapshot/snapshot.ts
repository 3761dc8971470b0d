/**
 * Signed snapshots (`baseline.snapshot/1`, ARCHITECTURE §4): a capture document plus attached artefacts, whose
 * SHA-256 over its canonical JSON is its identity, and the e-signatures of the people who vouch for it.
 */
import type { CaptureDocument } from '../capture/capture-document.ts';

/** A file attached to a snapshot (vendor project, export): stored by hash. */
export interface Artefact {
  name: string;
  sha256: string;
  size: number;
  mediaType: string;
}

/** The signed content. */
export interface SnapshotDocument extends Omit<CaptureDocument, 'schema'> {
  schema: 'baseline.snapshot/1';
  artefacts: Artefact[];
}

/** What a signature means (21 CFR 11.50(a)(3)). */
export type SignatureMeaning = 'captured by' | 'approved' | 'rejected' | 'reviewed' | 'go' | 'no-go' | 'rollback' | 'responsible';

/** One person's e-signature over a document hash. */
export interface ESignature {
  meaning: SignatureMeaning;
  /** The signer as their certificate names them (11.50(a)(1)), and the certificate itself. */
  signer: { name: string; employeeId: string; roles: string[]; fingerprint: string; certificatePem: string };
  /** When it was signed (device clock), ISO 8601 UTC (11.50(a)(2)). */
  at: string;
  documentSha256: string;
  algorithm: 'RSASSA-PKCS1-v1_5-SHA256';
  /** base64 signature over `signedText(...)`. */
  value: string;
}

/** A snapshot file: the document and its signatures. */
export interface SnapshotFile {
  schema: 'baseline.snapshot/1';
  document: SnapshotDocument;
  signatures: ESignature[];
}

/** The exact statement a person signs: which document, with what meaning, when, as whom. */
export function signatureStatement(s: {
  documentSha256: string;
  meaning: string;
  at: string;
  signerFingerprint: string;
}): Record<string, string> {
  return {
    schema: 'baseline.signature/1',
    documentSha256: s.documentSha256,
    meaning: s.meaning,
    at: s.at,
    signerFingerprint: s.signerFingerprint,
  };
}

/** Builds the snapshot document from a capture. */
export function snapshotDocumentOf(capture: CaptureDocument, artefacts: Artefact[] = []): SnapshotDocument {
  const { schema: _schema, ...rest } = capture;
  return { ...rest, schema: 'baseline.snapshot/1', artefacts };
}
