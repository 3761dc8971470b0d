/**
 * The diff viewer (issue #4 item 5): before and after side by side, with filters, search by tag, counts per
 * change kind and class, identity and artefact changes, and the proposed-diff verdicts when there are any.
 *
 * Only the rows in view are in the DOM (@tanstack/react-virtual), so it stays smooth at 100,000 rows. Rows have a
 * fixed height for that reason: long values are cut with an ellipsis and shown whole in the tooltip. Props in,
 * callbacks out; no store access.
 */
import { useDeferredValue, useEffect, useMemo, useRef, useState } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import {
  DIFF_KINDS,
  isDifference,
  type DiffKind,
  type DiffKindCounts,
  type DiffRow,
  type DocumentDiff,
} from '../../src-shared/common/diff/document-diff.ts';
import { diffValueTitle, formatDiffValue } from '../../src-shared/common/diff/diff-value-format.ts';
import type { ProposalComparison, ProposalFinding, ProposalStatus } from '../../src-shared/common/diff/proposed-diff.ts';
import { describeTolerance, judgeLive } from '../../src-shared/common/diff/live-tolerance.ts';

const ROW_HEIGHT = 30;
const HEADER_HEIGHT = 34;

/** Which rows the table shows. */
export interface DiffFilters {
  /** Only rows that differ (any kind but unchanged, or a moved address). */
  changedOnly: boolean;
  /** Only tags flagged safety-related in the profile. */
  safetyOnly: boolean;
  /** Only rows the proposed-diff check found unexpected (ignored without a proposal). */
  unexpectedOnly: boolean;
  /** Leave live (process) tags out. */
  hideLive: boolean;
  /** Case-insensitive substring of the tag. */
  search: string;
}

/** Filters that show every row. */
export const NO_DIFF_FILTERS: DiffFilters = { changedOnly: false, safetyOnly: false, unexpectedOnly: false, hideLive: false, search: '' };

/** Props of DiffTable. */
export interface DiffTableProps {
  diff: DocumentDiff;
  /** The proposed-diff verdicts, when the diff belongs to a change with a proposal. */
  proposal?: ProposalComparison | null;
  /** Accessible name of the table. */
  label?: string;
  /** Height of the scrolling area in pixels (default 560). */
  height?: number;
  initialFilters?: Partial<DiffFilters>;
  selectedTag?: string | null;
  /** Called when a row is clicked or chosen with Enter; rows are focusable only when this is given. */
  onSelectRow?: (row: DiffRow) => void;
  /** Narrower columns for a few rows inside a document (the proposed diff on the change detail). */
  compact?: boolean;
}

const KIND_LABEL: Record<DiffKind, string> = {
  changed: 'changed',
  added: 'added',
  removed: 'removed',
  'type-changed': 'type changed',
  'quality-changed': 'quality changed',
  unchanged: 'unchanged',
};

const STATUS_LABEL: Record<ProposalStatus, string> = { approved: 'approved', unexpected: 'unexpected', missing: 'missing' };

/**
 * The rows a set of filters lets through, in order. `lowerTags` (the rows' tags lower-cased, same order) saves
 * lower-casing 100,000 tags on every keystroke.
 */
export function filterDiffRows(
  rows: readonly DiffRow[],
  filters: DiffFilters,
  findings: ReadonlyMap<string, ProposalFinding> | null,
  lowerTags?: readonly string[],
): DiffRow[] {
  const needle = filters.search.trim().toLowerCase();
  const unexpected = filters.unexpectedOnly && findings !== null;
  const out: DiffRow[] = [];
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    if (filters.changedOnly && !isDifference(row)) continue;
    if (filters.safetyOnly && !row.safety) continue;
    if (filters.hideLive && row.live) continue;
    if (unexpected && findings.get(row.tag)?.status !== 'unexpected') continue;
    if (needle !== '' && !(lowerTags ? lowerTags[i]! : row.tag.toLowerCase()).includes(needle)) continue;
    out.push(row);
  }
  return out;
}

