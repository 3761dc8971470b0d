/**
 * A bundle of the CLI built for one test file (scripts/build-cli.ts into dist/<name>-<pid>/), run as bin/baseline.js
 * runs dist/cli: for tests of what only a bundled build does (the profile cache, the capture server), without
 * replacing the bundle the other test files run.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildCli } from '../../scripts/build-cli.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** A test's own CLI bundle. */
export interface TestBundle {
  /** Starts `baseline ...args` from the bundle (in `cwd`, else this process's folder). */
  spawn(args: string[], env?: NodeJS.ProcessEnv, cwd?: string): ChildProcessWithoutNullStreams;
  /** Runs `baseline ...args` from the bundle to its end. */
  run(args: string[], env?: NodeJS.ProcessEnv, cwd?: string): Promise<{ code: number; stdout: string; stderr: string }>;
  /** Deletes the bundle. */
  remove(): void;
  /** The build's name as the bundle carries it (src-main/host/cli-build.ts). */
  build: string;
}

/** Builds the CLI into its own folder for the calling test file. */
export async function buildTestBundle(name: string): Promise<TestBundle> {
  const dir = `dist/${name}-${process.pid}`;
  await buildCli(dir);
  const entry = pathToFileURL(join(ROOT, dir, 'cli.js')).href;
  const names = readdirSync(join(ROOT, dir)).filter((f) => f.endsWith('.js'));
  const build = names
    .map((f) => /"(\d{13}-[0-9a-f]{8}-[0-9a-f-]{27})"/.exec(readFileSync(join(ROOT, dir, f), 'utf8'))?.[1])
    .find((b) => b !== undefined);
  if (!build) throw new Error(`no build name found in ${dir}`);
  const code = `const { runCli } = await import(${JSON.stringify(entry)}); process.exitCode = await runCli(process.argv.slice(1));`;
  const start = (args: string[], env: NodeJS.ProcessEnv = {}, cwd?: string) =>
    spawn(process.execPath, ['--input-type=module', '-e', code, ...args], { env: { ...process.env, ...env }, ...(cwd ? { cwd } : {}) });
  return {
    spawn: start,
    run: (args, env, cwd) =>
      new Promise((resolve) => {
        const child = start(args, env, cwd);
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        child.on('close', (c) => resolve({ code: c ?? -1, stdout, stderr }));
      }),
    remove: () => rmSync(join(ROOT, dir), { recursive: true, force: true }),
    build,
  };
}
