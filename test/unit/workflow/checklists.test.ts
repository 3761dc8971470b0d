/**
 * Checklist templates (issue #15): the shipped file parses with the change guide's four checklists, a malformed one
 * is refused by line and field, and the relied-on checklist hash of a signature covers every tick, note and
 * attachment hash (while a state without ticks hashes as before ticks existed).
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import type { BaselineError } from '../../../src-shared/common/errors.ts';
import { canonicalJson, type JsonValue } from '../../../src-shared/common/canonical-json.ts';
import {
  parseChecklistTemplates,
  requiredUnticked,
  templateItems,
  type TickRecord,
} from '../../../src-shared/common/workflow/checklists.ts';
import type { ChangeState } from '../../../src-shared/common/workflow/change-state.ts';
import { reliedOn } from '../../../src-shared/node/change-signature.ts';
import { sha256Hex } from '../../../src-shared/node/hash.ts';
import { attachmentProblems } from '../../../src-shared/node/checklist-attachments.ts';
import { defaultChecklists, defaultCheckpoints } from './packaging-plant.ts';

const shipped = readFileSync(new URL('../../../resources/checklists/checklist-templates.yaml', import.meta.url), 'utf8');
const ids = defaultCheckpoints().checkpoints.map((c) => c.id);

function problemsOf(text: string): string[] {
  try {
    parseChecklistTemplates(text, 'lists.yaml', ids);
  } catch (e) {
    expect((e as BaselineError).code).toBe('checklists-invalid');
    expect((e as BaselineError).hint).toMatch(/the templates in force stay as they are/);
    return (e as BaselineError).details!.problems as string[];
  }
  throw new Error('accepted');
}

const PHOTO = Buffer.from('photo of the checksum screen');
const tick = (over: Partial<TickRecord> = {}): TickRecord => ({
  template: 'rollback-plan',
  item: 'Backup integrity verified (checksums)',
  ticked: true,
  by: { id: 'E100', name: 'Erin Engineer' },
  at: '2026-12-04T11:12:00.000Z',
  revision: 1,
  note: 'checked',
  attachments: [{ name: 'screen.png', sha256: sha256Hex(PHOTO), size: PHOTO.length, mediaType: 'image/png' }],
  ...over,
});
const stateWith = (ticks: TickRecord[] | undefined) => ({
  status: 'in-execution',
  fields: { class: 'normal' },
  execution: { checkpoints: [], ...(ticks ? { ticks } : {}) },
});
const ctx = { policy: { revision: 1, sha256: 'p', checkpointsSha256: null }, proposalBaseSha256: null };

describe('checklist templates', () => {
  it("the shipped revision 1 holds the change guide's rollback plan, functional, SIS and performance checklists", () => {
    const t = defaultChecklists();
    expect(t.revision).toBe(1);
    expect(t.templates.map((x) => [x.id, x.checkpoint, x.appliesTo, templateItems(x).length])).toEqual([
      ['rollback-plan', 'pre-execution', 'all', 19],
      ['post-change-functional', 'post-change', 'all', 11],
      ['safety-system', 'post-change', 'safety-critical', 9],
      ['performance', 'post-change', 'all', 8],
    ]);
    expect(t.templates.every((x) => !x.required)).toBe(true);
  });

  it('refuses a malformed file, naming the line and field of each problem', () => {
    expect(problemsOf(shipped.replace('revision: 1', 'revision: first'))).toEqual([
      expect.stringMatching(/^lists\.yaml line 14, revision: /),
    ]);
    expect(
      problemsOf(
        shipped.replace('          - Interlocks functional\n', '          - Interlocks functional\n          - Interlocks functional\n'),
      ),
    ).toEqual([
      expect.stringMatching(
        /^lists\.yaml line \d+, templates\.1\.sections\.2\.items\.3: "Interlocks functional" appears twice in template post-change-functional$/,
      ),
    ]);
    expect(problemsOf(shipped.replace('id: performance', 'id: rollback-plan'))).toEqual([
      expect.stringMatching(/templates\.3\.id: template rollback-plan appears twice$/),
    ]);
    expect(problemsOf(shipped.replace('checkpoint: pre-execution', 'checkpoint: before-work'))).toEqual([
      'lists.yaml template 1 (rollback-plan), checkpoint: "before-work" is not a go/no-go checkpoint (they are pre-execution, mid-change, pre-cutover, post-change)',
    ]);
    expect(problemsOf('schema: baseline.checklists/1\nname: x\nrevision: 2\ntemplates: []\n')).toEqual([
      expect.stringMatching(/^lists\.yaml line 4, templates: /),
    ]);
  });

  it('a required checklist lists its unticked items for its own checkpoint, and the SIS checks only for safety-critical changes', () => {
    const t = parseChecklistTemplates(shipped.replace(/required: false/g, 'required: true'), 'lists.yaml', ids);
    const normal = stateWith([tick()]) as unknown as ChangeState;
    expect(requiredUnticked(t, normal, 'pre-execution', [tick()])[0]!.items).toHaveLength(18);
    expect(requiredUnticked(t, normal, 'pre-execution', [tick(), tick({ ticked: false, attachments: [] })])[0]!.items).toHaveLength(19);
    expect(requiredUnticked(t, normal, 'post-change', []).map((u) => u.template)).toEqual([
      'Post-change functional tests',
      'Performance validation',
    ]);
    const safety = { ...normal, fields: { class: 'safety-critical' } } as unknown as ChangeState;
    expect(requiredUnticked(t, safety, 'post-change', []).map((u) => u.template)).toEqual([
      'Post-change functional tests',
      'Safety system (SIS) verification',
      'Performance validation',
    ]);
    expect(requiredUnticked(t, normal, 'mid-change', [])).toEqual([]);
  });
});

describe('the relied-on checklist hash covers ticks, notes and attachment hashes', () => {
  it('hashes the checkpoints alone when nothing was ticked (decisions signed before ticks existed still verify)', () => {
    expect(reliedOn(stateWith(undefined), ctx).checklistSha256).toBe(sha256Hex(canonicalJson([])));
    expect(reliedOn(stateWith([]), ctx).checklistSha256).toBe(sha256Hex(canonicalJson([])));
  });

  it("changes with an attachment's hash, a note, the ticker or the tick itself", () => {
    const base = reliedOn(stateWith([tick()]), ctx).checklistSha256;
    expect(base).toBe(sha256Hex(canonicalJson({ checkpoints: [], ticks: [tick()] as unknown as JsonValue })));
    const other = sha256Hex(Buffer.from('another photo'));
    expect(reliedOn(stateWith([tick({ attachments: [{ ...tick().attachments![0]!, sha256: other }] })]), ctx).checklistSha256).not.toBe(
      base,
    );
    expect(reliedOn(stateWith([tick({ note: 'not checked' })]), ctx).checklistSha256).not.toBe(base);
    expect(reliedOn(stateWith([tick({ by: { id: 'E101', name: 'Eli Engineer' } })]), ctx).checklistSha256).not.toBe(base);
    expect(reliedOn(stateWith([tick({ ticked: false })]), ctx).checklistSha256).not.toBe(base);
  });

  it("an attachment's bytes are checked against the recorded hash, naming the item", () => {
    expect(attachmentProblems([tick()], defaultChecklists(), () => PHOTO)).toEqual([]);
    expect(attachmentProblems([tick()], defaultChecklists(), () => Buffer.from('edited photo'))).toEqual([
      {
        sha256: sha256Hex(PHOTO),
        name: 'screen.png',
        item: 'Backup integrity verified (checksums)',
        template: 'rollback-plan',
        problem: 'altered',
        actual: sha256Hex(Buffer.from('edited photo')),
        message: `the attachment "screen.png" of "Backup integrity verified (checksums)" (Rollback plan verification), ticked by Erin Engineer was altered after it was attached: its bytes hash to ${sha256Hex(Buffer.from('edited photo')).slice(0, 12)}…, not to ${sha256Hex(PHOTO).slice(0, 12)}… that the checklist recorded and the signatures relied on`,
      },
    ]);
    expect(attachmentProblems([tick()], null, () => null)[0]).toMatchObject({ problem: 'missing', actual: null });
    expect(attachmentProblems([tick()], null, () => null)[0]!.message).toBe(
      'the attachment "screen.png" of "Backup integrity verified (checksums)" (rollback-plan), ticked by Erin Engineer is missing',
    );
  });
});