function countLine(counts: DiffKindCounts): string {
  return DIFF_KINDS.filter((k) => k === 'unchanged' || counts[k] > 0)
    .map((k) => `${counts[k].toLocaleString('en-US')} ${KIND_LABEL[k]}`)
    .join(' · ');
}

function both(before: string | undefined, after: string | undefined): string {
  if (before === undefined) return after ?? '';
  if (after === undefined || after === before) return before;
  return `${before} → ${after}`;
}

function Flags({ row }: { row: DiffRow }) {
  return (
    <>
      {row.safety && (
        <span className="badge badge-warn" title="Safety-related tag">
          safety
        </span>
      )}
      {row.writable && (
        <span className="badge diff-badge-plain" title="A restore may write this tag">
          writable
        </span>
      )}
      {row.live && <LiveFlag row={row} />}
    </>
  );
}

/** A live tag's flag: with a declared tolerance, the band and whether the value stayed within it; without, context only. */
function LiveFlag({ row }: { row: DiffRow }) {
  const declared = row.before?.tolerance ?? row.after?.tolerance;
  if (!declared)
    return (
      <span
        className="badge diff-badge-plain"
        title="A live process value with no declared tolerance: shown for context, not compared for drift nor against the proposal"
      >
        live · not compared
      </span>
    );
  const band = describeTolerance(declared);
  // The badge is short (the column is narrow); the tooltip has the band in full and the reason.
  const short = band.replace(' of the before value', '');
  if (row.kind === 'unchanged')
    return (
      <span className="badge diff-badge-plain" data-tolerance="unchanged" title={`Live value, declared tolerance ${band}`}>
        live {short}
      </span>
    );
  const j = judgeLive(row.before, row.after);
  const outside = j.status === 'outside';
  return (
    <span
      className={`badge ${outside ? 'badge-bad' : 'badge-ok'}`}
      data-tolerance={j.status}
      title={j.status === 'not-declared' ? band : j.reason}
    >
      live {short} · {outside ? 'outside' : 'within'}
    </span>
  );
}

function ValueCell({ value, className }: { value: DiffRow['before']; className: string }) {
  const text = formatDiffValue(value);
  const detail = diffValueTitle(value);
  // The cell may cut a long value; the tooltip has it whole, with the raw bytes.
  const title = value !== null && value.quality === 'good' ? [text, detail].filter(Boolean).join(' · ') : detail;
  return (
    <div role="cell" className={`num ${className}`.trim()} title={title}>
      {text}
    </div>
  );
}

function Row({
  row,
  finding,
  withReview,
  index,
  start,
  selected,
  onSelect,
}: {
  row: DiffRow;
  finding: ProposalFinding | undefined;
  withReview: boolean;
  index: number;
  start: number;
  selected: boolean;
  onSelect: ((row: DiffRow) => void) | undefined;
}) {
  const b = row.before;
  const a = row.after;
  const cls = [
    'diff-row',
    `diff-kind-${row.kind}`,
    row.live ? 'diff-live' : '',
    selected ? 'selected' : '',
    finding ? `diff-status-${finding.status}` : '',
  ]
    .filter(Boolean)
    .join(' ');
  const valueChanged = row.kind !== 'unchanged';
  return (
    <div
      role="row"
      aria-rowindex={index + 2}
      className={cls}
      data-testid="diff-row"
      data-tag={row.tag}
      data-kind={row.kind}
      aria-current={selected ? 'true' : undefined}
      tabIndex={onSelect ? 0 : undefined}
      style={{ transform: `translateY(${start}px)`, height: ROW_HEIGHT }}
      onClick={onSelect ? () => onSelect(row) : undefined}
      onKeyDown={
        onSelect
          ? (e) => {
              if (e.key === 'Enter') onSelect(row);
            }
          : undefined
      }
    >
      <div role="cell" className="diff-tag" title={row.tag}>
        {row.tag}
      </div>
      <div
        role="cell"
        title={row.addressChanged ? `Read from a different address: ${both(b?.address, a?.address)}` : (a?.address ?? b?.address)}
      >
        <code>{both(b?.address, a?.address)}</code>
      </div>
      <div role="cell">{both(b?.type, a?.type)}</div>
      <ValueCell value={b} className={valueChanged && b ? 'diff-old' : ''} />
      <ValueCell value={a} className={valueChanged && a ? 'diff-new' : ''} />
      <div role="cell">
        <span className={`badge diff-kind diff-kind-badge-${row.kind}`}>{KIND_LABEL[row.kind]}</span>
      </div>
      <div role="cell">
        <Flags row={row} />
      </div>
      {withReview && (
        <div
          role="cell"
          title={finding?.reason ?? (row.live ? 'Live tag: not checked against the proposal' : 'Not a change and not proposed')}
        >
          {finding && <span className={`badge diff-status diff-status-badge-${finding.status}`}>{STATUS_LABEL[finding.status]}</span>}
        </div>
      )}
    </div>
  );
}

