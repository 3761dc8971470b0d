/**
 * The evidence pack format (`baseline.evidence-pack/4`, and the earlier `/1` to `/3` it still reads; docs/formats.md): member
 * names, the manifest, the rules that differ by format, and the
 * derivations the writer and the verifier share, so that the verifier recomputes every derived member from the
 * signed ones and names the member that differs.
 */
import * as z from 'zod';
import { canonicalJson, type JsonValue } from '../../common/canonical-json.ts';
import { eventHashInput, type EventBody } from '../../common/journal-event.ts';
import { changeEventSignatures } from '../change-signature.ts';
import { signatureStatement, type ESignature } from '../../common/snapshot/snapshot.ts';
import { sha256Hex } from '../hash.ts';

/** The format this writer writes. */
export const PACK_FORMAT = 'baseline.evidence-pack/4';

/**
 * Every format the verifier reads, oldest first; it refuses any other. A pack is checked by the rules of the format
 * its manifest declares, so a pack exported by an earlier version keeps the verdict it had then.
 */
export const PACK_FORMATS = ['baseline.evidence-pack/1', 'baseline.evidence-pack/2', 'baseline.evidence-pack/3', PACK_FORMAT] as const;

/** A format the verifier reads. */
export type PackFormat = (typeof PACK_FORMATS)[number];

/** What a verifier may require of a pack, by its declared format. */
export interface PackFormatRules {
  /** What the format is, in words (the verdict and the Audit screen show it). */
  words: string;
  /**
   * Every value a restore of the change reports as written, failed or mismatched has its own `restore.written` event
   * in the pack. Format 1 carried those events only where they fell between the change's own events on one device.
   */
  restoreWritesComplete: boolean;
  /**
   * `proposed-vs-actual.json` may lack `liveWithin` (empty): format 1 packs written before declared tolerances had no
   * such field, and their snapshots declare no tolerance, so nothing could be within one.
   */
  liveWithinOptional: boolean;
  /**
   * report.pdf and VERIFY.md are derived members: the verifier renders both again from the signed members and compares
   * bytes. Formats 1 and 2 left both outside every check (only SHA256SUMS, which no one signs, listed them). The report's
   * bytes are then part of the format: a change to what report-pdf.ts or verify-procedure.ts writes (or to pdfkit's
   * output) needs a new format, with the renderer of this one kept for its packs.
   */
  renderedChecked: boolean;
  /**
   * Every event's role in journal/index.json is recomputed from the signed events (pack-roles.ts) and must be the one the
   * index gives. Formats 1 and 2 took the index's role of an event that does not name the change as written (the
   * index's order, device then seq, is checked in every format: every writer sorted it).
   */
  rolesDerived: boolean;
  /**
   * report.pdf and the crosswalk name each role as the pack's policy (policy/policy.yaml) names it ("Shift supervisor"),
   * and a break-glass approval says how it was given in words ("given in person"), through pack-wording.ts. Formats 1
   * to 3 printed role ids and "by in-person": their reports and crosswalks are rendered again with those words.
   */
  namedRoles: boolean;
}

