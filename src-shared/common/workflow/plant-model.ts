/**
 * The plant model (issue #5): a site and its lines with their tiers (set by plant engineering). Imported from
 * YAML (`baseline.plant/1`) with errors naming file, line and field, like the policy.
 */
import { LineCounter, parseDocument, isMap, isSeq } from 'yaml';
import { z } from 'zod';
import { BaselineError } from '../errors.ts';

const Id = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$/, 'must be letters, digits, dot, dash or underscore (at most 40)');

/** The plant document. */
export const PlantSchema = z.object({
  schema: z.literal('baseline.plant/1'),
  site: z.object({ id: Id, name: z.string().min(1).max(120) }).strict(),
  lines: z.array(z.object({ id: Id, name: z.string().min(1).max(120), tier: z.union([z.literal(1), z.literal(2), z.literal(3)]) }).strict()).min(1).max(500),
}).strict();

/** A plant: its site and lines. */
export type Plant = z.output<typeof PlantSchema>;

/** Parses a plant YAML file; throws one BaselineError listing every problem with its line. */
export function parsePlantYaml(text: string, file: string): Plant {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, uniqueKeys: true });
  const problems: string[] = doc.errors.map((e) => `${file} line ${counter.linePos(e.pos[0]).line}: ${e.message.split('\n')[0]}`);
  if (problems.length === 0) {
    const parsed = PlantSchema.safeParse(doc.toJS());
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        let node: unknown = doc.contents;
        for (const key of issue.path) {
          if (isMap(node)) node = node.get(key as string, true);
          else if (isSeq(node)) node = node.get(key as number, true);
          else break;
        }
        const offset = (node as { range?: [number, number, number] } | undefined)?.range?.[0] ?? 0;
        problems.push(`${file} line ${counter.linePos(offset).line}, ${issue.path.join('.') || '(document)'}: ${issue.message}`);
      }
    } else {
      const seen = new Set<string>();
      for (const l of parsed.data.lines) {
        if (seen.has(l.id)) problems.push(`${file}, lines: line id ${l.id} appears twice`);
        seen.add(l.id);
      }
      if (problems.length === 0) return parsed.data;
    }
  }
  throw new BaselineError('plant-invalid', `The plant file cannot be used: ${problems.slice(0, 3).join('; ')}${problems.length > 3 ? `; and ${problems.length - 3} more` : ''}.`,
    'Correct the listed lines and import it again; nothing was changed.', { problems });
}
