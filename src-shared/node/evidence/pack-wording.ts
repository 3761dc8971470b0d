/**
 * How report.pdf and the crosswalk word roles and break-glass approvals, by the pack's format (PACK_FORMAT_RULES
 * `namedRoles`). From format 4 a role reads as the pack's policy names it (policy/policy.yaml: the revision the change
 * was evaluated under, which the writer and the verifier both read, as they read the plant's time zone from it), and a
 * break-glass approval says how it was given ("given in person"). Formats 1 to 3 keep the words they were written with
 * (role ids, "by in-person"), so the verifier renders their reports and crosswalks again byte for byte.
 */
import { roleName } from '../../common/workflow/role-names.ts';
import { breakGlassMethodWords } from '../../common/workflow/execution-records.ts';

/** The words of one pack's report and crosswalk. */
export interface PackWording {
  /** True from format 4: roles by name, break-glass methods in words. */
  named: boolean;
  /** A role as the report prints it. */
  role: (id: string) => string;
  /** "approved by Sky Supervisor as Shift supervisor, given in person" (format 3: "approved by Sky Supervisor (shift-supervisor) by in-person"). */
  breakGlass: (approver: { name: string; role: string }, method: string) => string;
}

/** The wording of a pack of a format whose rule is `named`, with the role names of the pack's policy. */
export function packWording(named: boolean, policyRoles: Readonly<Record<string, string>>): PackWording {
  const roles = Object.entries(policyRoles).map(([id, label]) => ({ id, label }));
  const role = (id: string) => (named ? roleName(roles, id) : id);
  return {
    named,
    role,
    breakGlass: (approver, method) =>
      named
        ? `approved by ${approver.name} as ${role(approver.role)}, given ${breakGlassMethodWords(method)}`
        : `approved by ${approver.name} (${approver.role}) by ${method}`,
  };
}
