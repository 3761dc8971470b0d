/**
 * The diff engine (ARCHITECTURE §4): compares two capture or snapshot documents of one controller, keyed by tag,
 * and reports value rows, identity changes and artefact changes separately.
 *
 * Live tags (process values that move on their own) are compared and shown for context, but flagged `live` and
 * counted apart: drift is about configuration. Pure and linear in the number of tags (two hash maps, one pass).
 */
import { BaselineError } from '../errors.ts';
import type { DiffableArtefact, DiffableController, DiffableDocument, DiffableValue } from './diffable-document.ts';
import { sameReading } from './value-equality.ts';

/**
 * How a tag differs between the two documents.
 *
 * `type-changed` wins over a value change (the bytes mean something else now); `quality-changed` is a tag that
 * read good on one side and bad on the other, whose value cannot be compared. Two bad readings are `unchanged`.
 */
export type DiffKind = 'changed' | 'added' | 'removed' | 'type-changed' | 'quality-changed' | 'unchanged';

/** Every diff kind, in the order the UI lists them. */
export const DIFF_KINDS: readonly DiffKind[] = ['changed', 'type-changed', 'quality-changed', 'added', 'removed', 'unchanged'];

/** One tag of the diff: both readings (null where the tag is absent) and the flags that matter to a reviewer. */
export interface DiffRow {
  tag: string;
  kind: DiffKind;
  before: DiffableValue | null;
  after: DiffableValue | null;
  /** From the after side's profile flags, or the before side's for a removed tag. */
  safety: boolean;
  writable: boolean;
  /** A live (process) value: shown for context, never counted as drift nor checked against a proposal. */
  live: boolean;
  /** The tag is read from a different address now (a profile change; the value comparison is by tag). */
  addressChanged: boolean;
}

/** Row counts by kind. */
export type DiffKindCounts = Record<DiffKind, number>;

/** One identity entry (firmware, serial, module…) that differs; null where one side lacks the entry. */
export interface IdentityChange {
  key: string;
  before: string | null;
  after: string | null;
}

/** One attached artefact that was added, removed, or whose content (sha256) changed. */
export interface ArtefactChange {
  name: string;
  kind: 'added' | 'removed' | 'changed';
  before: DiffableArtefact | null;
  after: DiffableArtefact | null;
}

/** The result of `diffDocuments`: plain data (JSON-serialisable), so it can cross IPC and go into evidence. */
export interface DocumentDiff {
  before: DiffableController;
  after: DiffableController;
  /** The documents were of different controllers and the caller forced the comparison. */
  forced: boolean;
  /** Rows in the before document's order, added tags placed after their neighbour in the after document. */
  rows: DiffRow[];
  /** False when `includeUnchanged: false` left unchanged rows out (they are still counted). */
  unchangedIncluded: boolean;
  /** Row counts per class: config rows are what drift is about; live rows are context. */
  counts: { config: DiffKindCounts; live: DiffKindCounts };
  /** False when either document has no identity (the device gave none): identity was not compared. */
  identityCompared: boolean;
  identityChanges: IdentityChange[];
  artefactChanges: ArtefactChange[];
  summary: {
    /** Config rows whose kind is not `unchanged`. */
    configDifferences: number;
    /** Live rows whose kind is not `unchanged` (not drift). */
    liveDifferences: number;
    /** Config differences, identity changes or artefact changes: what a drift check reports. */
    drift: boolean;
    /** Rows whose address moved (profile changes; not drift by themselves). */
    addressChanges: number;
    /** Nothing differs at all, live values and addresses included. */
    identical: boolean;
  };
}

/** Options of `diffDocuments`. */
export interface DiffOptions {
  /** Compare documents of two different controllers anyway (the result says it was forced). */
  force?: boolean;
  /** Keep unchanged rows in `rows` (default true: a side-by-side view shows them); they are counted either way. */
  includeUnchanged?: boolean;
}

/** An empty count per kind. */
export function emptyKindCounts(): DiffKindCounts {
  return { changed: 0, added: 0, removed: 0, 'type-changed': 0, 'quality-changed': 0, unchanged: 0 };
}

/** Whether two documents come from the same controller: by id when both have one, else by protocol and address. */
export function sameController(a: DiffableController, b: DiffableController): boolean {
  if (a.id !== undefined && b.id !== undefined) return a.id === b.id;
  return a.protocol === b.protocol && a.address === b.address;
}

/** A row is a difference to show when its kind is not `unchanged` or its address moved. */
export function isDifference(row: DiffRow): boolean {
  return row.kind !== 'unchanged' || row.addressChanged;
}

function duplicateTag(side: 'before' | 'after', tag: string): BaselineError {
  return new BaselineError(
    'diff-duplicate-tag',
    `The ${side} document lists tag "${tag}" more than once, so it cannot be compared by tag.`,
    'The document is malformed: tags are unique within a capture profile. Re-capture, or check where the file came from.',
    { side, tag },
  );
}

function kindOf(before: DiffableValue, after: DiffableValue): DiffKind {
  if (before.type !== after.type) return 'type-changed';
  if (before.quality !== after.quality) return 'quality-changed';
  if (before.quality === 'bad') return 'unchanged';
  return sameReading(before, after) ? 'unchanged' : 'changed';
}

function diffIdentity(before: DiffableDocument['identity'], after: DiffableDocument['identity']): IdentityChange[] {
  if (before === null || after === null) return [];
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  const changes: IdentityChange[] = [];
  for (const key of keys) {
    const b = Object.hasOwn(before, key) ? before[key]! : null;
    const a = Object.hasOwn(after, key) ? after[key]! : null;
    if (a !== b) changes.push({ key, before: b, after: a });
  }
  return changes;
}

