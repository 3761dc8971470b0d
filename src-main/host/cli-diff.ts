/** `baseline diff A B`: compares two snapshot (or capture) files offline. Exit 0 identical, 3 different, 1 error. */
import { readFileSync } from 'node:fs';
import { BaselineError } from '../../src-shared/common/errors.ts';
import type { CaptureDocument } from '../../src-shared/common/capture/capture-document.ts';
import { diffableFromCapture } from '../../src-shared/common/diff/diffable-document.ts';
import { diffDocuments, isDifference } from '../../src-shared/common/diff/document-diff.ts';
import { formatDiffValue } from '../../src-shared/common/diff/diff-value-format.ts';
import { diffTextArtefact, isTextArtefact } from '../../src-shared/common/diff/artefact-diff.ts';
import type { Artefact } from '../../src-shared/common/snapshot/snapshot.ts';
import { CaptureDocumentSchema, schemaProblems, SnapshotFileSchema } from '../../src-shared/common/snapshot/snapshot-schema.ts';
import { firstProblems } from '../../src-shared/common/yaml-document.ts';
import { verifySnapshotBytes, type SnapshotVerdict } from '../../src-shared/node/snapshot-verifier.ts';
import { storedFilesOf } from '../services/data-directory-reader.ts';
import { trustFor } from './cli-people.ts';

interface Io {
  out(text: string): void;
}

/** A file `baseline diff` read: its document, and whether it is a snapshot (which can be signed) or a bare capture. */
export interface DiffInput {
  document: CaptureDocument;
  snapshot: boolean;
  bytes: Buffer;
}

/** Reads a snapshot file (`baseline.snapshot/1`, signed or not) or a bare capture document, checked against its schema. */
export function readCaptureLike(path: string): DiffInput {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch {
    throw new BaselineError('diff-unreadable', `The file ${path} cannot be read.`, 'Check the path.');
  }
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new BaselineError(
      'diff-unreadable',
      `${path} is not complete JSON (truncated, or not a snapshot).`,
      'Use a snapshot file written by `baseline capture --out` or exported from Baseline.',
    );
  }
  const use = 'Use a snapshot file written by `baseline capture --out` or exported from Baseline, unedited.';
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new BaselineError(
      'diff-invalid',
      `${path} holds ${json === null ? 'null' : Array.isArray(json) ? 'a list' : `a ${typeof json}`}, not a snapshot.`,
      use,
    );
  }
  const file = json as { schema?: unknown; document?: { schema?: unknown } | null };
  const snapshot = file.schema === 'baseline.snapshot/1';
  const docSchema = snapshot ? file.document?.schema : file.schema;
  if (docSchema !== 'baseline.snapshot/1' && docSchema !== 'baseline.capture/1') {
    throw new BaselineError(
      'diff-unknown-schema',
      `${path} has schema "${String(docSchema ?? file.schema ?? 'none')}", which this Baseline does not read.`,
      'Use a baseline.snapshot/1 file, or the Baseline version that wrote it.',
    );
  }
  const checked = snapshot ? SnapshotFileSchema.safeParse(json) : CaptureDocumentSchema.safeParse(json);
  if (!checked.success) {
    const problems = schemaProblems(checked.error);
    throw new BaselineError(
      'diff-invalid',
      `${path} is not a valid ${snapshot ? 'snapshot' : 'capture'} file: ${firstProblems(problems)}.`,
      use,
      { problems },
    );
  }
  // The file as written (not the parsed copy, which would fill in defaults) is what is compared.
  const document = (snapshot ? (file.document as unknown) : json) as CaptureDocument;
  return { document, snapshot, bytes };
}

/** One line on an input's signatures: signed and valid, unsigned, or what is wrong. */
function verificationLine(input: DiffInput, verdict: SnapshotVerdict | null): string {
  if (!verdict) return 'a bare capture document: unsigned, not evidence';
  switch (verdict.state) {
    case 'valid':
      return `signed and valid (${verdict.signers.map((s) => `${s.name}, ${s.meaning}`).join('; ')})`;
    case 'unsigned':
      return 'unsigned: not evidence';
    default:
      return `signature NOT valid: ${firstProblems(verdict.problems)}`;
  }
}

