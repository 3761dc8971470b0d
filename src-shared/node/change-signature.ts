/**
 * What a person's signature on a change decision covers (21 CFR 11.70, signature/record linking), and its check.
 *
 * Shape 1 (`baseline.change-decision/1`, events before this module): the change id, the operation, the request's
 * fields and the summary. Shape 2 (`baseline.change-decision/2`) adds `relied`: the SHA-256 of what the decision
 * relied on, recomputed from the state the decision produced, namely the checklist state (every checkpoint signed so
 * far: its items, whether each was confirmed, each item's note, who signed it and their comment), the explanations
 * of unexpected rows, the ticks of the checklist templates (each note and attachment hash, who and when), every snapshot recorded on the change, the proposed diff, every after-vs-proposed comparison,
 * the snapshot the proposal was shown against, and the policy revision and checkpoint file in force. Signed fields
 * never change in a signed operation (only an unsigned edit changes them), so both shapes are rebuilt from the event
 * alone: the journal verifier and the evidence-pack verifier call `checkChangeSignatures` on each `change.updated`.
 */
import { canonicalJson, type JsonValue } from '../common/canonical-json.ts';
import type { ESignature } from '../common/snapshot/snapshot.ts';
import { signatureStatement } from '../common/snapshot/snapshot.ts';
import { sha256Hex } from './hash.ts';
import { certificateFingerprint, verifyWithCertificate } from './pki.ts';

/** The signed-content shape this build writes. */
export const DECISION_SCHEMA = 'baseline.change-decision/2';
/** The co-signature shape this build writes. */
export const COSIGNATURE_SCHEMA = 'baseline.change-cosignature/2';

/** The hashes a decision relied on (the part of shape 2 that shape 1 lacked). */
export interface ReliedOn {
  /** SHA-256 of the checklist state: every checkpoint record (items, confirmed, notes, signer, role, comment, time). Null before execution. */
  checklistSha256: string | null;
  /** SHA-256 of the signed explanations of unexpected and missing after-diff rows (null when there are none). */
  explanationsSha256: string | null;
  /** Every snapshot recorded on the change, in order. */
  snapshots: { phase: string; controllerId: string; sha256: string }[];
  /** SHA-256 of the request's proposed change (null: none). */
  proposedSha256: string | null;
  /** SHA-256 of each after-snapshot's comparison with the before-snapshot and the proposed diff. */
  afterDiffs: { controllerId: string; sha256: string }[];
  /** The snapshot the proposed diff was shown against when signed (baseline or latest signed snapshot; null: none). */
  proposalBaseSha256: string | null;
  /** The policy revision, the checkpoint file and the checklist templates revision in force when signed (templates: absent before they existed). */
  policy: ReliedPolicy;
}

/** The policy, checkpoint file and checklist templates in force when a decision was signed. */
export interface ReliedPolicy {
  revision: number;
  sha256: string;
  checkpointsSha256: string | null;
  checklists?: { revision: number; sha256: string };
}

/** What the service knows at signing that the state does not hold. */
export interface ReliedContext {
  policy: ReliedPolicy;
  proposalBaseSha256: string | null;
}

type Obj = Record<string, JsonValue>;
const obj = (v: unknown): Obj | null => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : null);
const arr = (v: unknown): JsonValue[] => (Array.isArray(v) ? (v as JsonValue[]) : []);
const hashOf = (v: JsonValue): string => sha256Hex(canonicalJson(v));

