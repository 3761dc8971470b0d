// CLI start-up benchmark (issue #12, item 7): `baseline --version` and `baseline capture` of 10,000 Modbus holding
// registers (80 requests of 125) from a loopback peer, each measured as a whole process with /usr/bin/time -v
// (median of RUNS), side by side with the floors in the same run: Node starting an empty script, and a 25-line
// Python reader sending the same 80 requests over a raw socket (test/bench/modbus_raw_reader.py). The CLI runs
// as users run it (bin/baseline.js, which runs the bundle in dist/cli/, built here first) and, for comparison,
// from the TypeScript sources (BASELINE_CLI_FROM_SOURCES=1). Targets: --version under 0.15 s; capture within
// 5x of the Python floor (and under 0.4 s).
// Run: node test/bench/cli-start-bench.ts   (or npm run bench; prints a Markdown table)
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildCli } from '../../scripts/build-cli.ts';

const RUNS = 7;
const REGISTERS = 10_000;
const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, 'bin/baseline.js');
const work = mkdtempSync(join(tmpdir(), 'baseline-cli-bench-'));

interface Figures { wall: number; cpu: number; rssMb: number; stdout: string }

/** One run of a command under /usr/bin/time -v; fails the benchmark when the command fails. */
function timed(cmd: string[], env: NodeJS.ProcessEnv = {}): Figures {
  const r = spawnSync('/usr/bin/time', ['-v', ...cmd], { encoding: 'utf8', env: { ...process.env, ...env }, cwd: root });
  if (r.status !== 0) throw new Error(`${cmd.join(' ')} exited ${r.status}: ${r.stderr}`);
  const field = (name: string) => {
    const m = new RegExp(`${name}: (.+)`).exec(r.stderr);
    if (!m) throw new Error(`/usr/bin/time printed no "${name}"`);
    return m[1]!.trim();
  };
  const wallText = field('Elapsed \\(wall clock\\) time \\(h:mm:ss or m:ss\\)');
  const wall = wallText.split(':').reduce((acc, part) => acc * 60 + Number(part), 0);
  return { wall, cpu: Number(field('User time \\(seconds\\)')) + Number(field('System time \\(seconds\\)')), rssMb: Number(field('Maximum resident set size \\(kbytes\\)')) / 1024, stdout: r.stdout };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** RUNS runs after one warm-up (file cache); the medians, and the last run's output for its check. */
function measure(cmd: string[], env: NodeJS.ProcessEnv = {}): Figures {
  timed(cmd, env);
  const runs = Array.from({ length: RUNS }, () => timed(cmd, env));
  return { wall: median(runs.map((r) => r.wall)), cpu: median(runs.map((r) => r.cpu)), rssMb: median(runs.map((r) => r.rssMb)), stdout: runs.at(-1)!.stdout };
}

/** The peer: `baseline simulate` (the Modbus simulator) in its own process, so this one stays idle while timing. */
function startPeer(profile: string): Promise<{ port: number; stop(): void }> {
  const child = spawn(process.execPath, [bin, 'simulate', '--protocol', 'modbus-tcp', '--profile', profile], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  return new Promise((resolve, reject) => {
    child.on('exit', (code) => reject(new Error(`baseline simulate exited ${code}: ${out}`)));
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /on 127\.0\.0\.1:(\d+)/.exec(out);
      if (m) {
        child.removeAllListeners('exit');
        resolve({ port: Number(m[1]), stop: () => child.kill('SIGTERM') });
      }
    });
  });
}

const sources = await buildCli();
const profile = join(work, 'registers.csv');
writeFileSync(profile, ['tag,address,type,class', ...Array.from({ length: REGISTERS }, (_, i) => `HR_${i},hr:${i},UINT16,config`)].join('\n') + '\n');
const peer = await startPeer(profile);
const rows: string[] = [];
let failed: boolean;
const fromSources = { BASELINE_CLI_FROM_SOURCES: '1' };
function row(what: string, how: string, f: Figures, floor: Figures | null, target: string): void {
  rows.push(`| ${what} | ${how} | ${f.wall.toFixed(2)} | ${f.cpu.toFixed(2)} | ${Math.round(f.rssMb)} | ${floor ? `${(f.wall / floor.wall).toFixed(1)}x` : ''} | ${target} |`);
}
try {
  const nodeFloor = measure([process.execPath, '-e', '0']);
  const version = measure([process.execPath, bin, '--version']);
  const versionSrc = measure([process.execPath, bin, '--version'], fromSources);
  if (version.stdout.trim() !== JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version) throw new Error(`--version printed ${version.stdout}`);
  const capture = [process.execPath, bin, 'capture', '--protocol', 'modbus-tcp', '--host', '127.0.0.1', '--port', String(peer.port), '--profile', profile, '--out', join(work, 'capture.json')];
  const cap = measure(capture);
  const capSrc = measure(capture, fromSources);
  // The same capture recorded in a data directory (`--home`): through that directory's services (BaselineApp).
  const capHome = measure([...capture, '--home', join(work, 'home')]);
  const python = measure(['python3', join(root, 'test/bench/modbus_raw_reader.py'), '127.0.0.1', String(peer.port), '1', String(REGISTERS)]);
  for (const [name, f] of [['bundle', cap], ['sources', capSrc], ['--home', capHome]] as const) {
    const s = JSON.parse(f.stdout) as { good: number; requests: number; complete: boolean };
    if (s.good !== REGISTERS || s.requests !== REGISTERS / 125 || !s.complete) throw new Error(`capture (${name}) read ${f.stdout}`);
  }
  const p = JSON.parse(python.stdout) as { registers: number; requests: number };
  if (p.registers !== REGISTERS || p.requests !== REGISTERS / 125) throw new Error(`the Python reader read ${python.stdout}`);
  row('`node -e 0`', 'Node start-up alone (floor)', nodeFloor, null, '');
  row('`baseline --version`', 'bin/baseline.js, bundle', version, nodeFloor, '< 0.15 s');
  row('`baseline --version`', 'bin/baseline.js, TypeScript sources', versionSrc, nodeFloor, '');
  row(`Python raw reader, ${REGISTERS} registers`, '80 raw requests, no library (floor)', python, null, '');
  row(`\`baseline capture\`, ${REGISTERS} registers`, 'bin/baseline.js, bundle', cap, python, '< 5x, < 0.4 s');
  row(`\`baseline capture\`, ${REGISTERS} registers`, 'bin/baseline.js, TypeScript sources', capSrc, python, '');
  row(`\`baseline capture --home\`, ${REGISTERS} registers`, 'bin/baseline.js, bundle, recorded in a data directory', capHome, python, '');
  failed = version.wall >= 0.15 || cap.wall >= 0.4 || cap.wall > 5 * python.wall;
} finally {
  peer.stop();
  rmSync(work, { recursive: true, force: true });
}
console.log(`CLI start-up, whole processes, median of ${RUNS} runs after one warm-up (bundle of ${sources} source files):\n`);
console.log('| command | how | wall s | CPU s (user + sys) | max RSS MB | vs floor | target |');
console.log('| --- | --- | ---: | ---: | ---: | ---: | --- |');
for (const r of rows) console.log(r);
console.log(failed ? '\nA target was missed on this run (see wall s; a loaded machine shows it in wall s far more than in CPU s).' : '\nTargets met.');
process.exitCode = failed ? 1 : 0;
