/**
 * Checks what happened against what was proposed (ARCHITECTURE §4, §6 "diff against the proposed diff"): every
 * config difference is `approved` (it is the proposed change) or `unexpected`, and every proposed change that did
 * not happen is `missing`. Live tags move on their own, so neither a change nor its absence says anything about the
 * work done: a live tag with a declared tolerance (live-tolerance.ts) that moved within it is no finding, outside it
 * is `unexpected` (explained and countersigned before CLOSE like any unexpected row); one without is left out.
 */
import type { JsonValue } from '../canonical-json.ts';
import { BaselineError } from '../errors.ts';
import type { DiffableValue } from './diffable-document.ts';
import { formatDiffValue, formatJsonValue } from './diff-value-format.ts';
import type { DiffKind, DiffRow, DocumentDiff } from './document-diff.ts';
import { matchesProposed } from './value-equality.ts';
import { judgeLive } from './live-tolerance.ts';

/** One change a change request proposes: the tag, optionally the value it should start from, and its new value. */
export interface ProposedChange {
  tag: string;
  /** The value before the change; when given, the before reading must equal it. */
  from?: JsonValue;
  /** The value after the change. */
  to: JsonValue;
  /** The new type, when the change alters the tag's type (a type change without it is unexpected). */
  type?: string;
}

/** How one row relates to the proposal. */
export type ProposalStatus = 'approved' | 'unexpected' | 'missing';

/** Every proposal status, in the order the UI lists them. */
export const PROPOSAL_STATUSES: readonly ProposalStatus[] = ['unexpected', 'missing', 'approved'];

/** The verdict on one tag, with the reason in the reviewer's words. */
export interface ProposalFinding {
  tag: string;
  status: ProposalStatus;
  reason: string;
  /** The diff row's kind, or null when the tag is in no row. */
  kind: DiffKind | null;
  proposed: ProposedChange | null;
  /** Of a live tag outside its declared tolerance: that tolerance in words ("±0.5"). */
  tolerance?: string;
}

/** The result of `compareWithProposed`. */
export interface ProposalComparison {
  /** Findings in diff-row order; proposals for tags in no row come last. */
  findings: ProposalFinding[];
  counts: Record<ProposalStatus, number>;
  /** Live tags that changed or were named in the proposal, with no declared tolerance: not classified. */
  liveIgnored: string[];
  /** Live tags that moved within their declared tolerance: no finding. */
  liveWithin: string[];
  /** Every config difference was proposed and every proposed change happened. */
  matches: boolean;
}

function indexProposals(proposed: readonly ProposedChange[]): Map<string, ProposedChange> {
  const map = new Map<string, ProposedChange>();
  for (const p of proposed) {
    if (typeof p.tag !== 'string' || p.tag === '' || !Object.hasOwn(p, 'to')) {
      throw new BaselineError(
        'proposal-invalid',
        'A proposed change needs a tag and the value it changes to ("to").',
        'Give every proposed change as { tag, to } or { tag, from, to }.',
        { change: p as unknown as Record<string, unknown> },
      );
    }
    if (map.has(p.tag)) {
      throw new BaselineError(
        'proposal-duplicate-tag',
        `The proposal lists tag "${p.tag}" more than once.`,
        'Propose one new value per tag: merge the entries.',
        { tag: p.tag },
      );
    }
    map.set(p.tag, p);
  }
  return map;
}

function describeProposal(p: ProposedChange, type: string): string {
  const to = formatJsonValue(type, p.to);
  return p.from === undefined ? to : `${formatJsonValue(type, p.from)} → ${to}`;
}

function show(v: DiffableValue): string {
  return v.quality === 'bad' ? 'no good reading' : formatDiffValue(v);
}

/** The unproposed difference of one row, in words. */
function unproposed(row: DiffRow): string {
  const b = row.before;
  const a = row.after;
  switch (row.kind) {
    case 'added':
      return `Tag added (value ${show(a!)}), but no change to it was proposed.`;
    case 'removed':
      return `Tag removed (was ${show(b!)}), but no change to it was proposed.`;
    case 'type-changed':
      return `Type changed from ${b!.type} to ${a!.type}, but no change to it was proposed.`;
    case 'quality-changed':
      return a!.quality === 'bad'
        ? `Read ${show(b!)} before; after the change it has no good reading (${a!.error ?? 'bad quality'}). No change to it was proposed.`
        : `Had no good reading before; reads ${show(a!)} after. No change to it was proposed.`;
    default: {
      // Readings that print alike but differ bit for bit (NaN payloads): name the bytes.
      const [x, y] =
        show(b!) === show(a!) && b!.raw !== null && a!.raw !== null
          ? [`${show(b!)} (raw ${b!.raw})`, `${show(a!)} (raw ${a!.raw})`]
          : [show(b!), show(a!)];
      return `Changed from ${x} to ${y}, but no change to it was proposed.`;
    }
  }
}