/** The hashes a decision relies on, from the state it produced (a change state as journalled) and the signing context. */
export function reliedOn(state: unknown, ctx: ReliedContext): ReliedOn {
  const s = obj(state) ?? {};
  const execution = obj(s['execution']);
  const fields = obj(s['fields']) ?? {};
  const checkpoints = execution ? arr(execution['checkpoints']) : [];
  const ticks = execution ? arr(execution['ticks']) : [];
  const snapshots = execution
    ? arr(execution['snapshots'])
        .map(obj)
        .filter((x): x is Obj => x !== null)
    : [];
  const explanations = execution ? arr(execution['explanations']) : [];
  return {
    // Ticks of the checklist templates (notes, attachment hashes, who, when) join the checkpoints once there are any;
    // a state without ticks hashes as it always did, so decisions signed before ticks existed still verify.
    checklistSha256: execution ? (ticks.length > 0 ? hashOf({ checkpoints, ticks }) : hashOf(checkpoints)) : null,
    explanationsSha256: explanations.length > 0 ? hashOf(explanations) : null,
    snapshots: snapshots.map((x) => ({
      phase: String(x['phase']),
      controllerId: String(x['controllerId']),
      sha256: String(x['snapshotSha256']),
    })),
    proposedSha256: fields['proposedChange'] === undefined || fields['proposedChange'] === null ? null : hashOf(fields['proposedChange']),
    afterDiffs: snapshots
      .filter((x) => x['phase'] === 'after' && x['verification'] !== undefined && x['verification'] !== null)
      .map((x) => ({ controllerId: String(x['controllerId']), sha256: hashOf(x['verification']!) })),
    proposalBaseSha256: ctx.proposalBaseSha256,
    policy: {
      revision: ctx.policy.revision,
      sha256: ctx.policy.sha256,
      checkpointsSha256: ctx.policy.checkpointsSha256,
      ...(ctx.policy.checklists ? { checklists: { revision: ctx.policy.checklists.revision, sha256: ctx.policy.checklists.sha256 } } : {}),
    },
  };
}

/** The canonical text a decision's signer signs (its SHA-256 is the signature's documentSha256). */
export function decisionDocument(d: {
  changeId: string;
  operation: string;
  fields: JsonValue;
  summary: string;
  relied: ReliedOn | null;
}): string {
  if (d.relied === null)
    return canonicalJson({
      schema: 'baseline.change-decision/1',
      changeId: d.changeId,
      operation: d.operation,
      fields: d.fields,
      summary: d.summary,
    });
  return canonicalJson({
    schema: DECISION_SCHEMA,
    changeId: d.changeId,
    operation: d.operation,
    fields: d.fields,
    summary: d.summary,
    relied: d.relied as unknown as JsonValue,
  });
}

/** The canonical text a co-signer (witness, override approver) signs. */
export function cosignatureDocument(d: {
  changeId: string;
  operation: string;
  as: string;
  fields: JsonValue;
  summary: string;
  relied: ReliedOn | null;
}): string {
  if (d.relied === null)
    return canonicalJson({
      schema: 'baseline.change-cosignature/1',
      changeId: d.changeId,
      operation: d.operation,
      as: d.as,
      fields: d.fields,
      summary: d.summary,
    });
  return canonicalJson({
    schema: COSIGNATURE_SCHEMA,
    changeId: d.changeId,
    operation: d.operation,
    as: d.as,
    fields: d.fields,
    summary: d.summary,
    relied: d.relied as unknown as JsonValue,
  });
}

const fingerprints = new Map<string, string>();
/** A certificate's fingerprint, remembered (a journal repeats the same few certificates thousands of times). */
function fingerprintOf(pem: string): string {
  let f = fingerprints.get(pem);
  if (f === undefined) {
    f = certificateFingerprint(pem);
    if (fingerprints.size > 1000) fingerprints.clear();
    fingerprints.set(pem, f);
  }
  return f;
}

/** The roles a shape-1 co-signature was made as (shape 2 records `cosignedAs`). */
const LEGACY_COSIGNER_ROLES = ['witness', 'override:outside-window', 'override:blackout'];

/** One person's signature in a change event with the document it must cover. */
export interface ChangeEventSignature {
  /** "signature", or "co-signature 1"… */
  which: string;
  signature: ESignature;
  /** The document recomputed from the event (for shape 2, with `relied` recomputed from its state). */
  document: string;
}

