/**
 * `baseline evidence export CHANGE_ID --out FILE.zip` and `baseline verify PACK.zip [--ca CA.pem] [--json]`
 * (issue #14). Export opens the store read-only and records nothing; verify needs no store at all.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { BaselineError } from '../../src-shared/common/errors.ts';
import { formatVerdict, verifyPack } from '../../src-shared/node/evidence/pack-verifier.ts';
import { DataDirectoryReader, writeFileAtomic } from '../services/data-directory-reader.ts';
import { osUserActor } from '../services/baseline-app.ts';

interface Io {
  out(text: string): void;
}
type Flags = Record<string, string | boolean | string[] | undefined>;

/** `baseline evidence export CR-0001|CHANGE_ID --out FILE.zip`, or `--from D --to D [--line L] [--class C] --out DIR`. */
export async function evidenceCommand(
  command: string | undefined,
  changeId: string | undefined,
  flags: Flags,
  home: string,
  io: Io,
): Promise<number> {
  if (command !== 'export')
    throw new BaselineError(
      'usage',
      `Unknown evidence command "${command ?? ''}".`,
      'Run `baseline evidence export CHANGE_ID --out FILE.zip`.',
    );
  const out = flags['out'];
  if (flags['from'] !== undefined || flags['to'] !== undefined) {
    if (typeof flags['from'] !== 'string' || typeof flags['to'] !== 'string' || typeof out !== 'string' || changeId) {
      throw new BaselineError(
        'usage',
        'A sample needs --from DATE, --to DATE and --out DIR (and no change id).',
        'Run `baseline evidence export --from 2026-11-01 --to 2026-11-30 [--line L01] [--class normal] --out DIR`.',
      );
    }
    if (existsSync(out) && readdirSync(out).length > 0)
      throw new BaselineError(
        'sample-dir-not-empty',
        `The folder ${out} is not empty.`,
        'Give a new or empty folder: a sample never overwrites earlier packs.',
      );
    mkdirSync(out, { recursive: true });
    const reader = DataDirectoryReader.open(home);
    try {
      const sample = await (
        await reader.evidence()
      ).exportSample(
        {
          from: flags['from'],
          to: flags['to'],
          ...(typeof flags['line'] === 'string' ? { line: flags['line'] } : {}),
          ...(typeof flags['class'] === 'string' ? { class: flags['class'] } : {}),
        },
        osUserActor(),
        (name, bytes) => writeFileAtomic(join(out, name), bytes, 0o644),
      );
      io.out(`${sample.changes} evidence pack${sample.changes === 1 ? '' : 's'} and index.csv written to ${out}.\n`);
      return 0;
    } finally {
      reader.close();
    }
  }
  if (!changeId || typeof out !== 'string')
    throw new BaselineError(
      'usage',
      'A change (its number, e.g. CR-0001, or its id) and --out FILE.zip are needed.',
      'Run `baseline evidence export CR-0001 --out FILE.zip`.',
    );
  const reader = DataDirectoryReader.open(home);
  try {
    const evidence = await reader.evidence();
    const id = evidence.resolve(changeId);
    const pack = await evidence.export(id, osUserActor());
    writeFileAtomic(out, pack.zip, 0o644);
    io.out(
      `Evidence pack of change ${changeId === id ? id : `${changeId} (${id})`} written to ${out}: ${pack.members} members, ${pack.zip.length} bytes.\nmanifest.json SHA-256: ${pack.manifestSha256}\n`,
    );
    return 0;
  } finally {
    reader.close();
  }
}

/** The CA certificates to trust: the --ca files, and those trusted in the data directory when one is named. */
function trustedCas(flags: Flags, home: string | null): string[] {
  const files = typeof flags['ca'] === 'string' ? [flags['ca']] : Array.isArray(flags['ca']) ? flags['ca'] : [];
  const pems = files.map((f) => {
    try {
      return readFileSync(f, 'utf8');
    } catch {
      throw new BaselineError(
        'ca-unreadable',
        `The CA certificate ${f} cannot be read.`,
        'Give the path of the plant CA certificate (PEM) you trust.',
      );
    }
  });
  for (const [i, pem] of pems.entries()) {
    if (!pem.includes('-----BEGIN CERTIFICATE-----'))
      throw new BaselineError(
        'ca-not-pem',
        `${files[i]} is not a PEM certificate.`,
        'Give the plant CA certificate as PEM (-----BEGIN CERTIFICATE-----).',
      );
  }
  if (home) {
    const reader = DataDirectoryReader.open(home);
    try {
      // The trusted CAs are read only once the tables are proved against the signed journal (its own device pinned).
      pems.push(...reader.trustedCaPems());
    } finally {
      reader.close();
    }
  }
  return pems;
}

/** `baseline verify PACK.zip`: exit 0 verified, 1 with every failure listed. */
export async function verifyCommand(file: string | undefined, flags: Flags, home: string | null, io: Io): Promise<number> {
  if (!file) throw new BaselineError('usage', 'No evidence pack was given.', 'Run `baseline verify PACK.zip --ca plant-ca.pem`.');
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch {
    throw new BaselineError('pack-unreadable', `The file ${file} cannot be read.`, 'Check the path of the evidence pack (.zip).');
  }
  const verdict = await verifyPack(bytes, { caPems: trustedCas(flags, home) });
  if (flags['json']) {
    const { context: _context, ...rest } = verdict;
    io.out(JSON.stringify(rest) + '\n');
  } else {
    io.out(formatVerdict(verdict));
  }
  return verdict.ok ? 0 : 1;
}
