/**
 * The plant's checklist templates (issue #15): the revision shipped in resources/checklists/checklist-templates.yaml
 * until the plant adopts its own, adopted like the policy: checked in full first, a higher revision, signed by plant
 * engineering ("approved", over the file's SHA-256) and journalled whole (`checklists.adopted`).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BaselineError } from '../../src-shared/common/errors.ts';
import type { Actor } from '../../src-shared/common/journal-event.ts';
import { parseChecklistTemplates, type ChecklistTemplates } from '../../src-shared/common/workflow/checklists.ts';
import type { CheckpointSet } from '../../src-shared/common/workflow/checkpoints.ts';
import { sha256Hex } from '../../src-shared/node/hash.ts';
import type { JournalRepository } from '../store/journal-repository.ts';
import type { PolicyRepository } from '../store/policy-repository.ts';
import { PLANT_ENGINEERING, type IdentityService } from './identity-service.ts';

/** The file shipped with Baseline (revision 1 of every plant's templates). */
export const SHIPPED_CHECKLISTS = join('checklists', 'checklist-templates.yaml');

/** The templates in force and where they came from. */
export interface ChecklistsInForce {
  name: string;
  revision: number;
  sha256: string;
  source: string;
  /** Null for the templates shipped with Baseline. */
  adoptedBy: string | null;
  adoptedAt: string | null;
  templates: ChecklistTemplates;
}

/** Holds the checklist templates in force: the latest adopted revision, else the shipped one. */
export class ChecklistTemplateService {
  private readonly deps: {
    resourcesDir: string;
    repo: PolicyRepository;
    journal: JournalRepository;
    identity: () => IdentityService;
    checkpoints: () => CheckpointSet;
  };
  private shipped: ChecklistsInForce | null = null;
  private cache: { eventId: string; inForce: ChecklistsInForce } | null = null;

  constructor(deps: ChecklistTemplateService['deps']) {
    this.deps = deps;
  }

  private checkpointIds(): string[] {
    return this.deps.checkpoints().checkpoints.map((c) => c.id);
  }

  /** The shipped templates, read once; a missing or malformed file refuses ticks and checkpoint decisions, never anything else. */
  private shippedTemplates(): ChecklistsInForce {
    if (this.shipped) return this.shipped;
    const file = join(this.deps.resourcesDir, SHIPPED_CHECKLISTS);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      throw new BaselineError(
        'checklists-missing',
        `The checklist templates file ${file} cannot be read.`,
        `Reinstall Baseline, or restore resources/${SHIPPED_CHECKLISTS}.`,
      );
    }
    const templates = parseChecklistTemplates(text, 'checklist-templates.yaml', this.checkpointIds());
    this.shipped = {
      name: templates.name,
      revision: templates.revision,
      sha256: sha256Hex(text),
      source: 'checklist-templates.yaml (shipped with Baseline)',
      adoptedBy: null,
      adoptedAt: null,
      templates,
    };
    return this.shipped;
  }

  /** The templates in force, with their revision, hash and who adopted them. */
  inForce(): ChecklistsInForce {
    const row = this.deps.repo.latestChecklists();
    if (!row) return this.shippedTemplates();
    if (this.cache?.eventId !== row.eventId) {
      this.cache = {
        eventId: row.eventId,
        inForce: {
          name: row.name,
          revision: row.revision,
          sha256: row.sha256,
          source: row.source,
          adoptedBy: row.adoptedBy,
          adoptedAt: row.adoptedAt,
          templates: parseChecklistTemplates(row.yaml, row.source, this.checkpointIds()),
        },
      };
    }
    return this.cache.inForce;
  }

  /** The revision and SHA-256 of the templates in force, for what a signature relied on (null when they cannot be read). */
  revisionInForce(): { revision: number; sha256: string } | null {
    try {
      const t = this.inForce();
      return { revision: t.revision, sha256: t.sha256 };
    } catch {
      return null;
    }
  }

  /** The templates in force. */
  current(): ChecklistTemplates {
    return this.inForce().templates;
  }

  /** The YAML text of a revision (adopted, or the shipped one); null when this data directory does not hold it. */
  yamlOf(revision: number): string | null {
    const row = this.deps.repo.latestChecklists();
    if (row?.revision === revision) return row.yaml;
    const shipped = this.shippedTemplates();
    return shipped.revision === revision ? readFileSync(join(this.deps.resourcesDir, SHIPPED_CHECKLISTS), 'utf8') : null;
  }

  /**
   * Adopts a new revision of the templates: every line checked first (nothing changes if one is wrong), a revision
   * higher than the one in force, signed by a plant engineering manager or a Baseline administrator. Ticks already
   * recorded keep the revision they were made under; new ticks use the adopted one.
   */
  adopt(yaml: string, source: string, employeeId: string, password: string, actor: Actor): { revision: number; name: string } {
    const templates = parseChecklistTemplates(yaml, source, this.checkpointIds());
    const inForce = this.inForce();
    if (templates.revision <= inForce.revision) {
      throw new BaselineError(
        'checklists-revision',
        `${source} is revision ${templates.revision}; the checklist templates in force ("${inForce.name}") are already revision ${inForce.revision}.`,
        `Raise "revision:" in the file above ${inForce.revision} for a new version of the templates, and adopt it again.`,
      );
    }
    const person = this.deps.identity().personByEmployeeId(employeeId);
    if (!person.roles.some((r) => PLANT_ENGINEERING.includes(r))) {
      throw new BaselineError(
        'role-not-held',
        `${person.name} holds ${person.roles.join(', ') || 'no role'}; adopting checklist templates needs one of ${PLANT_ENGINEERING.join(', ')}.`,
        'Ask the plant engineering manager to adopt them.',
      );
    }
    const sha256 = sha256Hex(yaml);
    const signature = this.deps.identity().sign(employeeId, password, 'approved', sha256);
    this.deps.journal.append(
      'checklists.adopted',
      { revision: templates.revision, name: templates.name, sha256, yaml, source, signature },
      actor,
    );
    return { revision: templates.revision, name: templates.name };
  }
}
