/**
 * The plant model (issue #5): sites, lines with their tiers, and which line each controller is on. Tiers decide
 * notice, approval depth and staging for every change, so importing the model and editing a site or a line are
 * e-signatures of plant engineering (a plant engineering manager or a Baseline administrator), each one journal
 * event carrying what it replaced. Changes already submitted keep the evaluation they were reviewed under.
 */
import { canonicalJson } from '../../src-shared/common/canonical-json.ts';
import { BaselineError } from '../../src-shared/common/errors.ts';
import type { Actor } from '../../src-shared/common/journal-event.ts';
import {
  LineSchema,
  SiteSchema,
  parsePlantFile,
  plantSitesAndLines,
  type Plant,
  type PlantController,
  type PlantLine,
  type Site,
} from '../../src-shared/common/workflow/plant-model.ts';
import { RosterEntrySchema, parseRosterCsv, type RosterEntry } from '../../src-shared/common/workflow/people-roster.ts';
import type { ESignature } from '../../src-shared/common/snapshot/snapshot.ts';
import { sha256Hex } from '../../src-shared/node/hash.ts';
import type { JournalRepository } from '../store/journal-repository.ts';
import type { DecisionSigner, IdentityService } from './identity-service.ts';
import type { ControllerService } from './controller-service.ts';
import type { ControllerRepository } from '../store/controller-repository.ts';
import type { PlantModelRepository } from '../store/plant-model-repository.ts';
import { describeTarget, profileProtocolOf } from '../../src-shared/common/capture/controller-target.ts';

/** Roles that may set the plant model (and adopt a policy): plant engineering. */
export { PLANT_ENGINEERING } from './identity-service.ts';

/** Who signs a plant edit, with their password (asked for at every signature). */
export type PlantSigner = DecisionSigner;

/** The plant as the Plant screen shows it. */
export interface PlantView {
  sites: Site[];
  lines: PlantLine[];
  controllerLines: Record<string, string>;
  safetyControllers: string[];
}

/** Reads and edits the plant model. */
export class PlantModelService {
  private readonly deps: {
    model: PlantModelRepository;
    journal: JournalRepository;
    identity: IdentityService;
    knownRoles: () => string[];
    controllers: ControllerService;
    repo: ControllerRepository;
  };

  constructor(deps: PlantModelService['deps']) {
    this.deps = deps;
  }

  /**
   * Signs a plant-engineering decision: the signer must hold a plant-engineering role; the signature ("approved")
   * covers the canonical JSON of `document`. Returns the signature and the signer as the event's actor.
   */
  signAsPlantEngineering(signer: PlantSigner, what: string, document: unknown): { signature: ESignature; actor: Actor } {
    return this.deps.identity.signAsPlantEngineering(signer, what, document);
  }

  /** Imports a plant file (see `importPlant`) and says how many sites and lines it holds. */
  importPlantCounts(text: string, source: string, signer: PlantSigner): { sites: number; lines: number } {
    const { sites, lines } = plantSitesAndLines(this.importPlant(text, source, signer));
    return { sites: sites.length, lines: lines.length };
  }

  /**
   * Imports (or replaces) the whole plant model from a YAML file or a lines CSV (by the file's name), checked in full
   * first: nothing changes if any line of the file is wrong. Signed by plant engineering over the file's SHA-256.
   * Controllers the file lists are registered when new (each with its capture profile), and put on their line and
   * flagged as safety systems as the file says; one already registered under the name must have the same connection
   * settings and profile (the file never silently re-points a controller). All of it is one transaction.
   */
  importPlant(text: string, source: string, signer: PlantSigner): Plant {
    const plant = parsePlantFile(text, source);
    const controllers = this.planControllers(plant, source);
    const sha256 = sha256Hex(text);
    const { signature, actor } = this.signAsPlantEngineering(signer, 'importing the plant model', {
      schema: 'baseline.plant-import/1',
      sha256,
      plant,
    });
    this.deps.model.transaction(() => {
      this.deps.journal.append('plant.imported', { plant, source, sha256, signature }, actor);
      for (const c of controllers) {
        const id = c.existing?.id ?? this.deps.controllers.register(c.entry.name, c.entry.target, c.profileSha256, actor).id;
        if (c.existing?.lineId !== c.entry.line)
          this.deps.journal.append('controller.line-assigned', { controllerId: id, lineId: c.entry.line }, actor);
        if (c.entry.safety !== undefined && (c.existing?.safety ?? false) !== c.entry.safety) {
          this.deps.journal.append(
            'controller.safety-set',
            { controllerId: id, safety: c.entry.safety, reason: `as the plant model ${source} says` },
            actor,
          );
        }
      }
    });
    return plant;
  }

