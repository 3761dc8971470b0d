/**
 * Reads a policy YAML file (format `baseline.policy/1`, see policy-schema.ts) and reports EVERY problem with the
 * file name, line, column and field path, e.g. `policy.yaml line 14, classes.normal.approvals[1]: unknown
 * approval group "cab2"`. Three passes, each collecting all its problems: YAML syntax (the `yaml` library, which
 * keeps node positions), the document's shape (zod), then the consistency rules (policy-rules.ts). A pass runs
 * only when the previous one found nothing, because its findings would be guesses about a broken document.
 */
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import type * as z from 'zod';
import { BaselineError } from '../errors.ts';
import { policyContradictions } from './policy-rules.ts';
import { POLICY_SCHEMA, PolicySchema, type Policy } from './policy-schema.ts';

/** One problem in a policy file: where it is (1-based line and column) and what is wrong. */
export interface PolicyError {
  file: string;
  line: number;
  column: number;
  /** The field, as `classes.normal.quorum` or `windows[2].periods[0].start`; empty for the whole file. */
  path: string;
  message: string;
}

/** The outcome of reading a policy file: the policy, or every problem found. */
export type PolicyParseResult = { ok: true; policy: Policy } | { ok: false; errors: PolicyError[] };

const MAX_POLICY_BYTES = 1024 * 1024;

/** `classes.normal.approvals[1]`, `tiers.1.notice`. */
export function formatPolicyPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out === '' ? String(seg) : `.${String(seg)}`;
  }
  return out;
}

/** One line per problem: `policy.yaml line 14, classes.normal.quorum: must be at least 1`. */
export function formatPolicyError(e: PolicyError): string {
  return e.path === '' ? `${e.file} line ${e.line}: ${e.message}` : `${e.file} line ${e.line}, ${e.path}: ${e.message}`;
}

interface Located {
  offset: number;
}

function keyText(key: unknown): string {
  return isScalar(key) ? String(key.value) : String(key);
}

/** The position of the node at `path`, or of the deepest part of the path that exists (a missing key: its parent). */
function locate(doc: Document, path: readonly PropertyKey[]): Located {
  let node: unknown = doc.contents;
  let offset = doc.contents?.range?.[0] ?? 0;
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && keyText(p.key) === String(seg));
      if (pair === undefined) break;
      const key = pair.key as { range?: [number, number, number] } | null;
      const value = pair.value as { range?: [number, number, number] } | null;
      offset = (isScalar(pair.value) ? value?.range?.[0] : key?.range?.[0]) ?? key?.range?.[0] ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg] as { range?: [number, number, number] } | undefined;
      if (item === undefined) break;
      offset = item.range?.[0] ?? offset;
      node = item;
    } else {
      break;
    }
  }
  return { offset };
}

function describeValue(value: unknown): string {
  if (value === null) return 'nothing (null)';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `"${value.length > 40 ? `${value.slice(0, 40)}...` : value}"`;
  return String(value);
}

const TYPE_WORDS: Readonly<Record<string, string>> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping (indented "field: value" lines)',
  record: 'a mapping (indented "name: value" lines)',
};

/** Plain-words messages for zod's built-in issues; schema-specific messages (set in policy-schema.ts) win. */
function friendly(iss: z.core.$ZodRawIssue): string | undefined {
  const i = iss as unknown as Record<string, unknown>;
  const input = iss.input;
  switch (iss.code) {
    case 'invalid_type': {
      if (input === undefined) return 'is required';
      const expected = String(i['expected']);
      return `must be ${TYPE_WORDS[expected] ?? expected} (found ${describeValue(input)})`;
    }
    case 'too_small': {
      const min = Number(i['minimum']);
      if (i['origin'] === 'array') return `must list at least ${min} item${min === 1 ? '' : 's'}`;
      if (i['origin'] === 'string') return min === 1 ? 'must not be empty' : `must have at least ${min} characters`;
      return i['inclusive'] === false ? `must be more than ${min}` : `must be at least ${min}`;
    }
    case 'too_big': {
      const max = Number(i['maximum']);
      if (i['origin'] === 'array') return `must list at most ${max} items`;
      if (i['origin'] === 'string') return `must have at most ${max} characters`;
      return i['inclusive'] === false ? `must be less than ${max}` : `must be at most ${max}`;
    }
    case 'invalid_value': {
      const values = (i['values'] as unknown[] | undefined) ?? [];
      const wanted = values.length === 1 ? JSON.stringify(values[0]) : `one of ${values.map((v) => String(v)).join(', ')}`;
      return `must be ${wanted} (found ${describeValue(input)})`;
    }
    case 'invalid_union': {
      const options = i['options'] as unknown[] | undefined;
      const discriminator = i['discriminator'] as string | undefined;
      if (options !== undefined && discriminator !== undefined) {
        const found = typeof input === 'object' && input !== null ? (input as Record<string, unknown>)[discriminator] : undefined;
        return found === undefined
          ? `is required: one of ${options.map(String).join(', ')}`
          : `must be one of ${options.map(String).join(', ')} (found ${describeValue(found)})`;
      }
      return undefined;
    }
    default:
      return undefined;
  }
}

