/**
 * report.pdf's long tables: a before/after diff of 300 changed tags runs over several pages, each with the table's
 * header again, the page number and the manifest hash. Read back with Debian's pdftotext (poppler-utils).
 */
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { diffDocuments } from '../../../src-shared/common/diff/document-diff.ts';
import { compareWithProposed } from '../../../src-shared/common/diff/proposed-diff.ts';
import type { DiffableDocument, DiffableValue } from '../../../src-shared/common/diff/diffable-document.ts';
import type { ChangeState } from '../../../src-shared/common/workflow/change-state.ts';
import { renderReport, plantTime } from '../../../src-shared/node/evidence/report-pdf.ts';
import type { PackContext } from '../../../src-shared/node/evidence/pack-context.ts';
import { packWording } from '../../../src-shared/node/evidence/pack-wording.ts';

const value = (i: number, v: number): DiffableValue => ({
  tag: `Oven_Zone${String(i).padStart(3, '0')}_TempSP`,
  address: `hr:${i}`,
  type: 'UINT16',
  value: v,
  raw: v.toString(16).padStart(4, '0'),
  quality: 'good',
  class: 'config',
  safety: i % 25 === 0,
  writable: true,
});
const doc = (offset: number): DiffableDocument => ({
  controller: { id: 'c1', protocol: 'modbus-tcp', address: '127.0.0.1:502 unit 1', description: 'Modbus TCP 127.0.0.1:502 unit 1' },
  identity: null,
  values: Array.from({ length: 300 }, (_, i) => value(i, 100 + i + offset)),
});

