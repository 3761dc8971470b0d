/**
 * The plant's change policy (issue #5): the default document in resources/policy/ until the plant adopts its
 * own. Parsed and checked once (every problem with file, line and field), then shared by the services.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BaselineError } from '../../src-shared/common/errors.ts';
import { loadPolicyYaml } from '../../src-shared/common/workflow/policy-yaml.ts';
import type { Policy } from '../../src-shared/common/workflow/policy-schema.ts';
import { signatureLockout } from '../../src-shared/common/workflow/policy-schema.ts';
import { BUILT_IN_ROLES } from '../../src-shared/node/pki.ts';

/** Where the app's resources are (the Electron shell passes its own; elsewhere the repository's resources/). */
export function defaultResourcesDir(): string {
  return fileURLToPath(new URL('../../resources', import.meta.url));
}

/** Holds the policy in force. */
export class PolicyService {
  private readonly policy: Policy;
  private readonly file: string;

  constructor(resourcesDir: string) {
    this.file = join(resourcesDir, 'policy', 'default-policy.yaml');
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch {
      throw new BaselineError('policy-missing', `The policy file ${this.file} cannot be read.`, 'Reinstall Baseline, or restore resources/policy/default-policy.yaml.');
    }
    this.policy = loadPolicyYaml(text, 'default-policy.yaml');
  }

  /** The policy in force. */
  current(): Policy {
    return this.policy;
  }

  /** Role names a certificate may carry: the policy's roles and Baseline's built-in ones. */
  knownRoles(): { id: string; label: string }[] {
    const roles = Object.entries(this.policy.roles).map(([id, label]) => ({ id, label: String(label) }));
    for (const r of BUILT_IN_ROLES) if (!roles.some((x) => x.id === r)) roles.push({ id: r, label: `${r} (Baseline)` });
    return roles;
  }

  /** The signature lockout the policy sets (21 CFR 11.300(d)). */
  lockout(): { maxFailures: number; windowMs: number; lockMs: number } {
    return signatureLockout(this.policy);
  }
}