/** The verdict on one differing config row that has a proposal. */
function judge(row: DiffRow, p: ProposedChange): { status: ProposalStatus; reason: string } {
  const b = row.before;
  const a = row.after;
  if (a === null) return { status: 'unexpected', reason: `Proposed ${describeProposal(p, b!.type)}, but the tag was removed.` };
  const wanted = describeProposal(p, a.type);
  if (a.quality === 'bad') return { status: 'unexpected', reason: `Proposed ${wanted}, but after the change the tag has no good reading.` };
  if (row.kind === 'type-changed' && p.type !== a.type) {
    return {
      status: 'unexpected',
      reason: `Type changed from ${b!.type} to ${a.type}; the proposal ${p.type === undefined ? 'names no type change' : `names type ${p.type}`}.`,
    };
  }
  if (!matchesProposed(a.type, a.value, p.to)) {
    return { status: 'unexpected', reason: `Changed to ${show(a)}, but the proposal says ${formatJsonValue(a.type, p.to)}.` };
  }
  if (p.from !== undefined) {
    if (b === null) return { status: 'unexpected', reason: `Proposed ${wanted}, but the tag did not exist before.` };
    if (b.quality === 'bad')
      return { status: 'unexpected', reason: `Proposed ${wanted}, but the before reading was bad, so the starting value is unknown.` };
    if (!matchesProposed(b.type, b.value, p.from)) {
      return { status: 'unexpected', reason: `Proposed ${wanted}, but it was ${show(b)} before the change.` };
    }
  }
  if (b === null) return { status: 'approved', reason: `Added with ${show(a)}, as proposed.` };
  if (b.quality === 'bad')
    return { status: 'approved', reason: `Reads ${show(a)} after the change, as proposed (no good reading before).` };
  return { status: 'approved', reason: `Changed from ${show(b)} to ${show(a)}, as proposed.` };
}

/**
 * Classifies a diff against a proposed diff: approved / unexpected for config differences, missing for proposals
 * that did not happen. Throws BaselineError for a malformed proposal (no tag or no `to`, a tag listed twice).
 *
 * Give it a diff made with unchanged rows included (the default): without them, a proposal for an unchanged tag
 * cannot be told from one for a tag in neither document, nor an unchanged live tag from a config one.
 */
export function compareWithProposed(diff: DocumentDiff, proposed: readonly ProposedChange[]): ProposalComparison {
  const byTag = indexProposals(proposed);
  const seen = new Set<string>();
  const findings: ProposalFinding[] = [];
  const liveIgnored: string[] = [];
  const liveWithin: string[] = [];
  const counts: Record<ProposalStatus, number> = { approved: 0, unexpected: 0, missing: 0 };
  const add = (f: ProposalFinding): void => {
    findings.push(f);
    counts[f.status]++;
  };

  for (const row of diff.rows) {
    const p = byTag.get(row.tag);
    if (p) seen.add(row.tag);
    if (row.live) {
      const judged = p === undefined && row.kind !== 'unchanged' ? judgeLive(row.before, row.after) : null;
      if (judged?.status === 'outside')
        add({ tag: row.tag, kind: row.kind, proposed: null, status: 'unexpected', reason: judged.reason, tolerance: judged.tolerance });
      else if (judged?.status === 'within') liveWithin.push(row.tag);
      else if (p || row.kind !== 'unchanged') liveIgnored.push(row.tag);
      continue;
    }
    if (row.kind !== 'unchanged') {
      if (p) add({ tag: row.tag, kind: row.kind, proposed: p, ...judge(row, p) });
      else add({ tag: row.tag, kind: row.kind, proposed: null, status: 'unexpected', reason: unproposed(row) });
    } else if (p) {
      const v = row.after!;
      add({
        tag: row.tag,
        kind: row.kind,
        proposed: p,
        status: 'missing',
        reason: `Proposed ${describeProposal(p, v.type)}, but the value did not change (${v.quality === 'bad' ? 'still no good reading' : `still ${show(v)}`}).`,
      });
    }
  }
  for (const p of byTag.values()) {
    if (seen.has(p.tag)) continue;
    const reason = diff.unchangedIncluded
      ? `Proposed ${describeProposal(p, p.type ?? '')}, but the tag is in neither document.`
      : `Proposed ${describeProposal(p, p.type ?? '')}, but no change to this tag was found.`;
    add({ tag: p.tag, kind: null, proposed: p, status: 'missing', reason });
  }
  return { findings, counts, liveIgnored, liveWithin, matches: counts.unexpected === 0 && counts.missing === 0 };
}