/** The rules of each format. */
export const PACK_FORMAT_RULES: Record<PackFormat, PackFormatRules> = {
  'baseline.evidence-pack/1': {
    words:
      'baseline.evidence-pack/1, exported before restore writes travelled value by value: checked by its own rules (the restore.written events it holds are checked; one missing is not a failure of this format; proposed-vs-actual.json with or without liveWithin; report.pdf and VERIFY.md are signed by no one in this format, so read the verdict, not the report)',
    restoreWritesComplete: false,
    liveWithinOptional: true,
    renderedChecked: false,
    rolesDerived: false,
    namedRoles: false,
  },
  'baseline.evidence-pack/2': {
    words:
      'baseline.evidence-pack/2, exported before the report was checked: every restore of the change value by value; report.pdf and VERIFY.md are signed by no one in this format, so read the verdict, not the report',
    restoreWritesComplete: true,
    liveWithinOptional: false,
    renderedChecked: false,
    rolesDerived: false,
    namedRoles: false,
  },
  'baseline.evidence-pack/3': {
    words:
      'baseline.evidence-pack/3, exported before the report named roles in words: every restore of the change value by value; report.pdf, VERIFY.md and the role of every event recomputed from the signed members (the report and the crosswalk print role ids)',
    restoreWritesComplete: true,
    liveWithinOptional: false,
    renderedChecked: true,
    rolesDerived: true,
    namedRoles: false,
  },
  'baseline.evidence-pack/4': {
    words:
      'baseline.evidence-pack/4 (this version writes it): every restore of the change value by value; report.pdf, VERIFY.md and the role of every event recomputed from the signed members; roles named as the policy names them',
    restoreWritesComplete: true,
    liveWithinOptional: false,
    renderedChecked: true,
    rolesDerived: true,
    namedRoles: true,
  },
};

/** Members outside the manifest: the manifest itself, the report that prints its hash, and the file of both hashes. */
export const MANIFEST = 'manifest.json';
export const REPORT = 'report.pdf';
export const SHA256SUMS = 'SHA256SUMS';

/** The manifest: every member but itself, report.pdf and SHA256SUMS, with its SHA-256 and size. */
export const ManifestSchema = z
  .object({
    format: z.enum(PACK_FORMATS),
    changeId: z.string().min(1),
    title: z.string(),
    exportedAt: z.string(),
    exportedBy: z.object({ device: z.string(), deviceName: z.string(), user: z.string(), appVersion: z.string() }),
    policy: z.object({ revision: z.number().int(), name: z.string(), source: z.enum(['adopted', 'shipped-default']) }),
    members: z.array(
      z.object({ path: z.string().min(1), sha256: z.string().regex(/^[0-9a-f]{64}$/), size: z.number().int().nonnegative() }),
    ),
  })
  .strict();

/** The manifest's content. */
export type Manifest = z.infer<typeof ManifestSchema>;

/** Why an event is in the pack. */
export type EventRole = 'change' | 'link' | 'genesis' | 'trust' | 'policy' | 'snapshot' | 'restore' | 'plant';

/** One row of journal/index.json. */
export interface EventIndexEntry {
  device: string;
  seq: number;
  id: string;
  type: string;
  hash: string;
  /** Base64 Ed25519 signature (also raw in the .sig member). */
  sig: string;
  role: EventRole;
  member: string;
}

const pad = (n: number) => String(n).padStart(8, '0');

/** Member names of one event: its canonical body (what was hashed and signed) and its raw signature. */
export function eventMembers(device: string, seq: number): { body: string; sig: string } {
  return { body: `journal/${device}/${pad(seq)}.json`, sig: `journal/${device}/${pad(seq)}.sig` };
}

/** The exact bytes a journal event's hash and device signature cover. */
export function eventBodyBytes(body: EventBody): Buffer {
  return Buffer.from(eventHashInput(body), 'utf8');
}

/** Member names of trust material. */
export const pkiMembers = {
  ca: (fingerprint: string) => `pki/ca/${fingerprint}.pem`,
  person: (fingerprint: string) => `pki/people/${fingerprint}.pem`,
  device: (device: string) => `pki/devices/${device}.pem`,
  revocations: 'pki/revocations.json',
};

/** Member names of snapshots, captures and artefacts (by hash). */
export const contentMembers = {
  snapshot: (sha256: string) => `snapshots/${sha256}.json`,
  snapshotDocument: (sha256: string) => `snapshots/${sha256}.document.json`,
  capture: (sha256: string) => `captures/${sha256}.json`,
  artefact: (sha256: string, name: string) => `artefacts/${sha256}/${name.replace(/[^A-Za-z0-9._-]/g, '_')}`,
  /** A file attached to a checklist tick (photo, test record), by the hash the checklist recorded. */
  attachment: (sha256: string, name: string) => `attachments/${sha256}/${name.replace(/[^A-Za-z0-9._-]/g, '_')}`,
  diffBeforeAfter: (controllerId: string) => `diffs/${controllerId}/before-after.json`,
  diffProposed: (controllerId: string) => `diffs/${controllerId}/proposed-vs-actual.json`,
};

