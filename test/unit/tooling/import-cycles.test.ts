import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

// The import-cycle check of `npm test` (scripts/check-cycles.ts, dependency-cruiser), run on planted code: a
// circle must fail it, naming its files, even when every link is a type-only import.
const script = resolve('scripts/check-cycles.ts');

function check(files: Record<string, string>): { status: number | null; output: string } {
  const dir = mkdtempSync(join(tmpdir(), 'baseline-cycles-'));
  try {
    for (const [name, code] of Object.entries(files)) {
      mkdirSync(join(dir, name, '..'), { recursive: true });
      writeFileSync(join(dir, name), code);
    }
    const r = spawnSync(process.execPath, [script, 'src'], { cwd: dir, encoding: 'utf8' });
    return { status: r.status, output: r.stdout + r.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('import-cycle check', () => {
  it('fails on a planted circle of type-only imports (the old devices circle: job table, capture module, context type)', () => {
    const r = check({
      'src/process/job-table.ts':
        "import { capture } from '../capture/capture.ts';\nexport interface JobContext { signal: AbortSignal }\nexport const JOBS = { capture };\n",
      'src/capture/capture.ts':
        "import type { JobContext } from '../process/job-table.ts';\nexport async function capture(ctx: JobContext): Promise<boolean> { return ctx.signal.aborted; }\n",
    });
    expect(r.status).toBe(1);
    expect(r.output).toMatch(/no-circular/);
    expect(r.output).toContain('src/process/job-table.ts');
    expect(r.output).toContain('src/capture/capture.ts');
  }, 30_000);

  it('fails on a three-file circle of value imports', () => {
    const r = check({
      'src/a.ts': "import { b } from './b.ts';\nexport const a = () => b();\n",
      'src/b.ts': "import { c } from './c.ts';\nexport const b = () => c();\n",
      'src/c.ts': "import { a } from './a.ts';\nexport const c = () => typeof a;\n",
    });
    expect(r.status).toBe(1);
    expect(r.output).toMatch(/src\/a\.ts[\s\S]*src\/b\.ts[\s\S]*src\/c\.ts|src\/b\.ts[\s\S]*src\/c\.ts[\s\S]*src\/a\.ts/);
  }, 30_000);

  it('passes the same modules once the shared type sits below them both', () => {
    const r = check({
      'src/job-context.ts': 'export interface JobContext { signal: AbortSignal }\n',
      'src/process/job-table.ts': "import { capture } from '../capture/capture.ts';\nexport const JOBS = { capture };\n",
      'src/capture/capture.ts':
        "import type { JobContext } from '../process/device-messages.ts';\nexport async function capture(ctx: JobContext): Promise<boolean> { return ctx.signal.aborted; }\n",
    });
    expect(r.output).toMatch(/no dependency violations/);
    expect(r.status).toBe(0);
  }, 30_000);
});
