/**
 * The plant's change policy (issue #5): the default document in resources/policy/ until the plant adopts its
 * own. Parsed and checked once (every problem with file, line and field), then shared by the services.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BaselineError } from '../../src-shared/common/errors.ts';
import type { Actor } from '../../src-shared/common/journal-event.ts';
import { sha256Hex } from '../../src-shared/node/hash.ts';
import type { AdoptedPolicyRow, PolicyRepository } from '../store/policy-repository.ts';
import type { JournalRepository } from '../store/journal-repository.ts';
import { PLANT_ENGINEERING, type IdentityService } from './identity-service.ts';
import { loadPolicyYaml } from '../../src-shared/common/workflow/policy-yaml.ts';
import type { Policy } from '../../src-shared/common/workflow/policy-schema.ts';
import { signatureLockout } from '../../src-shared/common/workflow/policy-schema.ts';
import { BUILT_IN_ROLES } from '../../src-shared/node/pki.ts';
import { roleName } from '../../src-shared/common/workflow/role-names.ts';
import { parseCheckpointsYaml, type CheckpointSet } from '../../src-shared/common/workflow/checkpoints.ts';

/** Where the app's resources are (the Electron shell passes its own; elsewhere the repository's resources/). */
export function defaultResourcesDir(): string {
  return fileURLToPath(new URL('../../resources', import.meta.url));
}

/** Roles that may adopt a policy document: plant engineering, who also set the plant model. */
export const POLICY_ADOPTERS: readonly string[] = PLANT_ENGINEERING;

/** What the register shows about the policy in force. */
export interface PolicyInForce {
  name: string;
  revision: number;
  sha256: string;
  source: string;
  /** Null for the default policy shipped with Baseline. */
  adoptedBy: string | null;
  adoptedAt: string | null;
}

/** Holds the policy in force: the latest adopted one (journal event `policy.adopted`), else the shipped default. */
export class PolicyService {
  private readonly fallback: Policy;
  private readonly fallbackSha256: string;
  private readonly adopted: PolicyRepository | null;
  private readonly guard: { assertTrustworthy(): void } | null;
  private cache: { eventId: string; policy: Policy } | null = null;
  private readonly resourcesDir: string;
  private checkpointSet: CheckpointSet | null = null;
  private checkpointText: string | null = null;

  /** What adopting a new revision needs: the journal, and the people who sign (built after the policy, hence a function). */
  private readonly adoption: { journal: JournalRepository; identity: () => IdentityService } | null;