/** Other fixed members. */
export const fixedMembers = {
  eventIndex: 'journal/index.json',
  signatureIndex: 'signatures/index.json',
  policy: 'policy/policy.yaml',
  crosswalkDefinition: 'compliance/crosswalk.yaml',
  checkpoints: 'policy/execution-checkpoints.yaml',
  /** The checklist templates revision the change's latest signature relied on (absent in changes signed before templates existed). */
  checklists: 'policy/checklist-templates.yaml',
  crosswalk: 'crosswalk.json',
  clockFlags: 'clock/flags.json',
  clockAttestation: (id: string) => `clock/attestations/${id.replace(/[^A-Za-z0-9._-]/g, '_')}.json`,
  verify: 'VERIFY.md',
  verifyScript: 'verify.sh',
};

/** A person's signature found in a signed record, with the document it covers. */
export interface FoundSignature {
  /** The member and the record the signature sits in. */
  source: { member: string; record: string };
  signature: ESignature;
  /** The member holding the exact bytes whose SHA-256 is `documentSha256` (null when it cannot be reconstructed). */
  documentMember: string | null;
  /** Bytes of a document member that is itself derived (decision documents): written by the writer, compared by the verifier. */
  derivedDocument: Buffer | null;
}

/** One row of signatures/index.json. */
export interface SignatureIndexEntry {
  n: number;
  meaning: string;
  signer: { name: string; employeeId: string; roles: string[]; fingerprint: string };
  at: string;
  documentSha256: string;
  source: { member: string; record: string };
  document: string | null;
  statement: string;
  signature: string;
  certificate: string;
}

/** Member names of signature n. */
export function signatureMembers(
  n: number,
  meaning: string,
): { dir: string; statement: string; signature: string; document: string; documentPath: string } {
  const dir = `signatures/${String(n).padStart(3, '0')}-${meaning.replace(/[^a-z0-9]+/g, '-')}`;
  return {
    dir,
    statement: `${dir}/statement.json`,
    signature: `${dir}/signature.bin`,
    document: `${dir}/document.json`,
    documentPath: `${dir}/document.path`,
  };
}

/** The canonical statement text a person signed. */
export function statementText(s: ESignature): string {
  return canonicalJson(
    signatureStatement({ documentSha256: s.documentSha256, meaning: s.meaning, at: s.at, signerFingerprint: s.signer.fingerprint }),
  );
}

/** A parsed journal event in the pack. */
export interface PackEvent {
  body: EventBody;
  hash: string;
  sig: string;
  role: EventRole;
  member: string;
}

function record(e: PackEvent): string {
  const p = e.body.payload as Record<string, JsonValue>;
  const op = e.body.type === 'change.updated' ? ` ${String(p['operation'])}` : '';
  return `seq ${e.body.seq} (${e.body.type}${op})`;
}

/** A human name for an event as a record ("seq 42 (change.updated approve)"). */
export function eventRecord(e: PackEvent): string {
  return record(e);
}

/**
 * Every person's signature in the pack's events, with the document each covers. Change decisions sign a canonical
 * document rebuilt from their event (change-signature.ts): for shape 2 with the hashes of what the decision relied on
 * recomputed from the event's state, so a checklist note altered after signing no longer matches the signature;
 * snapshots, baselines and policies sign members that are already in the pack.
 */
