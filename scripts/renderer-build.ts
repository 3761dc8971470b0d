// Builds the renderer (Vite) into dist-renderer/: `npm run build:renderer` (and `npm test`) always build; `npm start`
// builds only when dist-renderer/ does not hold the build of exactly the current sources. After a build, a stamp (dist-renderer/.build-inputs.json; sirv never serves dotfiles) records a SHA-256 over every input
// (path and content of src-renderer/**, src-shared/common/**, the Vite config, package.json, package-lock.json) and
// over the index.html it produced. The build is reused only when both still match; a build by other means (plain
// `vite build`, which empties the folder) leaves no stamp, so the next start builds again.
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(root, 'dist-renderer');
const STAMP = join(OUT, '.build-inputs.json');
const INPUT_DIRS = ['src-renderer', 'src-shared/common'];
const INPUT_FILES = ['scripts/vite.config.ts', 'package.json', 'package-lock.json'];

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

/** SHA-256 over the sorted relative paths and contents of every renderer input. */
export function rendererInputsHash(): string {
  const files = [
    ...INPUT_DIRS.flatMap((d) => filesUnder(join(root, d))),
    ...INPUT_FILES.map((f) => join(root, f)).filter((f) => existsSync(f)),
  ]
    .map((f) => relative(root, f).split('\\').join('/'))
    .sort();
  const hash = createHash('sha256');
  for (const f of files) {
    hash
      .update(f)
      .update('\0')
      .update(readFileSync(join(root, f)))
      .update('\0');
  }
  return hash.digest('hex');
}

function indexHash(): string | null {
  const index = join(OUT, 'index.html');
  return existsSync(index) ? createHash('sha256').update(readFileSync(index)).digest('hex') : null;
}

/** Whether dist-renderer/ is the build of the current inputs. */
export function rendererUpToDate(): boolean {
  if (!existsSync(STAMP)) return false;
  try {
    const stamp = JSON.parse(readFileSync(STAMP, 'utf8')) as { inputs?: string; index?: string };
    return stamp.inputs === rendererInputsHash() && stamp.index !== undefined && stamp.index === indexHash();
  } catch {
    return false;
  }
}

/** Builds the renderer and stamps it; returns the build's exit status. */
export function buildRenderer(): number {
  const inputs = rendererInputsHash();
  const r = spawnSync(
    process.execPath,
    [join(root, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'scripts/vite.config.ts', '--logLevel', 'warn'],
    { stdio: 'inherit', cwd: root },
  );
  if (r.status !== 0) return r.status ?? 1;
  writeFileSync(STAMP, JSON.stringify({ inputs, index: indexHash() }) + '\n');
  return 0;
}

/** Builds the renderer when it is missing or out of date; exits the process when the build fails. */
export function ensureRendererBuilt(): void {
  if (rendererUpToDate()) return;
  console.log('Building the user interface…');
  const status = buildRenderer();
  if (status !== 0) process.exit(status);
}

if (import.meta.main) {
  process.exit(buildRenderer());
}
