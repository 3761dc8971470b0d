import { describe, expect, it } from 'vitest';
import { ESLint } from 'eslint';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

// No module over 500 lines outside the simulators and the protocol frame codecs: the project's real ESLint config
// run over planted files at the paths where they would live.
const eslint = new ESLint({ cwd: process.cwd() });

/** A module of `lines` lines of code. */
function moduleOf(lines: number): string {
  return Array.from({ length: lines }, (_, i) => `export const v${i} = ${i};`).join('\n') + '\n';
}

async function maxLinesErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'max-lines').map((m) => m.message);
}

describe('the 500-line limit', { timeout: 30_000 }, () => {
  it.each([
    'src-main/services/planted.ts',
    'src-shared/common/workflow/planted.ts',
    'src-shared/node/evidence/planted.ts',
    'src-server/planted.ts',
    'src-main/devices/s7/planted.ts',
    'src-renderer/views/changes/planted.tsx',
    'test/unit/workflow/planted.test.ts',
    'test/helpers/planted.ts',
    'scripts/planted.ts',
  ])('fails on a planted 501-line file at %s', async (file) => {
    const errors = await maxLinesErrors(file, moduleOf(501));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/Maximum allowed is 500/);
  });

  it('passes a 500-line file', async () => {
    expect(await maxLinesErrors('src-main/services/planted.ts', moduleOf(500))).toEqual([]);
  });

  it('lets the simulators and the protocol frame codecs be longer', async () => {
    expect(await maxLinesErrors('src-main/devices/simulator/logix/planted.ts', moduleOf(700))).toEqual([]);
    expect(await maxLinesErrors('src-main/devices/s7/szl/s7-frames.ts', moduleOf(700))).toEqual([]);
  });
});

// ESLint sees only TypeScript: the stylesheets, scripts, Python peers and data files the project keeps beside its code
// are held to the same limit here (the test fixtures are copies of real files and keep their length).
/** The files we write that ESLint does not read: styles, JavaScript, Python, shell, HTML, SQL, YAML, and .ci's scripts. */
const AUTHORED = /(\.(css|js|mjs|cjs|py|sh|html|sql|ya?ml)$)|(^\.ci[\\/][^.]+$)/;

describe('the 500-line limit beyond TypeScript', () => {
  it('holds for the other files of the code folders', () => {
    const folders = ['src-main', 'src-shared', 'src-server', 'src-renderer', 'test', 'scripts', 'bin', '.ci', 'resources'];
    const files = folders
      .flatMap((d) =>
        readdirSync(d, { recursive: true, withFileTypes: true })
          .filter((e) => e.isFile())
          .map((e) => join(e.parentPath, e.name)),
      )
      .filter((f) => AUTHORED.test(f) && !f.startsWith(join('test', 'fixtures')) && !f.includes('node_modules'));
    expect(files.some((f) => f.endsWith('.css'))).toBe(true);
    const long = files
      .map((f) => ({ f, text: readFileSync(f) }))
      .map(({ f, text }) => ({ f, lines: text.toString('utf8').split('\n').length - (text.at(-1) === 0x0a ? 1 : 0) }))
      .filter(({ lines }) => lines > 500);
    expect(long).toEqual([]);
  });
});
