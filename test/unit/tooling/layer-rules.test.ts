import { describe, expect, it } from 'vitest';
import { ESLint } from 'eslint';

// The layer rules of ARCHITECTURE §1, checked by running the project's real ESLint config over code that
// breaks them (and code that keeps them), at the paths where it would live.
// The first lint loads typescript-eslint (several seconds on a busy machine): hence the longer timeout below.
const eslint = new ESLint({ cwd: process.cwd() });

async function layerErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('layer lint rules', { timeout: 30_000 }, () => {
  it('name the store as the place for SQL when a service imports better-sqlite3', async () => {
    const errors = await layerErrors('src-main/services/x.ts', "import Database from 'better-sqlite3';\nexport const used = Database;\n");
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/SQL only in the store/);
  });

  it('fail when a renderer file imports node:fs', async () => {
    const errors = await layerErrors(
      'src-renderer/views/audit/leak.ts',
      "import { readFileSync } from 'node:fs';\nexport const f = readFileSync;\n",
    );
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/src-renderer runs in a sandboxed page/);
  });

  it.each([
    ['src-renderer/state/x.ts', "import { openStore } from '../../src-main/store/database.ts';"],
    ['src-renderer/state/x.ts', "import { sha256Hex } from '../../src-shared/node/hash.ts';"],
    ['src-renderer/state/x.ts', "import { ipcRenderer } from 'electron';"],
    ['src-shared/common/x.ts', "import { createHash } from 'crypto';"],
    ['src-shared/common/x.ts', "import { sha256Hex } from '../node/hash.ts';"],
    ['src-shared/node/x.ts', "import { openStore } from '../../src-main/store/database.ts';"],
    ['src-main/services/x.ts', "import { app } from 'electron';"],
    ['src-main/services/x.ts', "import Database from 'better-sqlite3';"],
    ['src-main/host/x.ts', "import type Database from 'better-sqlite3';"],
    ['src-main/app/x.ts', "import Database from 'better-sqlite3';"],
    ['src-server/x.ts', "import Database from 'better-sqlite3';"],
    ['src-main/host/x.ts', "import { openStore } from '../store/database.ts';"],
  ])('refuse %s importing %s', async (file, line) => {
    expect(await layerErrors(file, `${line}\nexport const used = 1;\n`)).toHaveLength(1);
  });

  it.each([
    ['src-renderer/state/x.ts', "import { canonicalJson } from '../../src-shared/common/canonical-json.ts';"],
    ['src-shared/node/x.ts', "import { createHash } from 'node:crypto';"],
    ['src-main/app/x.ts', "import { app } from 'electron';"],
    ['src-main/services/x.ts', "import { sha256Hex } from '../../src-shared/node/hash.ts';"],
    ['src-main/store/x.ts', "import Database from 'better-sqlite3';"],
    ['src-server/store/x.ts', "import Database from 'better-sqlite3';"],
    ['src-main/host/x.ts', "import { DataDirectoryReader } from '../services/data-directory-reader.ts';"],
  ])('allow %s importing %s', async (file, line) => {
    expect(await layerErrors(file, `${line}\nexport const used = 1;\n`)).toEqual([]);
  });
});
