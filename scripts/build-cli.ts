// Bundles the `baseline` command (src-main/host/cli.ts) into dist/cli/, so that Node does not strip the types of
// some 300 TypeScript files one by one at every start. ES modules with code splitting: each command is its own
// chunk, loaded only when it runs (`baseline --version` loads the entry alone). The device process is bundled
// beside it (dist/cli/device-worker.js; the supervisor picks the file of its own kind, .ts or .js).
// The bundle sits two folders below the package root, as the sources do, so the paths resolved from
// import.meta.url (resources/, dist-renderer/) are the same in both. Packages stay in node_modules (native
// modules, pdfkit's font files and the protocol libraries load as they are). bin/baseline.js runs the bundle
// while it is newer than every source file in it (the list is dist/cli/inputs.json), else the sources.
import { build } from 'esbuild';
import { rmSync, writeFileSync } from 'node:fs';

export const CLI_OUT = 'dist/cli';

/** Builds the CLI bundle; returns the number of source files in it. */
export async function buildCli(): Promise<number> {
  rmSync(CLI_OUT, { recursive: true, force: true });
  const result = await build({
    entryPoints: { cli: 'src-main/host/cli.ts', 'device-worker': 'src-main/devices/process/device-worker.ts' },
    outdir: CLI_OUT, outExtension: { '.js': '.js' }, chunkNames: 'chunk-[hash]',
    bundle: true, splitting: true, format: 'esm', platform: 'node', target: 'node22', packages: 'external',
    sourcemap: 'linked', metafile: true, logLevel: 'warning',
  });
  const inputs = Object.keys(result.metafile.inputs).filter((f) => !f.startsWith('node_modules/')).sort();
  // Written last: without it (a build that failed half-way), bin/baseline.js runs the sources.
  writeFileSync(`${CLI_OUT}/inputs.json`, JSON.stringify({ builtAt: Date.now(), inputs }) + '\n');
  return inputs.length;
}

if (import.meta.main) {
  const n = await buildCli();
  console.log(`baseline CLI bundled into ${CLI_OUT}/ (${n} source files)`);
}
