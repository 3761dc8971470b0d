/**
 * Reading a YAML document against a zod schema (plant model, execution checkpoints), every problem named by file,
 * line and field path: `plant.yaml line 4, lines.0.tier: must be 1, 2 or 3`. The policy document has its own reader
 * (policy-yaml.ts), which also reports columns and runs the policy's consistency rules.
 */
import { LineCounter, parseDocument, isMap, isSeq } from 'yaml';
import type * as z from 'zod';

/** The data the schema produced, or every problem found. */
export type YamlDocumentResult<T> = { ok: true; data: T } | { ok: false; problems: string[] };

/** Parses `text` (named `file` in messages) and checks it against `schema`. */
export function readYamlDocument<S extends z.ZodType>(text: string, file: string, schema: S): YamlDocumentResult<z.output<S>> {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, uniqueKeys: true });
  const problems: string[] = doc.errors.map((e) => `${file} line ${counter.linePos(e.pos[0]).line}: ${e.message.split('\n')[0]}`);
  if (problems.length > 0) return { ok: false, problems };
  let data: unknown;
  try {
    // The yaml library refuses documents whose aliases expand past maxAliasCount (a "billion laughs" bomb).
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    return {
      ok: false,
      problems: [`${file}: the YAML cannot be read (${why}); write each value out instead of repeating it through aliases (*name)`],
    };
  }
  const parsed = schema.safeParse(data);
  if (parsed.success) return { ok: true, data: parsed.data };
  for (const issue of parsed.error.issues) {
    let node: unknown = doc.contents;
    for (const key of issue.path) {
      if (isMap(node)) node = node.get(key as string, true);
      else if (isSeq(node)) node = node.get(key as number, true);
      else break;
    }
    const offset = (node as { range?: [number, number, number] } | undefined)?.range?.[0] ?? 0;
    problems.push(`${file} line ${counter.linePos(offset).line}, ${issue.path.map(String).join('.') || '(document)'}: ${issue.message}`);
  }
  return { ok: false, problems };
}

/** "a; b; c; and 2 more": the first problems of a list, for an error message (the details carry them all). */
export function firstProblems(problems: readonly string[]): string {
  return `${problems.slice(0, 3).join('; ')}${problems.length > 3 ? `; and ${problems.length - 3} more` : ''}`;
}
