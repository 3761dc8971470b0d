/**
 * Read side of the adopted policies (`policies`, projected from `policy.adopted` events): the latest adoption is
 * the policy in force.
 */
import type Database from 'better-sqlite3';

/** An adopted policy as stored. */
export interface AdoptedPolicyRow {
  event_id: string;
  revision: number;
  name: string;
  sha256: string;
  yaml: string;
  source: string;
  adopted_by: string;
  adopted_at: string;
}

/** An adopted revision of the checklist templates, as its `checklists.adopted` event recorded it. */
export interface AdoptedChecklistsRow {
  eventId: string;
  revision: number;
  name: string;
  sha256: string;
  yaml: string;
  source: string;
  adoptedBy: string;
  adoptedAt: string;
}

/** Queries over adopted policies and checklist templates. */
export class PolicyRepository {
  private readonly db: Database.Database;

  constructor(db: Database.Database) {
    this.db = db;
  }

  /** The latest adopted policy (highest revision, then latest adoption), or undefined when none was adopted. */
  latestAdopted(): AdoptedPolicyRow | undefined {
    return this.db.prepare('SELECT * FROM policies ORDER BY revision DESC, adopted_at DESC LIMIT 1').get() as AdoptedPolicyRow | undefined;
  }

  /**
   * The adopted checklist templates in force (highest revision, then latest adoption), read from the signed events
   * themselves: a handful of rows, so no projection table (and no migration) is needed.
   */
  latestChecklists(): AdoptedChecklistsRow | undefined {
    const rows = this.db.prepare(`SELECT id, payload, at FROM events WHERE type = 'checklists.adopted'`).all() as {
      id: string;
      payload: string;
      at: string;
    }[];
    let best: AdoptedChecklistsRow | undefined;
    for (const r of rows) {
      const p = JSON.parse(r.payload) as {
        revision: number;
        name: string;
        sha256: string;
        yaml: string;
        source: string;
        signature: { signer: { name: string } };
      };
      const row = {
        eventId: r.id,
        revision: p.revision,
        name: p.name,
        sha256: p.sha256,
        yaml: p.yaml,
        source: p.source,
        adoptedBy: p.signature.signer.name,
        adoptedAt: r.at,
      };
      if (!best || row.revision > best.revision || (row.revision === best.revision && row.adoptedAt > best.adoptedAt)) best = row;
    }
    return best;
  }
}