/** A virtualised, side-by-side diff of two snapshots with filters, search and counts. */
export function DiffTable({
  diff,
  proposal = null,
  label = 'Snapshot diff',
  height = 560,
  initialFilters,
  selectedTag = null,
  onSelectRow,
  compact = false,
}: DiffTableProps) {
  const [filters, setFilters] = useState<DiffFilters>({ ...NO_DIFF_FILTERS, ...initialFilters });
  const search = useDeferredValue(filters.search);
  const lowerTags = useMemo(() => diff.rows.map((r) => r.tag.toLowerCase()), [diff.rows]);
  const findings = useMemo(() => (proposal ? new Map(proposal.findings.map((f) => [f.tag, f])) : null), [proposal]);
  const { changedOnly, safetyOnly, unexpectedOnly, hideLive } = filters;
  const visible = useMemo(
    () => filterDiffRows(diff.rows, { changedOnly, safetyOnly, unexpectedOnly, hideLive, search }, findings, lowerTags),
    [diff.rows, changedOnly, safetyOnly, unexpectedOnly, hideLive, search, findings, lowerTags],
  );
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer<HTMLDivElement, HTMLDivElement>({
    count: visible.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 10,
    scrollMargin: HEADER_HEIGHT,
    // Without layout (server rendering, first paint) render one screenful rather than nothing.
    initialRect: { width: 1000, height },
  });
  useEffect(() => {
    virtualizer.scrollToOffset(0);
  }, [visible, virtualizer]);

  const set = (patch: Partial<DiffFilters>) => setFilters((f) => ({ ...f, ...patch }));
  const withReview = findings !== null;
  const missingElsewhere = proposal ? proposal.findings.filter((f) => f.kind === null) : [];
  const items = virtualizer.getVirtualItems();

  return (
    <section className="diff-table" aria-label={label}>
      {diff.forced && (
        <div className="error-panel" role="note">
          <strong>These snapshots are from two different controllers.</strong>
          <p>
            The comparison was forced: {diff.before.description} against {diff.after.description}.
          </p>
        </div>
      )}
      <dl className="diff-counts" aria-label="Counts">
        <div>
          <dt>Configuration</dt>
          <dd data-testid="diff-counts-config">{countLine(diff.counts.config)}</dd>
        </div>
        <div className="diff-live">
          <dt>Live (not compared for drift)</dt>
          <dd data-testid="diff-counts-live">{countLine(diff.counts.live)}</dd>
        </div>
        {proposal && (
          <div>
            <dt>Against the proposal</dt>
            <dd data-testid="diff-counts-proposal">
              {proposal.counts.approved.toLocaleString('en-US')} approved · {proposal.counts.unexpected.toLocaleString('en-US')} unexpected
              · {proposal.counts.missing.toLocaleString('en-US')} missing
            </dd>
          </div>
        )}
      </dl>
      {(diff.identityChanges.length > 0 || !diff.identityCompared) && (
        <div className="diff-side-changes" aria-label="Identity changes">
          <strong>Identity</strong>
          {diff.identityCompared ? (
            <ul>
              {diff.identityChanges.map((c) => (
                <li key={c.key}>
                  {c.key}: {c.before ?? '(none)'} → {c.after ?? '(none)'}
                </li>
              ))}
            </ul>
          ) : (
            <span className="muted"> not compared: one document has no identity read from the device.</span>
          )}
        </div>
      )}
      {diff.artefactChanges.length > 0 && (
        <div className="diff-side-changes" aria-label="Artefact changes">
          <strong>Artefacts</strong>
          <ul>
            {diff.artefactChanges.map((c) => (
              <li key={c.name} title={`${c.before?.sha256 ?? ''} → ${c.after?.sha256 ?? ''}`}>
                {c.name}: {c.kind}
              </li>
            ))}
          </ul>
        </div>
      )}
      {missingElsewhere.length > 0 && (
        <div className="diff-side-changes" aria-label="Proposed changes not found">
          <strong>Proposed but not found</strong>
          <ul>
            {missingElsewhere.map((f) => (
              <li key={f.tag}>
                {f.tag}: {f.reason}
              </li>
            ))}
          </ul>
        </div>
      )}
      <div className="diff-filters" role="group" aria-label="Filters">
        <label className="inline">
          <input type="checkbox" checked={filters.changedOnly} onChange={(e) => set({ changedOnly: e.target.checked })} /> Changed only
        </label>
        <label className="inline">
          <input type="checkbox" checked={filters.safetyOnly} onChange={(e) => set({ safetyOnly: e.target.checked })} /> Safety only
        </label>
        {withReview && (
          <label className="inline">
            <input type="checkbox" checked={filters.unexpectedOnly} onChange={(e) => set({ unexpectedOnly: e.target.checked })} />{' '}
            Unexpected only
          </label>
        )}
        <label className="inline">
          <input type="checkbox" checked={filters.hideLive} onChange={(e) => set({ hideLive: e.target.checked })} /> Hide live tags
        </label>
        <label className="inline diff-search">
          Search tag{' '}
          <input type="search" value={filters.search} onChange={(e) => set({ search: e.target.value })} placeholder="part of a tag name" />
        </label>
        <span className="muted" role="status" data-testid="diff-shown">
          {visible.length.toLocaleString('en-US')} of {diff.rows.length.toLocaleString('en-US')} rows
        </span>
      </div>
      <div
        ref={scrollRef}
        className={`diff-scroll${withReview ? ' with-review' : ''}${compact ? ' compact' : ''}`}
        data-testid="diff-scroll"
        style={{ height }}
        role="table"
        aria-label={`${label}: before and after`}
        aria-rowcount={visible.length + 1}
        tabIndex={0}
      >
        <div role="rowgroup" className="diff-head" style={{ height: HEADER_HEIGHT }}>
          <div role="row" aria-rowindex={1} className="diff-row">
            <div role="columnheader">Tag</div>
            <div role="columnheader">Address</div>
            <div role="columnheader">Type</div>
            <div role="columnheader">Before</div>
            <div role="columnheader">After</div>
            <div role="columnheader">Change</div>
            <div role="columnheader">Flags</div>
            {withReview && <div role="columnheader">Proposal</div>}
          </div>
        </div>
        <div role="rowgroup" className="diff-body" style={{ height: virtualizer.getTotalSize() }}>
          {items.map((item) => {
            const row = visible[item.index]!;
            return (
              <Row
                key={row.tag}
                row={row}
                finding={findings?.get(row.tag)}
                withReview={withReview}
                index={item.index}
                start={item.start - HEADER_HEIGHT}
                selected={row.tag === selectedTag}
                onSelect={onSelectRow}
              />
            );
          })}
        </div>
        {visible.length === 0 && <p className="muted diff-empty">No rows match the filters.</p>}
      </div>
    </section>
  );
}
