#!/usr/bin/env node
// Entry point of the `baseline` command. It runs the CLI bundle (dist/cli/, built by `npm run build:cli`) while
// that is newer than every source file in it and than the last `npm install` (node_modules/.package-lock.json: the
// bundle carries some packages): one chunk per command instead of Node stripping the types of each source at every
// start. Otherwise (no bundle, or a source edited or a package installed since) it runs the TypeScript sources with
// Node's built-in type stripping, which needs Node 22.18 or newer (Electron 45 itself runs Node 24).
import { readFileSync, statSync } from 'node:fs';

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  process.stderr.write(`baseline needs Node.js 22.18 or newer (this is ${process.versions.node}). Install Node 24 and run it again.\n`);
  process.exit(1);
}

/** True when dist/cli/ holds a bundle built after the last change to any of its inputs (dist/cli/inputs.json). */
function bundleIsCurrent() {
  const root = new URL('../', import.meta.url);
  try {
    const { builtAt, inputs } = JSON.parse(readFileSync(new URL('dist/cli/inputs.json', root), 'utf8'));
    return inputs.every((file) => statSync(new URL(file, root)).mtimeMs < builtAt);
  } catch {
    return false; // no bundle, or a source file moved: run the sources
  }
}

// The central server is its own program (src-server never shares code with the laptop's src-main).
if (process.argv[2] === 'server') {
  const { runServerCli } = await import('../src-server/server-cli.ts');
  process.exitCode = await runServerCli(process.argv.slice(3));
} else {
  const { runCli } =
    bundleIsCurrent() && process.env['BASELINE_CLI_FROM_SOURCES'] === undefined
      ? await import('../dist/cli/cli.js')
      : await import('../src-main/host/cli.ts');
  process.exitCode = await runCli(process.argv.slice(2));
}