  /** Resolves each controller of a plant file against what this laptop holds; throws one error listing every problem. */
  private planControllers(
    plant: Plant,
    source: string,
  ): { entry: PlantController; profileSha256: string | null; existing: { id: string; lineId: string | null; safety: boolean } | null }[] {
    const entries: PlantController[] = plant.controllers ?? [];
    const problems: string[] = [];
    const profiles = this.deps.repo.profiles();
    const registered = this.deps.repo.controllers();
    const placement = this.deps.model.placements();
    // A controller must never silently lose its line (its tier decides the approvals of every change to it).
    const { lines } = plantSitesAndLines(plant);
    const kept = new Set(lines.map((l) => l.id));
    const placedByFile = new Set(entries.map((e) => e.name.toLowerCase()));
    const current = new Set(this.lines().map((l) => l.id));
    for (const c of registered) {
      const line = placement.get(c.id)?.lineId ?? null;
      if (line !== null && current.has(line) && !kept.has(line) && !placedByFile.has(c.name.toLowerCase())) {
        problems.push(
          `${source}: controller ${c.name} is on line ${line}, which the file leaves out; put it on another line first, or list it in the file with its new line`,
        );
      }
    }
    const plan = entries.map((entry) => {
      const where = `${source}, controller ${entry.name}`;
      let profileSha256: string | null = null;
      if (entry.profile !== undefined) {
        const p = profiles.find((x) => x.sha256 === entry.profile) ?? profiles.find((x) => x.name === entry.profile); // newest first
        if (!p) problems.push(`${where}: no capture profile "${entry.profile}" is imported on this laptop`);
        else if (p.protocol !== profileProtocolOf(entry.target))
          problems.push(`${where}: profile "${p.name}" is for ${p.protocol}, but the controller speaks ${entry.target.protocol}`);
        else profileSha256 = p.sha256;
      }
      const same = registered.find((c) => c.name.toLowerCase() === entry.name.toLowerCase());
      if (same) {
        if (canonicalJson(same.target) !== canonicalJson(entry.target))
          problems.push(`${where}: it is registered as ${describeTarget(same.target)}, the file says ${describeTarget(entry.target)}`);
        if (entry.profile !== undefined && profileSha256 !== null && same.profileSha256 !== profileSha256)
          problems.push(`${where}: it is registered with another capture profile than "${entry.profile}"`);
      }
      return { entry, profileSha256, existing: same ? { id: same.id, ...placement.get(same.id)! } : null };
    });
    if (problems.length > 0) {
      throw new BaselineError(
        'plant-invalid',
        `The plant file cannot be used: ${problems.slice(0, 3).join('; ')}${problems.length > 3 ? `; and ${problems.length - 3} more` : ''}.`,
        'Import the missing profiles first, or correct the file (a registered controller keeps its address and profile, and keeps a line); nothing was changed.',
        { problems },
      );
    }
    return plan;
  }

  /** The plant's sites. */
  sites(): Site[] {
    return this.deps.model.sites();
  }

  /** The plant's lines. */
  lines(): PlantLine[] {
    return this.deps.model.lines();
  }

  /** The plant for the Plant screen. */
  view(): PlantView {
    return {
      sites: this.sites(),
      lines: this.lines(),
      controllerLines: this.deps.model.controllerLines(),
      safetyControllers: this.deps.model.safetyControllerIds(),
    };
  }

  /** Adds a site or renames one; signed by plant engineering. */
  setSite(site: Site, reason: string, signer: PlantSigner): void {
    const checked = SiteSchema.safeParse({ ...site, name: site.name.trim() });
    if (!checked.success) throw invalid('site', checked.error.issues);
    const previous = this.sites().find((s) => s.id === checked.data.id) ?? null;
    if (previous && previous.name === checked.data.name) throw unchanged(`Site ${previous.id}`);
    const doc = { schema: 'baseline.plant-edit/1', edit: 'site', site: checked.data, previous, reason: requireReason(reason) };
    const { signature, actor } = this.signAsPlantEngineering(signer, 'editing the plant model', doc);
    this.deps.journal.append('plant.site-set', { site: checked.data, previous, reason: doc.reason, signature }, actor);
  }

