/**
 * How report.pdf and the crosswalk word roles and break-glass approvals, by the pack's format (PACK_FORMAT_RULES
 * `namedRoles`). From format 4 a role reads as the pack's policy names it (policy/policy.yaml: the revision the change
 * was evaluated under, which the writer and the verifier both read, as they read the plant's time zone from it), and a
 * break-glass approval says how it was given ("given in person"). Formats 1 to 3 keep the words they were written with
 * (role ids, "by in-person"), so the verifier renders their reports and crosswalks again byte for byte.
 */

/**
 * Format 4's own words for Baseline's built-in roles and the break-glass methods. They are part of the format: a
 * format-4 report is rendered again with them by every later version, so they are kept here rather than taken from the
 * tables the screens use (src-shared/common/workflow/role-names.ts, execution-records.ts), which may be reworded.
 * Words that change make a new format.
 */
const FORMAT_4_BUILT_IN_ROLES: Readonly<Record<string, string>> = {
  engineer: 'Baseline engineer',
  supervisor: 'Baseline supervisor',
  approver: 'Baseline approver',
  compliance: 'Baseline compliance officer',
  admin: 'Baseline administrator',
};
const FORMAT_4_METHODS: Readonly<Record<string, string>> = { 'in-person': 'in person', phone: 'by phone', radio: 'by radio' };

/** The words of one pack's report and crosswalk (plain data: a verdict's context is cloned and sent as it is). */
export interface PackWording {
  /** True from format 4: roles by name, break-glass methods in words. */
  named: boolean;
  /** The role names of the pack's policy, by role id. */
  roleNames: Readonly<Record<string, string>>;
}

/** The wording of a pack of a format whose rule is `named`, with the role names of the pack's policy. */
export function packWording(named: boolean, roleNames: Readonly<Record<string, string>>): PackWording {
  return { named, roleNames: { ...roleNames } };
}

/** A role as the pack's report prints it: the policy's name (a built-in role's name, else the id) from format 4; else the id. */
export function roleWords(w: PackWording, id: string): string {
  if (!w.named) return id;
  return own(w.roleNames, id) ?? own(FORMAT_4_BUILT_IN_ROLES, id) ?? id;
}

/** "approved by Sky Supervisor as Shift supervisor, given in person" (format 3: "approved by Sky Supervisor (shift-supervisor) by in-person"). */
export function breakGlassWords(w: PackWording, approver: { name: string; role: string }, method: string): string {
  return w.named
    ? `approved by ${approver.name} as ${roleWords(w, approver.role)}, given ${own(FORMAT_4_METHODS, method) ?? `by ${method}`}`
    : `approved by ${approver.name} (${approver.role}) by ${method}`;
}

/** A table's own entry (never one an object inherits, such as "constructor"). */
function own(table: Readonly<Record<string, string>>, key: string): string | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}