  /** `guard` proves the `policies` table equal to the signed journal before it is read (the policy is a trust decision). */
  constructor(
    resourcesDir: string,
    adopted: PolicyRepository | null = null,
    guard: { assertTrustworthy(): void } | null = null,
    adoption: PolicyService['adoption'] = null,
  ) {
    this.resourcesDir = resourcesDir;
    this.adoption = adoption;
    const file = join(resourcesDir, 'policy', 'default-policy.yaml');
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      throw new BaselineError(
        'policy-missing',
        `The policy file ${file} cannot be read.`,
        'Reinstall Baseline, or restore resources/policy/default-policy.yaml.',
      );
    }
    this.fallback = loadPolicyYaml(text, 'default-policy.yaml');
    this.fallbackSha256 = createHash('sha256').update(text).digest('hex');
    this.adopted = adopted;
    this.guard = guard;
  }

  private latest(): AdoptedPolicyRow | undefined {
    this.guard?.assertTrustworthy();
    return this.adopted?.latestAdopted();
  }

  /** The policy in force. */
  current(): Policy {
    const row = this.latest();
    if (!row) return this.fallback;
    if (this.cache?.eventId !== row.event_id) this.cache = { eventId: row.event_id, policy: loadPolicyYaml(row.yaml, row.source) };
    return this.cache.policy;
  }

  /**
   * The go/no-go checkpoints of an execution (resources/checklists/execution-checkpoints.yaml), read once. A missing
   * or malformed file refuses checkpoint decisions (and closing), never anything else.
   */
  checkpoints(): CheckpointSet {
    if (this.checkpointSet) return this.checkpointSet;
    const file = join(this.resourcesDir, 'checklists', 'execution-checkpoints.yaml');
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      throw new BaselineError(
        'checkpoints-missing',
        `The checkpoint file ${file} cannot be read.`,
        'Reinstall Baseline, or restore resources/checklists/execution-checkpoints.yaml.',
      );
    }
    this.checkpointSet = parseCheckpointsYaml(text, 'execution-checkpoints.yaml');
    this.checkpointText = text;
    return this.checkpointSet;
  }

  /** SHA-256 of the checkpoint file in force (null when it cannot be read): what a checkpoint signature relied on. */
  checkpointsSha256(): string | null {
    try {
      this.checkpoints();
    } catch {
      return null;
    }
    return this.checkpointText === null ? null : createHash('sha256').update(this.checkpointText).digest('hex');
  }

  /** The policy in force as the Plant screen shows it: which revision, who adopted it, the plant's time zone. */
  view(): PolicyInForce & { timeZone: string; clockSkewLimitMinutes: number } {
    return { ...this.inForce(), timeZone: this.current().plant.timeZone, clockSkewLimitMinutes: this.current().clocks.skewLimit };
  }

  /**
   * Adopts a new policy document: checked in full first (nothing changes if any line is wrong), its revision must be
   * higher than the one in force, and the adopter signs it ("approved", over the file's SHA-256). Only a plant
   * engineering manager or a Baseline administrator may. Changes already submitted keep the evaluation they were
   * reviewed under; new evaluations use the adopted policy.
   */
  adopt(yaml: string, source: string, employeeId: string, password: string, actor: Actor): { revision: number; name: string } {
    const policy = loadPolicyYaml(yaml, source);
    const inForce = this.inForce();
    if (policy.revision <= inForce.revision) {
      throw new BaselineError(
        'policy-revision',
        `${source} is revision ${policy.revision}; the policy in force ("${inForce.name}") is already revision ${inForce.revision}.`,
        `Raise "revision:" in the file above ${inForce.revision} for a new policy version, and adopt it again.`,
      );
    }
    if (!this.adoption)
      throw new BaselineError('policy-adoption-unavailable', 'This program cannot adopt a policy.', 'Adopt it in the app (Plant screen).');
    const { identity, journal } = this.adoption;
    const person = identity().personByEmployeeId(employeeId);
    if (!person.roles.some((r) => POLICY_ADOPTERS.includes(r))) {
      throw new BaselineError(
        'role-not-held',
        `${person.name} holds ${person.roles.join(', ') || 'no role'}; adopting a policy needs one of ${POLICY_ADOPTERS.join(', ')}.`,
        'Ask the plant engineering manager to adopt it.',
      );
    }
    const sha256 = sha256Hex(yaml);
    const signature = identity().sign(employeeId, password, 'approved', sha256);
    journal.append('policy.adopted', { revision: policy.revision, name: policy.name, sha256, yaml, source, signature }, actor);
    return { revision: policy.revision, name: policy.name };
  }

  /** Which policy is in force and who adopted it. */
  inForce(): PolicyInForce {
    const row = this.latest();
    if (!row)
      return {
        name: this.fallback.name,
        revision: this.fallback.revision,
        sha256: this.fallbackSha256,
        source: 'default-policy.yaml (shipped with Baseline)',
        adoptedBy: null,
        adoptedAt: null,
      };
    return {
      name: row.name,
      revision: row.revision,
      sha256: row.sha256,
      source: row.source,
      adoptedBy: row.adopted_by,
      adoptedAt: row.adopted_at,
    };
  }

  /**
   * The plant's one vocabulary of roles, the roster's: the policy's roles with their labels. Screens offer only
   * these (enrolment, roster, signer lists).
   */
  roles(): { id: string; label: string }[] {
    return Object.entries(this.current().roles).map(([id, label]) => ({ id, label: String(label) }));
  }

  /**
   * Role names a certificate may carry: the policy's roles, and Baseline's built-in ones so certificates issued
   * with them before the plant adopted its roster still verify and sign (the screens no longer offer them).
   */
  knownRoles(): { id: string; label: string }[] {
    const roles = Object.entries(this.current().roles).map(([id, label]) => ({ id, label: String(label) }));
    for (const r of BUILT_IN_ROLES) if (!roles.some((x) => x.id === r)) roles.push({ id: r, label: roleName([], r) });
    return roles;
  }

  /** The signature lockout the policy sets (21 CFR 11.300(d)). */
  lockout(): { maxFailures: number; windowMs: number; lockMs: number } {
    return signatureLockout(this.current());
  }
}