  /** Adds a line, or renames it, moves it to another site or changes its tier; signed by plant engineering. */
  setLine(line: PlantLine, reason: string, signer: PlantSigner): void {
    const checked = LineSchema.required({ site: true }).safeParse({ ...line, name: line.name.trim() });
    if (!checked.success) throw invalid('line', checked.error.issues);
    const next = checked.data as PlantLine;
    if (!this.sites().some((s) => s.id === next.site)) {
      throw new BaselineError(
        'site-unknown',
        `There is no site ${next.site} in the plant model.`,
        "Add the site first, or pick one of the plant's sites.",
      );
    }
    const previous = this.lines().find((l) => l.id === next.id) ?? null;
    if (previous && previous.name === next.name && previous.tier === next.tier && previous.site === next.site)
      throw unchanged(`Line ${previous.id}`);
    const doc = { schema: 'baseline.plant-edit/1', edit: 'line', line: next, previous, reason: requireReason(reason) };
    const { signature, actor } = this.signAsPlantEngineering(
      signer,
      previous && previous.tier !== next.tier ? "changing a line's tier" : 'editing the plant model',
      doc,
    );
    this.deps.journal.append('plant.line-set', { line: next, previous, reason: doc.reason, signature }, actor);
  }

  /** Removes a line no controller is on; signed by plant engineering. */
  removeLine(lineId: string, reason: string, signer: PlantSigner): void {
    const previous = this.lines().find((l) => l.id === lineId);
    if (!previous) throw lineUnknown(lineId);
    const on = this.deps.model.controllerNamesOnLine(lineId);
    if (on.length > 0) {
      throw new BaselineError(
        'line-in-use',
        `Line ${lineId} still has ${on.length} controller${on.length === 1 ? '' : 's'} on it (${on.slice(0, 5).join(', ')}${on.length > 5 ? ', …' : ''}).`,
        "Put those controllers on another line first; the line's history stays in the journal either way.",
      );
    }
    const doc = { schema: 'baseline.plant-edit/1', edit: 'remove-line', lineId, previous, reason: requireReason(reason) };
    const { signature, actor } = this.signAsPlantEngineering(signer, 'editing the plant model', doc);
    this.deps.journal.append('plant.line-removed', { lineId, previous, reason: doc.reason, signature }, actor);
  }

  /** The people roster, by employee id. */
  roster(): RosterEntry[] {
    this.deps.journal.assertTrustworthy();
    return this.deps.model.roster();
  }

  /**
   * Imports a roster CSV (employee_id,name,roles,site): every row checked first against the policy's roles and the
   * plant's sites; people in the file are added or updated, people not in it are left as they are. Signed by plant
   * engineering over the file's SHA-256.
   */
  importRoster(text: string, source: string, signer: PlantSigner): RosterEntry[] {
    const entries = parseRosterCsv(
      text,
      source,
      this.deps.knownRoles(),
      this.sites().map((s) => s.id),
    );
    const sha256 = sha256Hex(text);
    const { signature, actor } = this.signAsPlantEngineering(signer, 'importing the people roster', {
      schema: 'baseline.roster-import/1',
      sha256,
      entries,
    });
    this.deps.journal.append('people.roster-imported', { entries, source, sha256, signature }, actor);
    return entries;
  }

