/**
 * Read side of the plant model's projections: sites, lines with their tiers, the people roster, and where each
 * controller sits in the plant (its line, whether it is a safety system). Writes happen only through journal
 * events (projections.ts); `transaction` lets a service append several events as one.
 */
import type Database from 'better-sqlite3';
import type { PlantLine, Site } from '../../src-shared/common/workflow/plant-model.ts';
import type { RosterEntry } from '../../src-shared/common/workflow/people-roster.ts';

/** Where a controller sits: its line (null when on none) and whether it is a safety system. */
export interface ControllerPlacement {
  lineId: string | null;
  safety: boolean;
}

/** Queries over sites, lines, the roster and controller placement. */
export class PlantModelRepository {
  private readonly db: Database.Database;

  constructor(db: Database.Database) {
    this.db = db;
  }

  /** Runs `fn` in one database transaction (every journal append in it lands, or none). */
  transaction(fn: () => void): void {
    this.db.transaction(fn)();
  }

  /** The plant's sites, by id. */
  sites(): Site[] {
    return this.db.prepare('SELECT id, name FROM plant_sites ORDER BY id').all() as Site[];
  }

  /** The plant's lines, by id. */
  lines(): PlantLine[] {
    return this.db.prepare('SELECT id, name, tier, site_id AS site FROM plant_lines ORDER BY id').all() as PlantLine[];
  }

  /** The people roster, by employee id. */
  roster(): RosterEntry[] {
    return (
      this.db.prepare('SELECT employee_id, name, roles, site_id, active FROM roster ORDER BY employee_id').all() as {
        employee_id: string;
        name: string;
        roles: string;
        site_id: string | null;
        active: number;
      }[]
    ).map((r) => ({
      employeeId: r.employee_id,
      name: r.name,
      roles: JSON.parse(r.roles) as string[],
      site: r.site_id,
      active: r.active === 1,
    }));
  }

  /** Every registered controller's placement, by controller id. */
  placements(): Map<string, ControllerPlacement> {
    return new Map(
      (
        this.db.prepare('SELECT id, line_id, safety FROM controllers').all() as { id: string; line_id: string | null; safety: number }[]
      ).map((r) => [r.id, { lineId: r.line_id, safety: r.safety === 1 }]),
    );
  }

  /** One controller's placement, or null when it is not registered. */
  placement(controllerId: string): ControllerPlacement | null {
    const row = this.db.prepare('SELECT line_id, safety FROM controllers WHERE id = ?').get(controllerId) as
      { line_id: string | null; safety: number } | undefined;
    return row ? { lineId: row.line_id, safety: row.safety === 1 } : null;
  }

  /** The line of each controller that is on one. */
  controllerLines(): Record<string, string> {
    return Object.fromEntries(
      (
        this.db.prepare('SELECT id, line_id FROM controllers WHERE line_id IS NOT NULL AND retired_at IS NULL').all() as {
          id: string;
          line_id: string;
        }[]
      ).map((r) => [r.id, r.line_id]),
    );
  }

  /** The ids of the controllers marked as safety systems. */
  safetyControllerIds(): string[] {
    return (this.db.prepare('SELECT id FROM controllers WHERE safety = 1').all() as { id: string }[]).map((r) => r.id);
  }

  /** The names of the controllers on a line, by name. */
  controllerNamesOnLine(lineId: string): string[] {
    return (
      this.db.prepare('SELECT name FROM controllers WHERE line_id = ? AND retired_at IS NULL ORDER BY name').all(lineId) as {
        name: string;
      }[]
    ).map((r) => r.name);
  }

  /** A controller's name, or null when it is not registered. */
  controllerName(controllerId: string): string | null {
    return (this.db.prepare('SELECT name FROM controllers WHERE id = ?').get(controllerId) as { name: string } | undefined)?.name ?? null;
  }
}
