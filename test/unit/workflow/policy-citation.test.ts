import { describe, expect, it } from 'vitest';
import { policyCitation } from '../../../src-shared/common/workflow/policy-citation.ts';

describe("policy citations read in words, not as the policy file's paths", () => {
  it('names tiers, classes and their fields, risk scales, windows and blackouts in words', () => {
    expect(policyCitation('tiers.1')).toBe('policy: tier 1 lines');
    expect(policyCitation('classes.normal.approvals')).toBe('policy: normal changes, approvals');
    expect(policyCitation('classes.normal', 'tiers.2')).toBe('policy: normal changes; tier 2 lines');
    expect(policyCitation('classes.emergency.breakGlass.approverRoles')).toBe('policy: emergency changes, break-glass, who may approve');
    expect(policyCitation('classes.safety-critical.dualControl')).toBe('policy: safety-critical changes, dual control');
    expect(policyCitation('risk.impact')).toBe('policy: impact scale');
    expect(policyCitation('risk.bands')).toBe('policy: risk bands');
    expect(policyCitation('blackouts[0]')).toBe('policy: blackout 1');
    expect(policyCitation('windows')).toBe('policy: change windows');
  });

  it('no citation of the evaluated plant keeps a dotted path or an index', () => {
    for (const path of ['tiers.3', 'classes.normal.followTierAndRisk', 'classes.standard.someNewField', 'safetyTags', 'risk']) {
      expect(policyCitation(path)).not.toMatch(/[.[\]]|[a-z][A-Z]/);
    }
  });
});
