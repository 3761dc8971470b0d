/**
 * The plant model (issue #5): sites and their lines with their tiers (set by plant engineering), and the
 * controllers on them. Imported from YAML (`baseline.plant/1`, with or without controllers) or from a CSV of lines, with errors naming file, line and field, like the policy;
 * edited one line or site at a time in the app (plant-edit events).
 */
import * as z from 'zod';
import { BaselineError } from '../errors.ts';
import { ControllerTargetSchema } from '../capture/controller-target.ts';
import { firstProblems, readYamlDocument } from '../yaml-document.ts';
import { formatCsvProblem, readCsvTable, rowShapeProblems, sortProblems, type CsvProblem } from '../csv-table.ts';

/** Ids of sites and lines. */
export const PlantId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$/, 'must be letters, digits, dot, dash or underscore (at most 40)');
// No trimming here: journalled plant events are re-read with this schema, and must read back exactly as stored.
// Inputs are trimmed where they come in (CSV cells, the Plant screen's fields).
const Name = z.string().min(1, 'must not be empty').max(120, 'must be at most 120 characters');
/** A line's tier: 1 (most critical) to 3. */
export const TierSchema = z.union([z.literal(1), z.literal(2), z.literal(3)], { error: 'must be 1, 2 or 3' });

/** A site of the plant. */
export const SiteSchema = z.object({ id: PlantId, name: Name }).strict();
/** A line: on one site (named when the plant has more than one), with its tier. */
export const LineSchema = z.object({ id: PlantId, name: Name, tier: TierSchema, site: PlantId.optional() }).strict();

/**
 * A controller as the plant file lists it: its name (unique, case-insensitive), line, connection settings, capture
 * profile (the name of a profile imported on this laptop, the newest of that name, or its full SHA-256) and whether
 * it is a safety system.
 */
export const PlantControllerSchema = z
  .object({
    name: z.string().trim().min(1, 'must not be empty').max(120),
    line: PlantId,
    target: ControllerTargetSchema,
    profile: z.string().trim().min(1).max(120).optional(),
    /** Left out: a new controller is not a safety system, a registered one keeps its flag. */
    safety: z.boolean().optional(),
  })
  .strict();

/** A controller entry of the plant file (defaults filled in). */
export type PlantController = z.output<typeof PlantControllerSchema>;

/**
 * The plant document: one `site` or a list of `sites`, the lines, and optionally the controllers on them. Files written before sites were a list
 * (`site:` only) stay valid, and so do the `plant.imported` events that carry them.
 */
export const PlantSchema = z
  .object({
    schema: z.literal('baseline.plant/1'),
    site: SiteSchema.optional(),
    sites: z.array(SiteSchema).min(1).max(100).optional(),
    lines: z.array(LineSchema).min(1).max(500),
    controllers: z.array(PlantControllerSchema).max(5000).optional(),
  })
  .strict()
  .superRefine((plant, ctx) => {
    if ((plant.site === undefined) === (plant.sites === undefined)) {
      ctx.addIssue({ code: 'custom', path: [], message: 'give either "site" (one site) or "sites" (a list), not both and not neither' });
      return;
    }
    const sites = plant.sites ?? [plant.site!];
    const siteIds = new Set<string>();
    sites.forEach((s, i) => {
      if (siteIds.has(s.id)) ctx.addIssue({ code: 'custom', path: ['sites', i, 'id'], message: `site id ${s.id} appears twice` });
      siteIds.add(s.id);
    });
    const lineIds = new Set<string>();
    plant.lines.forEach((l, i) => {
      if (lineIds.has(l.id)) ctx.addIssue({ code: 'custom', path: ['lines', i, 'id'], message: `line id ${l.id} appears twice` });
      lineIds.add(l.id);
      if (l.site !== undefined && !siteIds.has(l.site))
        ctx.addIssue({
          code: 'custom',
          path: ['lines', i, 'site'],
          message: `there is no site ${l.site} (sites: ${[...siteIds].join(', ')})`,
        });
      if (l.site === undefined && sites.length > 1)
        ctx.addIssue({ code: 'custom', path: ['lines', i], message: `the plant has ${sites.length} sites, so each line names its site` });
    });
    const names = new Set<string>();
    (plant.controllers ?? []).forEach((c, i) => {
      if (names.has(c.name.toLowerCase()))
        ctx.addIssue({ code: 'custom', path: ['controllers', i, 'name'], message: `controller ${c.name} appears twice` });
      names.add(c.name.toLowerCase());
      if (!lineIds.has(c.line))
        ctx.addIssue({ code: 'custom', path: ['controllers', i, 'line'], message: `there is no line ${c.line} in this file` });
    });
  });