describe('report.pdf', () => {
  it('paginates a 300-row diff with the header repeated on every page, and prints page numbers and the manifest hash', async () => {
    const diff = diffDocuments(doc(0), doc(5), { includeUnchanged: false });
    const state = {
      id: 'change-1',
      status: 'draft',
      review: null,
      requester: { id: 'E100', name: 'Erin Engineer' },
      createdAt: '2026-07-01T12:00:00.000Z',
      fields: {
        title: 'Oven zone setpoints +5',
        description: 'Raise every zone by 5 degC',
        justification: 'New product',
        class: 'normal',
        targetControllers: ['c1'],
        proposedChange: null,
        rollbackPlan: '',
        testPlan: '',
        impactAssessment: null,
      },
    } as unknown as ChangeState;
    const ctx: PackContext = {
      changeId: 'change-1',
      state,
      events: [],
      signatures: [],
      diffs: [{ controllerId: 'c1', beforeAfter: diff, proposedVsActual: { proposal: 'none', ...compareWithProposed(diff, []) } }],
      snapshots: new Map(),
      policy: { revision: 1, name: 'Test policy', source: 'shipped-default' },
      timeZone: 'America/Chicago',
      exportedAt: '2026-07-02T12:00:00.000Z',
      exportedBy: { device: 'd1', deviceName: 'laptop', user: 'erin', appVersion: '0.1.0' },
      checklistsYaml: null,
      wording: packWording(true, {}),
      memberNames: [],
      clockFlags: [
        {
          device: 'd1',
          deviceName: 'laptop',
          seq: 7,
          eventId: 'e-7',
          kind: 'clock-skew',
          receivedAt: '2026-07-02T11:00:00.000Z',
          offsetMs: 420_000,
          skewLimitMs: 300_000,
          words:
            "The clock of laptop laptop was 7 min ahead of the server's when it pushed event 7 (limit 5 min); event times may be wrong by that much.",
          attestation: { id: 'a-1', member: 'journal/d1/00000009.json' },
        },
      ],
    };
    const hash = 'ab'.repeat(32);
    const pdf = await renderReport(ctx, hash, []);
    const dir = mkdtempSync(join(tmpdir(), 'baseline-report-'));
    try {
      writeFileSync(join(dir, 'r.pdf'), pdf);
      const pages = execFileSync('pdftotext', ['-layout', join(dir, 'r.pdf'), '-'], { encoding: 'utf8' })
        .split('\f')
        .filter((p) => p.trim() !== '');
      const withRows = pages.filter((p) => /Oven_Zone\d{3}_TempSP/.test(p));
      expect(withRows.length).toBeGreaterThanOrEqual(3);
      for (const p of withRows) expect(p).toMatch(/Tag\s+(Kind\s+Before\s+After\s+Safety\s+Live|Status\s+Reason)/);
      expect(withRows.filter((p) => /Tag\s+Kind\s+Before\s+After\s+Safety\s+Live/.test(p)).length).toBeGreaterThanOrEqual(3);
      expect(withRows.slice(1).every((p) => p.includes('(table continued)'))).toBe(true);
      const all = pages.join('\n');
      expect(all).toContain('Oven_Zone000_TempSP');
      expect(all).toContain('Oven_Zone299_TempSP');
      expect(all).toContain('Clock flags (central server, signed by the plant CA)');
      expect(all).toMatch(/journal\/d1\/00000007\.json\s+The clock of laptop laptop was 7 min ahead of the server's/);
      pages.forEach((p, i) => {
        expect(p).toContain(`manifest.json SHA-256 ${hash}`);
        expect(p).toContain(`Page ${i + 1} of ${pages.length}`);
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the approvals table keeps "Met" to a word that fits its column, and says what is missing in full', async () => {
    const state = {
      id: 'change-2',
      status: 'submitted',
      requester: { id: 'E100', name: 'Erin Engineer' },
      createdAt: '2026-07-01T12:00:00.000Z',
      review: {
        submittedAt: '2026-07-01T13:00:00.000Z',
        approvals: [{ by: { id: 'S300', name: 'Sam Security' }, role: 'ot-security', at: '2026-07-01T14:00:00.000Z', conditions: [] }],
        evaluation: {
          policyRevision: 1,
          lines: [],
          risk: null,
          dualControl: { required: false, reasons: [] },
          approvals: [
            {
              group: 'cab',
              name: 'Change Advisory Board',
              roles: ['plant-engineering-manager', 'ot-security', 'quality-compliance'],
              quorum: 2,
              accountable: ['plant-engineering-manager'],
              reasons: [],
            },
          ],
        },
      },
      fields: {
        title: 'Oven zone setpoints +5',
        description: '',
        justification: '',
        class: 'normal',
        targetControllers: ['c1'],
        proposedChange: null,
        rollbackPlan: '',
        testPlan: '',
        impactAssessment: null,
      },
    } as unknown as ChangeState;
    const ctx: PackContext = {
      changeId: 'change-2',
      state,
      events: [],
      signatures: [],
      diffs: [],
      snapshots: new Map(),
      policy: { revision: 1, name: 'Test policy', source: 'shipped-default' },
      timeZone: 'America/Chicago',
      exportedAt: '2026-07-02T12:00:00.000Z',
      exportedBy: { device: 'd1', deviceName: 'laptop', user: 'erin', appVersion: '0.1.0' },
      checklistsYaml: null,
      wording: packWording(true, {}),
      memberNames: [],
      clockFlags: [],
    };
    const dir = mkdtempSync(join(tmpdir(), 'baseline-report-'));
    try {
      writeFileSync(join(dir, 'r.pdf'), await renderReport(ctx, 'cd'.repeat(32), []));
      const text = execFileSync('pdftotext', ['-layout', '-f', '2', '-l', '3', join(dir, 'r.pdf'), '-'], { encoding: 'utf8' });
      const table = text.slice(text.indexOf('Approval group'), text.indexOf('Dual control'));
      expect(table).toMatch(/Met\s*\n/);
      expect(table).toMatch(/\sNO\s/);
      // Lines may break after a hyphen, never inside a word.
      expect(table.replace(/\s+/g, ' ').replace(/- /g, '-')).toContain(
        'Missing: 1 more approval, including plant-engineering-manager (accountable)',
      );
      // The Met column holds exactly one word per row: "yes" or "NO".
      const metCells = table
        .split('\n')
        .slice(1)
        .map((l) => l.slice(table.split('\n')[0]!.indexOf('Met')).trim())
        .filter((c) => c !== '');
      expect(metCells).toEqual(['NO']);
      // The page as a picture, for a person to look at (test-results/report-approvals/).
      const out = fileURLToPath(new URL('../../../test-results/report-approvals/', import.meta.url));
      mkdirSync(out, { recursive: true });
      execFileSync('pdftoppm', ['-png', '-r', '60', '-f', '2', '-l', '2', join(dir, 'r.pdf'), join(out, 'page')]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("shows times in the plant's zone with the offset, across daylight saving time", () => {
    expect(plantTime('2026-11-27T05:10:00.000Z', 'America/Chicago')).toBe('2026-11-26 23:10:00 CST (UTC-06:00)');
    expect(plantTime('2026-07-01T12:00:00.000Z', 'America/Chicago')).toBe('2026-07-01 07:00:00 CDT (UTC-05:00)');
    expect(plantTime('2026-07-01T12:00:00.000Z', 'Europe/Berlin')).toBe('2026-07-01 14:00:00 GMT+2 (UTC+02:00)');
  });
});