function indexArtefacts(list: readonly DiffableArtefact[], side: 'before' | 'after'): Map<string, DiffableArtefact> {
  const map = new Map<string, DiffableArtefact>();
  for (const a of list) {
    if (map.has(a.name)) {
      throw new BaselineError(
        'diff-duplicate-artefact',
        `The ${side} document attaches two artefacts named "${a.name}".`,
        'Artefact names are unique within a snapshot; check where the file came from.',
        { side, name: a.name },
      );
    }
    map.set(a.name, a);
  }
  return map;
}

function diffArtefacts(before: readonly DiffableArtefact[], after: readonly DiffableArtefact[]): ArtefactChange[] {
  const b = indexArtefacts(before, 'before');
  const a = indexArtefacts(after, 'after');
  const changes: ArtefactChange[] = [];
  for (const [name, x] of b) {
    const y = a.get(name);
    if (!y) changes.push({ name, kind: 'removed', before: x, after: null });
    else if (x.sha256.toLowerCase() !== y.sha256.toLowerCase()) changes.push({ name, kind: 'changed', before: x, after: y });
  }
  for (const [name, y] of a) if (!b.has(name)) changes.push({ name, kind: 'added', before: null, after: y });
  return changes.sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
}

/**
 * Diffs two documents keyed by tag. Refuses documents of two different controllers unless `force` is given.
 *
 * Throws BaselineError `diff-different-controllers`, `diff-duplicate-tag` or `diff-duplicate-artefact`.
 */
export function diffDocuments(before: DiffableDocument, after: DiffableDocument, options: DiffOptions = {}): DocumentDiff {
  const same = sameController(before.controller, after.controller);
  if (!same && options.force !== true) {
    throw new BaselineError(
      'diff-different-controllers',
      `These documents are from two different controllers ("${before.controller.description}" and "${after.controller.description}"), so a diff would report every difference between two machines as a change. The comparison was refused.`,
      'Compare a controller with its own earlier snapshot or baseline. To compare two controllers on purpose, force the comparison (force: true; on the command line, --force).',
      { before: before.controller, after: after.controller },
    );
  }
  const includeUnchanged = options.includeUnchanged !== false;
  const bValues = before.values;
  const aValues = after.values;
  // One hash map (before: tag -> index) and an index array (before index -> after index) keep this linear with
  // few allocations: it runs on 100,000-tag documents (benchmark: test/bench/diff-bench.ts).
  const beforeIndex = new Map<string, number>();
  for (let i = 0; i < bValues.length; i++) {
    const tag = bValues[i]!.tag;
    if (beforeIndex.has(tag)) throw duplicateTag('before', tag);
    beforeIndex.set(tag, i);
  }
  const match = new Int32Array(bValues.length).fill(-1);
  // Added tags go after their nearest preceding common tag in the after document, so a side-by-side view shows
  // them where they appeared rather than at the end (index -1: before every common tag).
  const addedAfter = new Map<number, DiffableValue[]>();
  const addedTags = new Set<string>();
  let anchor = -1;
  for (let j = 0; j < aValues.length; j++) {
    const v = aValues[j]!;
    const i = beforeIndex.get(v.tag);
    if (i !== undefined) {
      if (match[i] !== -1) throw duplicateTag('after', v.tag);
      match[i] = j;
      anchor = i;
      continue;
    }
    if (addedTags.has(v.tag)) throw duplicateTag('after', v.tag);
    addedTags.add(v.tag);
    const list = addedAfter.get(anchor);
    if (list) list.push(v);
    else addedAfter.set(anchor, [v]);
  }

  const config = emptyKindCounts();
  const live = emptyKindCounts();
  const rows: DiffRow[] = [];
  let addressChanges = 0;
  const push = (tag: string, kind: DiffKind, b: DiffableValue | null, a: DiffableValue | null): void => {
    const flags = (a ?? b)!;
    const isLive = flags.class === 'live';
    (isLive ? live : config)[kind]++;
    const addressChanged = a !== null && b !== null && a.address !== b.address;
    if (addressChanged) addressChanges++;
    if (kind === 'unchanged' && !addressChanged && !includeUnchanged) return;
    rows.push({ tag, kind, before: b, after: a, safety: flags.safety, writable: flags.writable, live: isLive, addressChanged });
  };
  const pushAdded = (key: number): void => {
    const list = addedAfter.get(key);
    if (list) for (const v of list) push(v.tag, 'added', null, v);
  };

  const anyAdded = addedAfter.size > 0;
  if (anyAdded) pushAdded(-1);
  for (let i = 0; i < bValues.length; i++) {
    const b = bValues[i]!;
    const j = match[i]!;
    if (j === -1) {
      push(b.tag, 'removed', b, null);
    } else {
      const a = aValues[j]!;
      push(b.tag, kindOf(b, a), b, a);
      if (anyAdded) pushAdded(i);
    }
  }

  const identityCompared = before.identity !== null && after.identity !== null;
  const identityChanges = diffIdentity(before.identity, after.identity);
  const artefactChanges = diffArtefacts(before.artefacts ?? [], after.artefacts ?? []);
  const configDifferences = config.changed + config.added + config.removed + config['type-changed'] + config['quality-changed'];
  const liveDifferences = live.changed + live.added + live.removed + live['type-changed'] + live['quality-changed'];
  const drift = configDifferences > 0 || identityChanges.length > 0 || artefactChanges.length > 0;
  return {
    before: before.controller,
    after: after.controller,
    forced: !same,
    rows,
    unchangedIncluded: includeUnchanged,
    counts: { config, live },
    identityCompared,
    identityChanges,
    artefactChanges,
    summary: {
      configDifferences,
      liveDifferences,
      drift,
      addressChanges,
      identical: !drift && liveDifferences === 0 && addressChanges === 0,
    },
  };
}
