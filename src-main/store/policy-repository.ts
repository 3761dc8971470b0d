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

/** Queries over adopted policies. */
export class PolicyRepository {
  private readonly db: Database.Database;

  constructor(db: Database.Database) {
    this.db = db;
  }

  /** The latest adopted policy (highest revision, then latest adoption), or undefined when none was adopted. */
  latestAdopted(): AdoptedPolicyRow | undefined {
    return this.db.prepare('SELECT * FROM policies ORDER BY revision DESC, adopted_at DESC LIMIT 1').get() as AdoptedPolicyRow | undefined;
  }
}
