/**
 * The people roster (issue #5): who works at the plant and which RACI roles plant engineering assigns them
 * (the OT change framework's RACI), imported from a CSV `employee_id,name,roles,site`. The roster grants nothing by itself: a person signs
 * only with a certificate, issued at enrolment (the person sets their own password, the CA holder signs). The roster
 * says what that certificate should carry, and the People screen shows where the two differ.
 */
import * as z from 'zod';
import { BaselineError } from '../errors.ts';
import { formatCsvProblem, readCsvTable, rowShapeProblems, sortProblems, type CsvProblem } from '../csv-table.ts';

const RoleName = z.string().regex(/^[a-z][a-z0-9-]*$/, 'role names are lower-case words joined by hyphens');

/** One person on the roster. */
export const RosterEntrySchema = z
  .object({
    employeeId: z.string().trim().min(1, 'must not be empty').max(40, 'must be at most 40 characters'),
    name: z.string().trim().min(1, 'must not be empty').max(120, 'must be at most 120 characters'),
    roles: z.array(RoleName).min(1, 'a person needs at least one role'),
    site: z.string().min(1).nullable(),
    /** False once the person has left the roster (their history stays). */
    active: z.boolean(),
  })
  .strict();

/** A roster entry. */
export type RosterEntry = z.output<typeof RosterEntrySchema>;

/** The columns of a roster CSV (docs/formats.md). `site` may be left out. */
export const ROSTER_COLUMNS = ['employee_id', 'name', 'roles', 'site'] as const;
type RosterColumn = (typeof ROSTER_COLUMNS)[number];

/** Splits a roles cell: role names separated by semicolons, vertical bars or spaces. */
export function splitRoles(cell: string): string[] {
  return [
    ...new Set(
      cell
        .split(/[;|\s]+/)
        .map((r) => r.trim().toLowerCase())
        .filter((r) => r !== ''),
    ),
  ];
}

/**
 * Reads a roster CSV against the roles the policy knows and the plant's sites. Throws one BaselineError
 * (`roster-invalid`) listing every problem by line and column; nothing is imported when there is one.
 */
export function parseRosterCsv(text: string, file: string, knownRoles: readonly string[], knownSites: readonly string[]): RosterEntry[] {
  const table = readCsvTable(text, ROSTER_COLUMNS, ['employee_id', 'name', 'roles'], ['person', 'people']);
  const problems: CsvProblem[] = [...table.problems];
  const entries: RosterEntry[] = [];
  if (problems.length === 0) {
    const firstLine = new Map<string, number>();
    for (const row of table.rows) {
      problems.push(...rowShapeProblems(table, row));
      const add = (column: RosterColumn, message: string): void => {
        problems.push({ line: row.line, column, message });
      };
      const employeeId = row.cell('employee_id').trim();
      const seen = firstLine.get(employeeId);
      if (seen !== undefined) add('employee_id', `employee ${employeeId} is already on line ${seen}; one row per person`);
      else if (employeeId !== '') firstLine.set(employeeId, row.line);
      const roles = splitRoles(row.cell('roles'));
      const unknown = roles.filter((r) => !knownRoles.includes(r));
      if (unknown.length > 0)
        add(
          'roles',
          `unknown role${unknown.length === 1 ? '' : 's'} ${unknown.join(', ')}; the policy's roles are ${knownRoles.join(', ')}`,
        );
      const site = row.cell('site').trim();
      if (site !== '' && !knownSites.includes(site))
        add('site', `there is no site ${site} in the plant model${knownSites.length ? ` (sites: ${knownSites.join(', ')})` : ''}`);
      const parsed = RosterEntrySchema.safeParse({
        employeeId,
        name: row.cell('name'),
        roles,
        site: site === '' ? null : site,
        active: true,
      });
      if (!parsed.success) {
        for (const issue of parsed.error.issues) {
          const column =
            ({ employeeId: 'employee_id', name: 'name', roles: 'roles', site: 'site' } as const)[
              issue.path[0] as 'employeeId' | 'name' | 'roles' | 'site'
            ] ?? 'employee_id';
          add(column, issue.message);
        }
      } else if (unknown.length === 0) {
        entries.push(parsed.data);
      }
    }
  }
  if (problems.length > 0) {
    const listed = sortProblems(problems, table).map((p) => `${file} ${formatCsvProblem(p)}`);
    throw new BaselineError(
      'roster-invalid',
      `The roster cannot be used: ${listed.slice(0, 3).join('; ')}${listed.length > 3 ? `; and ${listed.length - 3} more` : ''}.`,
      'Correct the listed lines and import it again; nothing was changed.',
      { problems: listed },
    );
  }
  return entries;
}