function yamlMessage(message: string): string {
  const first = message.split('\n')[0] ?? message;
  return first.replace(/ at line \d+, column \d+:?$/, '');
}

/** Reads a policy file's text; `file` is the name shown in every message (e.g. `policy.yaml`). */
export function parsePolicyYaml(text: string, file: string): PolicyParseResult {
  const errors: PolicyError[] = [];
  const lineCounter = new LineCounter();
  const at = (offset: number, path: readonly PropertyKey[], message: string): void => {
    const pos = lineCounter.linePos(offset);
    errors.push({ file, line: pos.line, column: pos.col, path: formatPolicyPath(path), message });
  };
  if (text.length > MAX_POLICY_BYTES) {
    return {
      ok: false,
      errors: [
        {
          file,
          line: 1,
          column: 1,
          path: '',
          message: `the file is ${text.length} characters long; a policy is at most ${MAX_POLICY_BYTES}`,
        },
      ],
    };
  }
  const source = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const doc = parseDocument(source, { lineCounter, uniqueKeys: true, prettyErrors: true, version: '1.2' });

  // Pass 1: YAML syntax.
  for (const e of doc.errors) {
    const pos = e.linePos?.[0];
    errors.push({ file, line: pos?.line ?? 1, column: pos?.col ?? 1, path: '', message: `YAML syntax: ${yamlMessage(e.message)}` });
  }
  if (errors.length > 0) return { ok: false, errors };
  if (doc.contents === null || !isMap(doc.contents)) {
    const what = doc.contents === null ? 'the file is empty' : 'the file must be a mapping of fields (schema:, revision:, classes: ...)';
    return {
      ok: false,
      errors: [{ file, line: 1, column: 1, path: '', message: `${what}; a policy starts with "schema: ${POLICY_SCHEMA}"` }],
    };
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    return {
      ok: false,
      errors: [{ file, line: 1, column: 1, path: '', message: `YAML cannot be read: ${err instanceof Error ? err.message : String(err)}` }],
    };
  }

  // The version first: a document of another major version is not judged by this version's rules.
  const schema = (data as Record<string, unknown>)['schema'];
  if (schema !== POLICY_SCHEMA) {
    const other = typeof schema === 'string' ? /^baseline\.policy\/(\d+)$/.exec(schema) : null;
    at(
      locate(doc, ['schema']).offset,
      ['schema'],
      schema === undefined
        ? `is required: a policy starts with "schema: ${POLICY_SCHEMA}"`
        : other !== null
          ? `version ${other[1]} of the policy format is not known to this Baseline, which reads ${POLICY_SCHEMA}; update Baseline or write the policy in ${POLICY_SCHEMA}`
          : `${describeValue(schema)} is not a Baseline policy format; a policy starts with "schema: ${POLICY_SCHEMA}"`,
    );
    return { ok: false, errors };
  }

  // Pass 2: shape.
  const parsed = PolicySchema.safeParse(data, { reportInput: true, error: friendly });
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      if (issue.code === 'unrecognized_keys') {
        for (const key of issue.keys) {
          const path = [...issue.path, key];
          at(locate(doc, path).offset, path, `unknown field "${key}" (check its spelling and indentation)`);
        }
      } else if (issue.code === 'invalid_key') {
        const inner = issue.issues[0]?.message ?? issue.message;
        const key = issue.path[issue.path.length - 1];
        at(locate(doc, issue.path).offset, issue.path, `"${String(key)}" is not a valid name: it ${inner}`);
      } else {
        at(locate(doc, issue.path).offset, issue.path, issue.message);
      }
    }
    return { ok: false, errors: sortErrors(errors) };
  }

  // Pass 3: consistency.
  for (const problem of policyContradictions(parsed.data)) at(locate(doc, problem.path).offset, problem.path, problem.message);
  if (errors.length > 0) return { ok: false, errors: sortErrors(errors) };
  return { ok: true, policy: parsed.data };
}

function sortErrors(errors: PolicyError[]): PolicyError[] {
  return errors.sort((a, b) => a.line - b.line || a.column - b.column);
}

/** Reads a policy file or throws one BaselineError (`policy-invalid`) whose details list every problem. */
export function loadPolicyYaml(text: string, file: string): Policy {
  const result = parsePolicyYaml(text, file);
  if (result.ok) return result.policy;
  const shown = result.errors.slice(0, 3).map(formatPolicyError).join('; ');
  const more = result.errors.length > 3 ? `; and ${result.errors.length - 3} more` : '';
  throw new BaselineError(
    'policy-invalid',
    `The policy ${file} cannot be used: ${result.errors.length} problem${result.errors.length === 1 ? '' : 's'} (${shown}${more}).`,
    'Correct the listed lines and load the policy again; the policy in force stays as it was.',
    { file, errors: result.errors },
  );
}
