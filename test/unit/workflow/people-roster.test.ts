import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { BaselineError } from '../../../src-shared/common/errors.ts';
import { parseRosterCsv, splitRoles } from '../../../src-shared/common/workflow/people-roster.ts';

const roles = ['controls-engineer', 'plant-engineering-manager', 'ot-security', 'quality-compliance', 'shift-supervisor', 'plant-manager'];
const sites = ['midwest-packaging'];
const fixture = readFileSync(fileURLToPath(new URL('../../fixtures/roster/packaging-roster.csv', import.meta.url)), 'utf8');

function problemsOf(text: string): string[] {
  try {
    parseRosterCsv(text, 'roster.csv', roles, sites);
  } catch (e) {
    expect((e as BaselineError).code).toBe('roster-invalid');
    return (e as BaselineError).details!.problems as string[];
  }
  throw new Error('the roster was accepted');
}

describe('people roster CSV', () => {
  it('reads the RACI people of the packaging plant, with several roles and an optional site', () => {
    const entries = parseRosterCsv(fixture, 'packaging-roster.csv', roles, sites);
    expect(entries).toHaveLength(7);
    expect(entries.find((e) => e.employeeId === 'SV500')).toEqual({
      employeeId: 'SV500',
      name: 'Sky Supervisor',
      roles: ['shift-supervisor', 'controls-engineer'],
      site: 'midwest-packaging',
      active: true,
    });
    expect(entries.find((e) => e.employeeId === 'S300')!.site).toBeNull();
    expect(entries.find((e) => e.employeeId === 'PM600')!.name).toBe('Morgan, Plant Manager');
  });

  it('splits roles on semicolons, bars and spaces, lower-cased, once each', () => {
    expect(splitRoles(' OT-Security; quality-compliance | ot-security  plant-manager ')).toEqual([
      'ot-security',
      'quality-compliance',
      'plant-manager',
    ]);
  });

  it('lists every problem by line and column, and imports nothing', () => {
    expect(
      problemsOf(
        [
          'employee_id,name,roles,site',
          'E100,Erin Engineer,controls-engineer,',
          'E100,Erin Again,controls-engineer,',
          'E102,,ceo,',
          'E103,Dana,,east-plant',
        ].join('\n'),
      ),
    ).toEqual([
      'roster.csv line 3, employee_id: employee E100 is already on line 2; one row per person',
      'roster.csv line 4, name: must not be empty',
      "roster.csv line 4, roles: unknown role ceo; the policy's roles are controls-engineer, plant-engineering-manager, ot-security, quality-compliance, shift-supervisor, plant-manager",
      'roster.csv line 5, roles: a person needs at least one role',
      'roster.csv line 5, site: there is no site east-plant in the plant model (sites: midwest-packaging)',
    ]);
  });

  it('needs employee_id, name and roles in the header', () => {
    expect(problemsOf('employee,name\nE1,x\n')).toEqual([
      'roster.csv line 1, employee: Unknown column "employee"; the columns are employee_id, name, roles, site.',
      'roster.csv line 1, employee_id: The header has no "employee_id" column; employee_id, name, roles are required.',
      'roster.csv line 1, roles: The header has no "roles" column; employee_id, name, roles are required.',
    ]);
  });
});
