import { describe, expect, it } from 'vitest';
import { BUILT_IN_ROLE_NAMES, roleName } from '../../../src-shared/common/workflow/role-names.ts';
import { BUILT_IN_ROLES } from '../../../src-shared/node/pki.ts';

describe('role names as people read them', () => {
  const policyRoles = [
    { id: 'plant-engineering-manager', label: 'Plant engineering manager' },
    { id: 'admin', label: 'Site administrator' },
  ];

  it("the policy's label first, then the built-in role's name, then the role as written", () => {
    expect(roleName(policyRoles, 'plant-engineering-manager')).toBe('Plant engineering manager');
    expect(roleName(policyRoles, 'admin')).toBe('Site administrator');
    expect(roleName([], 'admin')).toBe('Baseline administrator');
    expect(roleName([], 'line-lead')).toBe('line-lead');
  });

  it('every built-in role has a name in words, none reads as its key', () => {
    for (const r of BUILT_IN_ROLES) {
      expect(BUILT_IN_ROLE_NAMES[r]).toMatch(/^Baseline [a-z]/);
      expect(roleName([], r)).not.toBe(r);
    }
  });
});
