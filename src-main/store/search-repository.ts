/**
 * The global search's reads: changes by number and title, controllers in service by name and address, people by
 * name and employee id (roster and enrolled). Matching is a case-insensitive substring (`instr`), so a typed `%` or
 * `_` means itself.
 */
import type Database from 'better-sqlite3';

/** Queries of the header's search box. */
export class SearchRepository {
  private readonly db: Database.Database;

  constructor(db: Database.Database) {
    this.db = db;
  }

  /** Changes whose plant number, title or id contains `needle` (lower case), newest first. */
  changes(needle: string, limit: number): { id: string; number: string | null; title: string; status: string }[] {
    return this.db
      .prepare(
        `SELECT id, json_extract(state, '$.number') AS number, title, status FROM changes
      WHERE instr(lower(coalesce(json_extract(state, '$.number'), '')), ?) > 0 OR instr(lower(title), ?) > 0 OR instr(id, ?) = 1
      ORDER BY created_at DESC LIMIT ?`,
      )
      .all(needle, needle, needle, limit) as { id: string; number: string | null; title: string; status: string }[];
  }

  /** Controllers in service whose name or address contains `needle`, with their line. */
  controllers(needle: string, limit: number): { id: string; name: string; target: string; lineId: string | null }[] {
    return this.db
      .prepare(
        `SELECT id, name, target, line_id AS lineId FROM controllers
      WHERE retired_at IS NULL AND (instr(lower(name), ?) > 0 OR instr(lower(target), ?) > 0 OR instr(lower(coalesce(line_id, '')), ?) = 1)
      ORDER BY name LIMIT ?`,
      )
      .all(needle, needle, needle, limit) as { id: string; name: string; target: string; lineId: string | null }[];
  }

  /** Controllers in service with a capture profile (the tags search reads their profiles). */
  profiledControllers(): { id: string; name: string; profileSha256: string }[] {
    return this.db
      .prepare(
        'SELECT id, name, profile_sha256 AS profileSha256 FROM controllers WHERE retired_at IS NULL AND profile_sha256 IS NOT NULL ORDER BY name',
      )
      .all() as { id: string; name: string; profileSha256: string }[];
  }

  /** People on the roster or enrolled here whose name or employee id contains `needle` (roster first; roles as the roster or certificate says). */
  people(needle: string, limit: number): { employeeId: string; name: string; roles: string[]; active: boolean }[] {
    const roster = (
      this.db
        .prepare(
          `SELECT employee_id AS employeeId, name, roles, active FROM roster
      WHERE instr(lower(name), ?) > 0 OR instr(lower(employee_id), ?) > 0 ORDER BY name LIMIT ?`,
        )
        .all(needle, needle, limit) as { employeeId: string; name: string; roles: string; active: number }[]
    ).map((r) => ({ employeeId: r.employeeId, name: r.name, roles: JSON.parse(r.roles) as string[], active: r.active === 1 }));
    const enrolled = (
      this.db
        .prepare(
          `SELECT DISTINCT employee_id AS employeeId, name, roles FROM people
      WHERE (instr(lower(name), ?) > 0 OR instr(lower(employee_id), ?) > 0) AND employee_id NOT IN (SELECT employee_id FROM roster) ORDER BY name LIMIT ?`,
        )
        .all(needle, needle, limit) as { employeeId: string; name: string; roles: string }[]
    ).map((r) => ({ employeeId: r.employeeId, name: r.name, roles: r.roles ? r.roles.split(',') : [], active: true }));
    return [...roster, ...enrolled].slice(0, limit);
  }
}
