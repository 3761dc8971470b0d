/**
 * Correcting and retiring registered controllers (issue #11, plant-scale lists): both are e-signatures of plant
 * engineering with a reason, each one journal event. An edit records the registration before and after; a retired
 * controller leaves every list and picker, while its captures, snapshots, baselines and changes stay readable and
 * verifiable (nothing is deleted; the journal is append-only).
 */
import { canonicalJson } from '../../src-shared/common/canonical-json.ts';
import { BaselineError } from '../../src-shared/common/errors.ts';
import {
  ControllerTargetSchema,
  describeTarget,
  profileProtocolOf,
  type ControllerTarget,
} from '../../src-shared/common/capture/controller-target.ts';
import type { JournalRepository } from '../store/journal-repository.ts';
import type { ControllerRepository, ControllerRow } from '../store/controller-repository.ts';
import type { ChangeRepository } from '../store/change-repository.ts';
import type { DecisionSigner, IdentityService } from './identity-service.ts';

/** What an edit may change; fields left out keep their value. */
export interface ControllerEdit {
  name?: string;
  target?: ControllerTarget;
  profileSha256?: string | null;
}

/** Edits and retires controllers, signed by plant engineering. */
export class ControllerEditService {
  private readonly deps: { journal: JournalRepository; plant: ControllerRepository; changes: ChangeRepository; identity: IdentityService };

  constructor(deps: ControllerEditService['deps']) {
    this.deps = deps;
  }

  /** Corrects a controller's name, address or capture profile; signed by plant engineering with a reason. */
  edit(controllerId: string, edit: ControllerEdit, reason: string, signer: DecisionSigner): void {
    const c = this.inService(controllerId, 'edited');
    const previous = { name: c.name, target: c.target, profileSha256: c.profileSha256 };
    const name = (edit.name ?? c.name).trim();
    if (name === '' || name.length > 120)
      throw new BaselineError(
        'controller-name-invalid',
        'A controller needs a name of 1 to 120 characters.',
        "Use the PLC's name in the plant drawings, e.g. PLC-L07-PALLETISER.",
      );
    const parsed = ControllerTargetSchema.safeParse(edit.target ?? c.target);
    if (!parsed.success) {
      throw new BaselineError(
        'controller-target-invalid',
        `The address cannot be saved: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}.`,
        'Correct the address fields and sign again; nothing was changed.',
      );
    }
    const target = parsed.data;
    if (target.protocol !== c.target.protocol) {
      throw new BaselineError(
        'controller-protocol-change',
        `${c.name} speaks ${c.target.protocol}, not ${target.protocol}.`,
        'Register a new controller for another protocol, and retire this one.',
      );
    }
    const profileSha256 = edit.profileSha256 === undefined ? c.profileSha256 : edit.profileSha256;
    if (profileSha256 !== null && profileSha256 !== c.profileSha256) {
      const profile = this.deps.plant.profile(profileSha256);
      if (!profile)
        throw new BaselineError(
          'profile-unknown',
          `No capture profile ${profileSha256.slice(0, 12)}… is stored on this laptop.`,
          'Import the profile first.',
        );
      if (profile.protocol !== profileProtocolOf(target)) {
        throw new BaselineError(
          'profile-protocol-mismatch',
          `Profile "${profile.name}" is for ${profile.protocol}, but ${c.name} speaks ${target.protocol}.`,
          "Choose a profile made for this controller's protocol.",
        );
      }
    }
    if (
      name.toLowerCase() !== c.name.toLowerCase() &&
      this.deps.plant.controllers().some((x) => x.id !== c.id && x.name.toLowerCase() === name.toLowerCase())
    ) {
      throw new BaselineError(
        'controller-name-taken',
        `A controller named "${name}" is already registered.`,
        "Give each controller its own name (e.g. the PLC's name in the plant drawings).",
      );
    }
    const next = { name, target, profileSha256 };
    if (canonicalJson(next) === canonicalJson(previous)) {
      throw new BaselineError(
        'controller-unchanged',
        `${c.name} already reads exactly so (${describeTarget(c.target)}); nothing to sign.`,
        'Change a field before signing.',
      );
    }
    const why = requireReason(reason, 'An edit of a controller');
    const doc = { schema: 'baseline.controller-edit/1', controllerId, previous, next, reason: why };
    const { signature, actor } = this.deps.identity.signAsPlantEngineering(signer, `editing controller ${c.name}`, doc);
    this.deps.journal.append('controller.edited', { controllerId, previous, next, reason: why, signature }, actor);
  }

  /**
   * Retires a controller: refused while an open change targets it (the change would lose its target). Signed by
   * plant engineering with a reason.
   */
  retire(controllerId: string, reason: string, signer: DecisionSigner): void {
    const c = this.inService(controllerId, 'retired');
    const open = this.deps.changes.openChangesTargeting(controllerId);
    if (open.length > 0) {
      const named = open
        .slice(0, 3)
        .map((x) => `${x.number ?? x.id.slice(0, 8)} "${x.title}" (${x.status})`)
        .join(', ');
      throw new BaselineError(
        'controller-in-open-change',
        `${c.name} is a target of ${open.length} open change${open.length === 1 ? '' : 's'}: ${named}${open.length > 3 ? ', …' : ''}.`,
        'Close, withdraw or reject those changes first (or take the controller out of their targets); nothing was changed.',
        { changes: open.map((x) => x.id) },
      );
    }
    const why = requireReason(reason, 'Retiring a controller');
    const doc = { schema: 'baseline.controller-retire/1', controllerId, name: c.name, target: c.target, reason: why };
    const { signature, actor } = this.deps.identity.signAsPlantEngineering(signer, `retiring controller ${c.name}`, doc);
    this.deps.journal.append('controller.retired', { controllerId, name: c.name, reason: why, signature }, actor);
  }

  private inService(controllerId: string, what: string): ControllerRow {
    const c = this.deps.plant.controller(controllerId);
    if (!c)
      throw new BaselineError(
        'controller-unknown',
        `No controller ${controllerId} is registered on this laptop.`,
        'Pick a controller from the Controllers screen.',
      );
    if (c.retiredAt !== null)
      throw new BaselineError(
        'controller-retired',
        `${c.name} was retired on ${c.retiredAt.slice(0, 10)}, so it cannot be ${what}.`,
        'Its history stays readable; register a new controller if it is back in service.',
      );
    return c;
  }
}

function requireReason(reason: string, what: string): string {
  const r = reason.trim();
  if (r === '')
    throw new BaselineError(
      'reason-missing',
      `${what} needs a reason.`,
      'Say why, e.g. "CPU is in slot 0, not 1" or "line 7 palletiser decommissioned".',
    );
  return r;
}
