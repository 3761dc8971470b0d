/**
 * A change request's proposed tag values as a diff, so an approver reads the proposal in the same viewer as every
 * other diff: each proposed tag with the value it has now (from the controller's baseline or latest signed
 * snapshot, when there is one, else the request's own "from"), the value proposed, and the profile's flags
 * (safety, writable, live).
 */
import type { JsonValue } from '../canonical-json.ts';
import type { DiffableController, DiffableDocument, DiffableValue } from './diffable-document.ts';
import { diffDocuments, type DocumentDiff } from './document-diff.ts';
import type { ProposedChange } from './proposed-diff.ts';

/** What the profile says about a tag (absent: the tag is not in the controller's profile). */
export interface ProposalTagFacts {
  tag: string;
  address: string;
  type: string;
  class: 'config' | 'live';
  safety: boolean;
  writable: boolean;
}

/** The proposed diff, and where its "now" values came from. */
export interface ProposalView {
  diff: DocumentDiff;
  /** "baseline v3" / "signed snapshot by Erin Engineer" / "the request's from values": what the before column shows. */
  currentFrom: string;
  /** Proposed tags the controller's profile does not have (they cannot be captured, so the change cannot be verified for them). */
  notInProfile: string[];
}

/**
 * Builds the proposed diff of one controller. `current` is a document of the controller as it is now (or null),
 * `profile` the profile's tags (empty when the controller has none).
 */
export function proposalView(
  controller: DiffableController,
  changes: readonly ProposedChange[],
  profile: readonly ProposalTagFacts[],
  current: { document: DiffableDocument; label: string } | null,
): ProposalView {
  const facts = new Map(profile.map((t) => [t.tag, t]));
  const now = new Map((current?.document.values ?? []).map((v) => [v.tag, v]));
  const before: DiffableValue[] = [];
  const after: DiffableValue[] = [];
  const notInProfile: string[] = [];
  for (const c of changes) {
    const f = facts.get(c.tag);
    if (!f) notInProfile.push(c.tag);
    const read = now.get(c.tag);
    const type = read?.type ?? f?.type ?? c.type ?? typeOf(c.to);
    const base = {
      tag: c.tag,
      address: read?.address ?? f?.address ?? '',
      class: f?.class ?? 'config',
      safety: f?.safety ?? false,
      writable: f?.writable ?? false,
    } as const;
    const was: JsonValue | undefined = read && read.quality === 'good' ? read.value : c.from;
    if (was !== undefined) before.push({ ...base, type, value: was, raw: null, quality: 'good' });
    after.push({ ...base, type: c.type ?? type, value: c.to, raw: null, quality: 'good' });
  }
  // Identity is not part of a proposal: both sides carry the same (empty) identity, so none is reported.
  const diff = diffDocuments(
    { controller, identity: {}, values: before },
    { controller, identity: {}, values: after },
    { includeUnchanged: true },
  );
  return { diff, currentFrom: current ? current.label : 'the values the request gives as "from"', notInProfile };
}

function typeOf(v: JsonValue): string {
  return typeof v === 'boolean' ? 'BOOL' : typeof v === 'number' ? 'REAL' : 'STRING';
}
