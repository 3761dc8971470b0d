// Bundles the `baseline` command (src-main/host/cli.ts) into dist/cli/, so that Node does not strip the types of
// some 300 TypeScript files one by one at every start. ES modules with code splitting: each command is its own
// chunk, loaded only when it runs (`baseline --version` loads the entry alone). The device process is bundled
// beside it (dist/cli/device-worker.js; the supervisor picks the file of its own kind, .ts or .js).
// The bundle sits two folders below the package root, as the sources do, so the paths resolved from
// import.meta.url (resources/, dist-renderer/) are the same in both. Pure-JavaScript packages (BUNDLED) go into the
// bundle too: Node would otherwise resolve and compile them file by file at every start (zod alone is 95 files).
// The rest stay in node_modules: native modules (better-sqlite3, serialport), packages that read files beside
// themselves (pdfkit's fonts) and the S7 and Logix protocol libraries load as they are. modbus-serial is bundled so
// that its serial ports load only when a serial port is used (lazySerialPorts below). bin/baseline.js runs the bundle while it
// is newer than every source file in it and than the last `npm install` (the list is dist/cli/inputs.json).
import type { Plugin } from 'esbuild';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { randomUUID } from 'node:crypto';

export const CLI_OUT = 'dist/cli';

/** Packages bundled into the CLI: pure JavaScript, no native code, no files read at run time. */
export const BUNDLED = new Set([
  'zod',
  'uuid',
  'canonicalize',
  'papaparse',
  'diff',
  'yaml',
  'luxon',
  'node-forge',
  'modbus-serial',
  'debug',
  'ms',
]);

/** npm rewrites this file at every install that changes node_modules: a bundled package may have changed. */
const NPM_INSTALL_MARK = 'node_modules/.package-lock.json';

/** The package a bare import names ('zod/v4/core' -> 'zod', '@scope/pkg/x' -> '@scope/pkg'). */
function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

/** Bare imports stay imports (resolved by Node from node_modules at run time) unless their package is BUNDLED. */
const externals: Plugin = {
  name: 'baseline-externals',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.kind === 'entry-point' || /^[A-Za-z]:[\\/]/.test(args.path)) return undefined;
      const pkg = packageOf(args.path);
      if (args.path.startsWith('node:') || builtinModules.includes(pkg)) return { path: args.path, external: true };
      return BUNDLED.has(pkg) ? undefined : { path: args.path, external: true };
    });
  },
};

/**
 * modbus-serial's index.js loads its two serial-port modules (the RTU client port and the serial server) as it
 * loads, each of which loads `serialport` and its native binding: 50 to 90 ms of a Modbus TCP capture that never
 * opens a serial port. Rewritten in the bundle, those two exports load on first use instead (a getter); the
 * serial clients (`connectRTU...`) already load them when called. The build fails if the file no longer has these
 * lines (a new modbus-serial version), rather than shipping a bundle that loads serialport again unnoticed.
 */
const SERIAL_EXPORTS = [
  ['RTUBufferedPort', './ports/rtubufferedport'],
  ['ServerSerial', './servers/serverserial'],
] as const;
const lazySerialPorts: Plugin = {
  name: 'baseline-modbus-serial-lazy-serialport',
  setup(b) {
    b.onLoad({ filter: /[\\/]node_modules[\\/]modbus-serial[\\/]index\.js$/ }, (args) => {
      let text = readFileSync(args.path, 'utf8');
      for (const [name, file] of SERIAL_EXPORTS) {
        const eager = `try {\n    module.exports.${name} = require("${file}");\n} catch (err) { /* optional native dep */ }`;
        if (!text.includes(eager))
          throw new Error(`modbus-serial/index.js no longer loads ${name} as expected: check scripts/build-cli.ts`);
        text = text.replace(
          eager,
          `Object.defineProperty(module.exports, "${name}", { enumerable: true, configurable: true, get() {\n` +
            `    try { return require("${file}"); } catch (err) { return undefined; /* optional native dep */ }\n} });`,
        );
      }
      return { contents: text, loader: 'js' };
    });
  },
};

/**
 * Builds the CLI bundle; returns the number of source files in it. `out` must be a folder two levels below the
 * package root, as dist/cli is (a test builds its own bundle beside it, so as not to replace the one other tests run).
 */
export async function buildCli(out = CLI_OUT): Promise<number> {
  const { build } = await import('esbuild');
  rmSync(out, { recursive: true, force: true });
  // Taken before the build: a source saved while it runs is newer than the bundle, so the bundle is not used.
  const builtAt = Date.now();
  const result = await build({
    entryPoints: { cli: 'src-main/host/cli.ts', 'device-worker': 'src-main/devices/process/device-worker.ts' },
    outdir: out,
    outExtension: { '.js': '.js' },
    chunkNames: 'chunk-[hash]',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node22',
    plugins: [externals, lazySerialPorts],
    // This build's name (src-main/host/cli-build.ts): the profile cache and the capture server keep to their own build.
    define: { __BASELINE_CLI_BUILD__: JSON.stringify(`${builtAt}-${randomUUID()}`) },
    // A bundled CommonJS package (papaparse, node-forge) may require() a Node module: give ES modules a require.
    banner: {
      js: "import { createRequire as __baselineCreateRequire } from 'node:module'; const require = __baselineCreateRequire(import.meta.url);",
    },
    sourcemap: 'linked',
    metafile: true,
    logLevel: 'warning',
  });
  const inputs = Object.keys(result.metafile.inputs)
    .filter((f) => !f.startsWith('node_modules/'))
    .sort();
  // Written last: without it (a build that failed half-way), bin/baseline.js runs the sources.
  const checked = existsSync(NPM_INSTALL_MARK) ? [...inputs, NPM_INSTALL_MARK] : inputs;
  writeFileSync(`${out}/inputs.json`, JSON.stringify({ builtAt, inputs: checked }) + '\n');
  return inputs.length;
}

// Also `npm install`'s prepare step: an install without development packages (no esbuild) keeps the sources.
if (import.meta.main) {
  try {
    const n = await buildCli();
    console.log(`baseline CLI bundled into ${CLI_OUT}/ (${n} source files)`);
  } catch (err) {
    if ((err as { code?: string }).code !== 'ERR_MODULE_NOT_FOUND' || !String(err).includes('esbuild')) throw err;
    console.log('esbuild is not installed (an install without development packages): `baseline` runs from its TypeScript sources.');
  }
}
