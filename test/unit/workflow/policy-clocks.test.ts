import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { clockSkewLimitMs } from '../../../src-shared/common/workflow/policy-schema.ts';
import { loadPolicyYaml, parsePolicyYaml } from '../../../src-shared/common/workflow/policy-yaml.ts';

const defaultText = (): string => readFileSync(new URL('../../../resources/policy/default-policy.yaml', import.meta.url), 'utf8');

describe('policy clocks section (the laptop clock skew limit)', () => {
  it('is optional: left out, 5 minutes', () => {
    expect(clockSkewLimitMs(loadPolicyYaml(defaultText(), 'default-policy.yaml'))).toBe(5 * 60_000);
  });

  it('takes another limit', () => {
    expect(clockSkewLimitMs(loadPolicyYaml(`${defaultText()}\nclocks:\n  skewLimit: 2m\n`, 'tight.yaml'))).toBe(2 * 60_000);
    expect(clockSkewLimitMs(loadPolicyYaml(`${defaultText()}\nclocks:\n  skewLimit: 1h30m\n`, 'loose.yaml'))).toBe(90 * 60_000);
  });

  it('refuses zero, more than a day, a non-duration and unknown fields, naming the field', () => {
    const errors = (block: string) => {
      const r = parsePolicyYaml(`${defaultText()}\nclocks:\n${block}\n`, 'bad.yaml');
      return r.ok ? [] : r.errors.map((e) => `${e.path}: ${e.message}`);
    };
    expect(errors('  skewLimit: 0m')).toEqual([expect.stringMatching(/^clocks\.skewLimit: must be longer than zero/)]);
    expect(errors('  skewLimit: 2d')).toEqual([expect.stringMatching(/^clocks\.skewLimit: must be at most 24h/)]);
    expect(errors('  skewLimit: a little')).toEqual([expect.stringMatching(/^clocks\.skewLimit: "a little" is not a duration/)]);
    expect(errors('  skewLimit: 5m\n  drift: 1m')).toEqual([expect.stringMatching(/^clocks/)]);
  });
});