/** A plant document as imported. */
export type Plant = z.output<typeof PlantSchema>;
/** A site. */
export type Site = z.output<typeof SiteSchema>;
/** A line with its site always named. */
export type PlantLine = { id: string; name: string; tier: 1 | 2 | 3; site: string };

/** The plant with every line's site filled in. */
export function plantSitesAndLines(plant: Plant): { sites: Site[]; lines: PlantLine[] } {
  const sites = plant.sites ?? [plant.site!];
  return { sites, lines: plant.lines.map((l) => ({ id: l.id, name: l.name, tier: l.tier, site: l.site ?? sites[0]!.id })) };
}

function refuse(file: string, problems: string[]): never {
  throw new BaselineError(
    'plant-invalid',
    `The plant file cannot be used: ${firstProblems(problems)}.`,
    'Correct the listed lines and import it again; nothing was changed.',
    { problems },
  );
}

/** Parses a plant YAML file; throws one BaselineError listing every problem with its line. */
export function parsePlantYaml(text: string, file: string): Plant {
  const read = readYamlDocument(text, file, PlantSchema);
  return read.ok ? read.data : refuse(file, read.problems);
}

/** The columns of a plant lines CSV file (docs/formats.md), in the order Baseline writes them. */
export const PLANT_CSV_COLUMNS = ['site', 'site_name', 'line', 'line_name', 'tier'] as const;
type PlantColumn = (typeof PLANT_CSV_COLUMNS)[number];

/**
 * Parses a CSV of lines: `site,site_name,line,line_name,tier`, one row per line. A site's name is given on at least
 * one of its rows and must not contradict itself. Throws one BaselineError listing every problem by line and column.
 */
export function parsePlantCsv(text: string, file: string): Plant {
  const table = readCsvTable(text, PLANT_CSV_COLUMNS, PLANT_CSV_COLUMNS, ['line', 'lines']);
  const problems: CsvProblem[] = [...table.problems];
  if (problems.length > 0)
    return refuse(
      file,
      sortProblems(problems, table).map((p) => `${file} ${formatCsvProblem(p)}`),
    );
  const siteNames = new Map<string, { name: string; line: number }>();
  const siteOrder: string[] = [];
  const lines: z.input<typeof LineSchema>[] = [];
  const lineAt = new Map<string, number>();
  for (const row of table.rows) {
    problems.push(...rowShapeProblems(table, row));
    const add = (column: PlantColumn, message: string): void => {
      problems.push({ line: row.line, column, message });
    };
    const check = <T>(column: PlantColumn, schema: z.ZodType<T>, value: unknown): T | undefined => {
      const r = schema.safeParse(value);
      if (!r.success) add(column, `"${String(value)}" ${r.error.issues[0]?.message ?? 'is not valid'}`);
      return r.success ? r.data : undefined;
    };
    const site = check('site', PlantId, row.cell('site').trim());
    const siteName = row.cell('site_name').trim();
    if (site !== undefined && siteName !== '') {
      const known = siteNames.get(site);
      if (known && known.name !== siteName)
        add('site_name', `site ${site} is named "${known.name}" on line ${known.line}; one site has one name`);
      else if (!known) siteNames.set(site, { name: siteName, line: row.line });
    }
    if (site !== undefined && !siteOrder.includes(site)) siteOrder.push(site);
    const id = check('line', PlantId, row.cell('line').trim());
    if (id !== undefined) {
      const seen = lineAt.get(id);
      if (seen !== undefined) add('line', `line ${id} is already defined on line ${seen} of the file; line ids are unique`);
      else lineAt.set(id, row.line);
    }
    const name = check('line_name', Name, row.cell('line_name').trim());
    const tierText = row.cell('tier').trim();
    const tier = check('tier', TierSchema, /^\d+$/.test(tierText) ? Number(tierText) : tierText);
    if (site !== undefined && id !== undefined && name !== undefined && tier !== undefined) lines.push({ id, name, tier, site });
  }
  for (const site of siteOrder) {
    if (!siteNames.has(site))
      problems.push({
        line: table.rows.find((r) => r.cell('site').trim() === site)!.line,
        column: 'site_name',
        message: `site ${site} has no name on any of its rows`,
      });
  }
  if (problems.length > 0)
    return refuse(
      file,
      sortProblems(problems, table).map((p) => `${file} ${formatCsvProblem(p)}`),
    );
  return PlantSchema.parse({ schema: 'baseline.plant/1', sites: siteOrder.map((id) => ({ id, name: siteNames.get(id)!.name })), lines });
}

/** Reads a plant file by its name: `.csv` as a lines CSV, anything else as YAML. */
export function parsePlantFile(text: string, file: string): Plant {
  return /\.csv$/i.test(file) ? parsePlantCsv(text, file) : parsePlantYaml(text, file);
}
