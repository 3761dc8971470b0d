/**
 * The words report.pdf and the crosswalk use for roles and break-glass approvals, by the pack's format: format 3 keeps
 * the words it was written with (its reports are rendered again byte for byte), format 4 names them.
 */
import { describe, expect, it } from 'vitest';
import { PACK_FORMAT_RULES } from '../../../src-shared/node/evidence/pack-format.ts';
import { breakGlassWords, packWording, roleWords } from '../../../src-shared/node/evidence/pack-wording.ts';

const roles = { 'shift-supervisor': 'Shift supervisor', 'ot-security': 'OT security' };
const sky = { name: 'Sky Supervisor', role: 'shift-supervisor' };

describe('pack wording', () => {
  it('format 3 prints role ids and the method as recorded, as its packs were written', () => {
    const w = packWording(PACK_FORMAT_RULES['baseline.evidence-pack/3'].namedRoles, roles);
    expect(roleWords(w, 'ot-security')).toBe('ot-security');
    expect(breakGlassWords(w, sky, 'in-person')).toBe('approved by Sky Supervisor (shift-supervisor) by in-person');
  });

  it("format 4 names roles as the policy does (a built-in role by Baseline's name, an unknown one as written) and says how approval was given", () => {
    const w = packWording(PACK_FORMAT_RULES['baseline.evidence-pack/4'].namedRoles, roles);
    expect(roleWords(w, 'ot-security')).toBe('OT security');
    expect(roleWords(w, 'admin')).toBe('Baseline administrator');
    expect(roleWords(w, 'night-porter')).toBe('night-porter');
    expect(roleWords(w, 'constructor')).toBe('constructor');
    expect(breakGlassWords(w, sky, 'in-person')).toBe('approved by Sky Supervisor as Shift supervisor, given in person');
    expect(breakGlassWords(w, sky, 'radio')).toBe('approved by Sky Supervisor as Shift supervisor, given by radio');
  });

  it("format 4's words for built-in roles and every break-glass method are its own, pinned here (a screen's rewording changes none)", () => {
    const w = packWording(true, {});
    expect(['engineer', 'supervisor', 'approver', 'compliance', 'admin'].map((r) => roleWords(w, r))).toEqual([
      'Baseline engineer',
      'Baseline supervisor',
      'Baseline approver',
      'Baseline compliance officer',
      'Baseline administrator',
    ]);
    expect(['in-person', 'phone', 'radio', 'carrier-pigeon'].map((m) => breakGlassWords(w, { name: 'A', role: 'x' }, m))).toEqual([
      'approved by A as x, given in person',
      'approved by A as x, given by phone',
      'approved by A as x, given by radio',
      'approved by A as x, given by carrier-pigeon',
    ]);
  });

  it('is plain data, so a verdict carrying it can be cloned', () => {
    const w = packWording(true, roles);
    expect(structuredClone(w)).toEqual(w);
  });
});