  /** Adds or changes one person's roster entry (name, roles, site, or that they left); signed by plant engineering. */
  setRosterEntry(entry: RosterEntry, reason: string, signer: PlantSigner): void {
    const checked = RosterEntrySchema.safeParse(entry);
    if (!checked.success)
      throw new BaselineError(
        'roster-invalid',
        `The roster entry cannot be saved: ${checked.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}.`,
        'Correct the field and save again; nothing was changed.',
      );
    const next = checked.data;
    const known = this.deps.knownRoles();
    const unknown = next.roles.filter((r) => !known.includes(r));
    if (unknown.length > 0)
      throw new BaselineError('unknown-role', `Unknown role ${unknown.join(', ')}.`, `Roles are the plant policy's: ${known.join(', ')}.`);
    if (next.site !== null && !this.sites().some((s) => s.id === next.site)) {
      throw new BaselineError(
        'site-unknown',
        `There is no site ${next.site} in the plant model.`,
        "Pick one of the plant's sites, or none.",
      );
    }
    const previous = this.roster().find((r) => r.employeeId === next.employeeId) ?? null;
    if (previous && canonicalJson(previous) === canonicalJson(next)) throw unchanged(`The roster entry of ${previous.employeeId}`);
    const doc = { schema: 'baseline.roster-edit/1', entry: next, previous, reason: requireReason(reason) };
    const { signature, actor } = this.signAsPlantEngineering(signer, 'editing the people roster', doc);
    this.deps.journal.append('people.roster-set', { entry: next, previous, reason: doc.reason, signature }, actor);
  }

  /** A controller's name (its id when it is not registered here). */
  controllerName(controllerId: string): string {
    return this.deps.model.controllerName(controllerId) ?? controllerId;
  }

  /**
   * Puts a controller on a line: its tier then decides notice and approvals for every change to it, so moving it is a
   * plant-engineering signature with a reason, like editing the line itself.
   */
  assignLine(controllerId: string, lineId: string, reason: string, signer: PlantSigner): void {
    this.deps.controllers.get(controllerId);
    if (!this.lines().some((l) => l.id === lineId)) throw lineUnknown(lineId);
    const previous = this.placement(controllerId).lineId;
    if (previous === lineId) throw unchanged(`${this.controllerName(controllerId)} on line ${lineId}`);
    const doc = { schema: 'baseline.plant-edit/1', edit: 'controller-line', controllerId, lineId, previous, reason: requireReason(reason) };
    const { signature, actor } = this.signAsPlantEngineering(signer, 'placing a controller on a line', doc);
    this.deps.journal.append('controller.line-assigned', { controllerId, lineId, previous, reason: doc.reason, signature }, actor);
  }

  /** Marks a controller as a safety system (or not): every change to it then needs what a safety tag needs. Signed by plant engineering. */
  setControllerSafety(controllerId: string, safety: boolean, reason: string, signer: PlantSigner): void {
    this.deps.controllers.get(controllerId);
    if (this.placement(controllerId).safety === safety)
      throw unchanged(`${this.controllerName(controllerId)} (${safety ? 'a safety system' : 'not a safety system'})`);
    const doc = { schema: 'baseline.plant-edit/1', edit: 'controller-safety', controllerId, safety, reason: requireReason(reason) };
    const { signature, actor } = this.signAsPlantEngineering(signer, safety ? 'marking a safety system' : 'unmarking a safety system', doc);
    this.deps.journal.append('controller.safety-set', { controllerId, safety, reason: doc.reason, signature }, actor);
  }

  private placement(controllerId: string): { lineId: string | null; safety: boolean } {
    const placement = this.deps.model.placement(controllerId);
    if (!placement)
      throw new BaselineError(
        'controller-unknown',
        `No controller ${controllerId} is registered on this laptop.`,
        'Pick one from the Controllers screen.',
      );
    return placement;
  }
}

function lineUnknown(lineId: string): BaselineError {
  return new BaselineError(
    'line-unknown',
    `There is no line ${lineId} in the plant model.`,
    'Import the plant model, or pick one of its lines.',
  );
}

function unchanged(what: string): BaselineError {
  return new BaselineError('plant-unchanged', `${what} already reads exactly so; nothing to sign.`, 'Change a field before saving.');
}

function requireReason(reason: string): string {
  const r = reason.trim();
  if (r === '')
    throw new BaselineError(
      'reason-missing',
      'An edit of the plant model or the roster needs a reason.',
      'Say why, e.g. "quarterly tier review Q1" or "new labeler line commissioned".',
    );
  return r;
}

function invalid(what: 'site' | 'line', issues: { path: PropertyKey[]; message: string }[]): BaselineError {
  const problems = issues.map((i) => `${i.path.map(String).join('.') || what}: ${i.message}`);
  return new BaselineError(
    'plant-invalid',
    `The ${what} cannot be saved: ${problems.join('; ')}.`,
    'Correct the field and save again; nothing was changed.',
    { problems },
  );
}
