/**
 * Role names as people read them. The plant's roles come with the policy's labels; Baseline's own built-in roles
 * (which certificates issued before the plant adopted its roster may still carry) have fixed names here, so no
 * screen shows a role key such as "admin".
 */

/** Baseline's built-in roles in words. */
export const BUILT_IN_ROLE_NAMES: Readonly<Record<string, string>> = {
  engineer: 'Baseline engineer',
  supervisor: 'Baseline supervisor',
  approver: 'Baseline approver',
  compliance: 'Baseline compliance officer',
  admin: 'Baseline administrator',
};

/** A role in words: the policy's label, else the built-in role's name, else the role as written. */
export function roleName(roles: readonly { id: string; label: string }[], role: string): string {
  return roles.find((x) => x.id === role)?.label ?? BUILT_IN_ROLE_NAMES[role] ?? role;
}