/** The signatures of one `change.updated` payload, each with the document recomputed from the event. */
export function changeEventSignatures(payload: unknown): ChangeEventSignature[] {
  const p = obj(payload);
  if (!p) return [];
  const state = obj(p['state']) ?? {};
  const stored = obj(p['relied']);
  // The relied hashes are recomputed from the state; what the state cannot hold (the policy in force, the proposal's base) is taken as recorded.
  const relied =
    stored === null
      ? null
      : reliedOn(state, {
          policy: (obj(stored['policy']) ?? { revision: -1, sha256: '', checkpointsSha256: null }) as unknown as ReliedContext['policy'],
          proposalBaseSha256: typeof stored['proposalBaseSha256'] === 'string' ? stored['proposalBaseSha256'] : null,
        });
  const base = {
    changeId: String(p['changeId']),
    operation: String(p['operation']),
    fields: state['fields'] ?? null,
    summary: String(p['summary']),
    relied,
  };
  const out: ChangeEventSignature[] = [];
  const sig = obj(p['signature']);
  if (sig) out.push({ which: 'signature', signature: sig as unknown as ESignature, document: decisionDocument(base) });
  const as = arr(p['cosignedAs']);
  arr(p['cosignatures']).forEach((c, i) => {
    const cs = c as unknown as ESignature;
    const roles = relied === null ? LEGACY_COSIGNER_ROLES : [String(as[i] ?? '')];
    const candidates = roles.map((r) => cosignatureDocument({ ...base, as: r }));
    out.push({
      which: `co-signature ${i + 1}`,
      signature: cs,
      document: candidates.find((d) => sha256Hex(d) === cs.documentSha256) ?? candidates[0]!,
    });
  });
  return out;
}

/** Which parts of the recorded `relied` differ from what the event's state gives (names, for the message). */
export function reliedDifferences(payload: unknown): string[] {
  const p = obj(payload);
  const stored = p ? obj(p['relied']) : null;
  if (!p || !stored) return [];
  const again = reliedOn(p['state'], {
    policy: (obj(stored['policy']) ?? {}) as unknown as ReliedContext['policy'],
    proposalBaseSha256: typeof stored['proposalBaseSha256'] === 'string' ? stored['proposalBaseSha256'] : null,
  }) as unknown as Obj;
  const names: Record<string, string> = {
    checklistSha256: 'the checklist (items, ticks, notes, signers)',
    explanationsSha256: 'the explanations of unexpected rows',
    snapshots: 'the snapshots',
    proposedSha256: 'the proposed diff',
    afterDiffs: 'the after-vs-proposed diffs',
  };
  return Object.entries(names)
    .filter(([k]) => canonicalJson(again[k] ?? null) !== canonicalJson(stored[k] ?? null))
    .map(([, v]) => v);
}

/**
 * Problems with the people's signatures of one `change.updated` payload: each signature must name its certificate,
 * cover the document recomputed from the event (for shape 2, including the hashes of what it relied on), and verify
 * with the certificate. Certificate trust (chain to the plant CA, revocation) is checked by the callers that know the CA.
 */
export function checkChangeSignatures(payload: unknown): string[] {
  const problems: string[] = [];
  const changed = reliedDifferences(payload);
  for (const s of changeEventSignatures(payload)) {
    const who = `${s.signature.signer?.name ?? '?'}'s ${s.which} (${s.signature.meaning ?? '?'})`;
    const pem = s.signature.signer?.certificatePem ?? '';
    let fingerprint: string;
    try {
      fingerprint = fingerprintOf(pem);
    } catch {
      problems.push(`${who}: the signer's certificate cannot be read`);
      continue;
    }
    if (fingerprint !== s.signature.signer.fingerprint) problems.push(`${who}: the certificate is not the one the signature names`);
    if (sha256Hex(s.document) !== s.signature.documentSha256) {
      problems.push(
        `${who} does not cover the change as recorded: ${changed.length > 0 ? `${changed.join(', ')} changed after signing` : "the decision's content changed after signing"}`,
      );
    }
    const statement = canonicalJson(
      signatureStatement({
        documentSha256: s.signature.documentSha256,
        meaning: s.signature.meaning,
        at: s.signature.at,
        signerFingerprint: s.signature.signer.fingerprint,
      }),
    );
    if (!verifyWithCertificate(pem, statement, s.signature.value)) problems.push(`${who} does not verify with the signer's certificate`);
  }
  return problems;
}