export function findSignatures(
  events: readonly PackEvent[],
  snapshotSignatures: readonly { member: string; snapshotSha256: string; signatures: ESignature[] }[],
): FoundSignature[] {
  const found: FoundSignature[] = [];
  const changeEvents = events.filter((e) => e.body.type === 'change.updated' && e.role === 'change');
  for (const e of changeEvents) {
    for (const s of changeEventSignatures(e.body.payload)) {
      found.push({
        source: { member: e.member, record: s.which === 'signature' ? record(e) : `${record(e)} co-signature` },
        signature: s.signature,
        documentMember: 'derived',
        derivedDocument: Buffer.from(s.document, 'utf8'),
      });
    }
  }
  for (const e of events) {
    const p = e.body.payload as Record<string, JsonValue>;
    if (e.body.type === 'restore.authorized') {
      const doc = Buffer.from(
        canonicalJson({
          schema: 'baseline.restore-writes/1',
          controllerId: p['controllerId']!,
          writes: (p['writes'] as { tag: string; value: JsonValue }[]).map((w) => ({ tag: w.tag, value: w.value })),
        }),
        'utf8',
      );
      found.push({
        source: { member: e.member, record: record(e) },
        signature: p['signature'] as unknown as ESignature,
        documentMember: 'derived',
        derivedDocument: doc,
      });
    } else if (e.body.type === 'baseline.approved' && e.role === 'change') {
      found.push({
        source: { member: e.member, record: record(e) },
        signature: p['approval'] as unknown as ESignature,
        documentMember: contentMembers.snapshotDocument(String(p['snapshotSha256'])),
        derivedDocument: null,
      });
    } else if (e.body.type === 'policy.adopted' && e.role === 'policy') {
      found.push({
        source: { member: e.member, record: record(e) },
        signature: p['signature'] as unknown as ESignature,
        documentMember: fixedMembers.policy,
        derivedDocument: null,
      });
    } else if (e.body.type === 'checklists.adopted' && e.role === 'policy') {
      found.push({
        source: { member: e.member, record: record(e) },
        signature: p['signature'] as unknown as ESignature,
        documentMember: fixedMembers.checklists,
        derivedDocument: null,
      });
    }
  }
  for (const s of snapshotSignatures) {
    s.signatures.forEach((sig, i) =>
      found.push({
        source: { member: s.member, record: `signature ${i + 1}` },
        signature: sig,
        documentMember: contentMembers.snapshotDocument(s.snapshotSha256),
        derivedDocument: null,
      }),
    );
  }
  return found;
}

/** The signatures index and the members of each signature (statement, raw signature, derived document). */
export function signatureIndex(found: readonly FoundSignature[]): { index: SignatureIndexEntry[]; members: [string, Buffer][] } {
  const members: [string, Buffer][] = [];
  const index = found.map((f, i): SignatureIndexEntry => {
    const n = i + 1;
    const m = signatureMembers(n, f.signature.meaning);
    members.push([m.statement, Buffer.from(statementText(f.signature), 'utf8')]);
    members.push([m.signature, Buffer.from(f.signature.value, 'base64')]);
    let document = f.documentMember;
    if (f.derivedDocument) {
      members.push([m.document, f.derivedDocument]);
      document = m.document;
    }
    if (document) members.push([m.documentPath, Buffer.from(document + '\n', 'utf8')]);
    const { name, employeeId, roles, fingerprint } = f.signature.signer;
    return {
      n,
      meaning: f.signature.meaning,
      signer: { name, employeeId, roles, fingerprint },
      at: f.signature.at,
      documentSha256: f.signature.documentSha256,
      source: f.source,
      document,
      statement: m.statement,
      signature: m.signature,
      certificate: pkiMembers.person(fingerprint),
    };
  });
  return { index, members };
}

/** The JSON text of a derived member (stable: two-space indentation, trailing newline). */
export function jsonMember(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value, null, 2) + '\n', 'utf8');
}

/** The SHA256SUMS text (sha256sum's own format) for members. */
export function sha256sums(members: ReadonlyArray<readonly [string, Uint8Array]>): Buffer {
  return Buffer.from(members.map(([path, bytes]) => `${sha256Hex(bytes)}  ${path}\n`).join(''), 'utf8');
}
