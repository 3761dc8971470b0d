// The diff table rendered to HTML on the server (vitest runs in Node, no DOM): what is in the markup, and that only
// a screenful of a 100,000-row diff is. Scrolling and typing are for the Chromium end-to-end test.
import { createElement } from 'react';
import { renderToString } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { DiffTable, filterDiffRows, NO_DIFF_FILTERS } from '../../../src-renderer/components/diff-table.tsx';
import { diffableFromCapture } from '../../../src-shared/common/diff/diffable-document.ts';
import { diffDocuments } from '../../../src-shared/common/diff/document-diff.ts';
import { compareWithProposed } from '../../../src-shared/common/diff/proposed-diff.ts';
import { docOf, loadCapture, loadProposed, val } from './diff-helpers.ts';

const diff = diffDocuments(diffableFromCapture(loadCapture('before')), diffableFromCapture(loadCapture('after')));
const proposal = compareWithProposed(diff, loadProposed());
const findings = new Map(proposal.findings.map((f) => [f.tag, f]));
const rowsIn = (html: string) => html.match(/data-testid="diff-row"/g)?.length ?? 0;
const tagsIn = (html: string) => [...html.matchAll(/data-tag="([^"]+)"/g)].map((m) => m[1]);

describe('filterDiffRows', () => {
  it('filters by change, safety, live, proposal verdict and tag substring', () => {
    const tags = (f: Partial<typeof NO_DIFF_FILTERS>) =>
      filterDiffRows(diff.rows, { ...NO_DIFF_FILTERS, ...f }, findings).map((r) => r.tag);
    expect(tags({})).toHaveLength(15);
    expect(tags({ changedOnly: true })).toEqual([
      'Line1_SpeedSP',
      'Line1_TempHi',
      'Zero_Offset',
      'Fault_Value',
      'Mode',
      'Valve_Status',
      'New_Limit',
      'Old_Limit',
      'Loop_Gain',
      'Motor_Current',
    ]);
    expect(tags({ safetyOnly: true })).toEqual(['Line1_TempHi']);
    expect(tags({ changedOnly: true, hideLive: true })).not.toContain('Motor_Current');
    expect(tags({ unexpectedOnly: true })).toEqual(['Line1_TempHi', 'Zero_Offset', 'Fault_Value', 'Mode', 'Valve_Status', 'Old_Limit']);
    expect(tags({ search: 'LINE1_' })).toEqual(['Line1_SpeedSP', 'Line1_TempHi']);
    expect(tags({ search: '  limit ' })).toEqual(['New_Limit', 'Old_Limit']);
  });

  it('ignores the unexpected filter when there is no proposal', () => {
    expect(filterDiffRows(diff.rows, { ...NO_DIFF_FILTERS, unexpectedOnly: true }, null)).toHaveLength(15);
  });
});

describe('DiffTable markup', () => {
  it('renders rows side by side with kinds, flags, counts and verdicts', () => {
    // React separates adjacent text pieces with empty comments in server markup.
    const html = renderToString(createElement(DiffTable, { diff, proposal })).replaceAll('<!-- -->', '');
    expect(rowsIn(html)).toBe(15);
    expect(html).toContain('data-testid="diff-scroll"');
    expect(html).toContain('role="table"');
    expect(html).toContain('aria-rowcount="16"');
    expect(html).toContain('Live (not compared for drift)');
    expect(html).toContain('5 changed · 1 type changed · 1 quality changed · 1 added · 1 removed · 4 unchanged');
    expect(html).toContain('3 approved · 6 unexpected · 1 missing');
    expect(html).toContain('firmware: V2.9.4 → V3.0.1');
    expect(html).toContain('Unexpected only');
    expect(html).toMatch(/data-tag="Zero_Offset"[^]*?title="0 · raw 00000000">0<[^]*?title="-0 · raw 80000000">-0</);
    expect(html).toMatch(/data-tag="Mode"[^]*?INT → DINT/);
    expect(html).toMatch(/data-tag="Motor_Current"[^]*?live · not compared/);
  });

  it('has labelled filters, and no unexpected filter without a proposal', () => {
    const html = renderToString(createElement(DiffTable, { diff }));
    for (const label of ['Changed only', 'Safety only', 'Hide live tags', 'Search tag']) expect(html).toContain(label);
    expect(html).not.toContain('Unexpected only');
  });

  it('starts with the filters it is given', () => {
    const html = renderToString(createElement(DiffTable, { diff, initialFilters: { changedOnly: true, hideLive: true } }));
    expect(rowsIn(html)).toBe(9);
  });

  it('renders only a screenful of a 100,000-row diff', () => {
    const values = Array.from({ length: 100_000 }, (_, i) => val(`T${i}`, { value: i, raw: null }));
    const big = diffDocuments(docOf(values), docOf(values.map((v, i) => (i % 100 === 0 ? { ...v, value: -1 } : v))));
    const html = renderToString(createElement(DiffTable, { diff: big, height: 600 }));
    expect(html).toContain('aria-rowcount="100001"');
    expect(rowsIn(html)).toBeGreaterThan(10);
    expect(rowsIn(html)).toBeLessThan(60);
    expect(tagsIn(html)[0]).toBe('T0');
  });
});