/** Runs the diff and prints it. */
export function diffCommand(
  a: string | undefined,
  b: string | undefined,
  flags: Record<string, unknown>,
  home: string | null,
  io: Io,
): number {
  if (!a || !b) throw new BaselineError('usage', 'Two files are needed: `baseline diff BEFORE.json AFTER.json`.', 'Run `baseline --help`.');
  const inputs = [readCaptureLike(a), readCaptureLike(b)] as const;
  const [before, after] = inputs.map((i) => i.document) as [CaptureDocument, CaptureDocument];
  const caFiles = typeof flags['ca'] === 'string' ? [flags['ca']] : [];
  const trust = home || caFiles.length > 0 ? trustFor(home, caFiles) : { caPems: [], revokedFingerprints: new Set<string>() };
  const verdicts = inputs.map((i) => (i.snapshot ? verifySnapshotBytes(i.bytes, trust) : null));
  const verification = inputs.map((i, n) => ({
    file: n === 0 ? a : b,
    state: verdicts[n]?.state ?? 'unsigned',
    line: verificationLine(i, verdicts[n] ?? null),
  }));
  const withArtefacts = (doc: CaptureDocument) => ({
    ...diffableFromCapture(doc),
    artefacts: (doc as CaptureDocument & { artefacts?: Artefact[] }).artefacts ?? [],
  });
  const diff = diffDocuments(withArtefacts(before), withArtefacts(after), { force: flags['force'] === true, includeUnchanged: false });
  const blobs = home ? storedFilesOf(home) : null;
  const textDiffs = diff.artefactChanges
    .filter((c) => c.kind === 'changed' && c.before && c.after && isTextArtefact(c.after.mediaType, c.after.name))
    .map((c) => {
      if (!blobs || !blobs.has(c.before!.sha256) || !blobs.has(c.after!.sha256)) return { name: c.name, diff: null };
      return {
        name: c.name,
        diff: diffTextArtefact(c.name, blobs.get(c.before!.sha256).toString('utf8'), blobs.get(c.after!.sha256).toString('utf8')),
      };
    });
  const differs = !diff.summary.identical;
  if (flags['json']) {
    io.out(JSON.stringify({ ...diff, artefactLineDiffs: textDiffs, verification }) + '\n');
    return differs ? 3 : 0;
  }
  const c = diff.counts.config;
  io.out(`${diff.before.description} -> ${diff.after.description}${diff.forced ? ' (FORCED: different controllers)' : ''}\n`);
  for (const v of verification) io.out(`${v.file}: ${v.line}\n`);
  io.out(
    `config: ${c.changed} changed, ${c.added} added, ${c.removed} removed, ${c['type-changed']} type-changed, ${c['quality-changed']} quality-changed; ` +
      `live (not drift): ${diff.summary.liveDifferences} differences; identity changes: ${diff.identityChanges.length}\n`,
  );
  for (const ch of diff.identityChanges) io.out(`  identity ${ch.key}: ${ch.before ?? '—'} -> ${ch.after ?? '—'}\n`);
  for (const ch of diff.artefactChanges) {
    const size = (x: { size: number } | null) =>
      x ? `${x.size} bytes, ${('sha256' in x ? String((x as { sha256: string }).sha256) : '').slice(0, 12)}…` : '—';
    io.out(`  artefact ${ch.kind} ${ch.name}: ${size(ch.before)} -> ${size(ch.after)}\n`);
    const text = textDiffs.find((d) => d.name === ch.name);
    if (text?.diff)
      io.out(
        `    ${text.diff.addedLines} lines added, ${text.diff.removedLines} removed\n${text.diff.patch
          .split('\n')
          .map((l) => `    ${l}`)
          .join('\n')}\n`,
      );
    else if (text) io.out('    (line diff needs the files: pass --home with the data directory that stored them)\n');
  }
  for (const r of diff.rows.filter(isDifference).slice(0, 200)) {
    const flagsText = [r.safety ? 'SAFETY' : '', r.live ? 'live' : ''].filter(Boolean).join(',');
    io.out(
      `  ${r.kind.padEnd(15)} ${r.tag.padEnd(32)} ${(r.before ? formatDiffValue(r.before) : '—').padStart(16)} -> ${r.after ? formatDiffValue(r.after) : '—'}${flagsText ? `  [${flagsText}]` : ''}\n`,
    );
  }
  io.out(differs ? 'Different.\n' : 'Identical.\n');
  return differs ? 3 : 0;
}
