import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';

// `npm test` fails on any Electronegativity finding in our shell; this proves the scan would see one.
function scan(args: string[]) {
  return spawnSync(process.execPath, ['scripts/electronegativity.ts', ...args], { encoding: 'utf8', timeout: 120_000 });
}

describe('Electronegativity gate', () => {
  it('fails on an insecure shell and names the checks', () => {
    const r = scan([
      'test/fixtures/electron-insecure/app',
      'test/fixtures/electron-insecure/index.html',
      'test-results/electronegativity-fixture',
    ]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('LIMIT_NAVIGATION_GLOBAL_CHECK');
    expect(r.stderr).toContain('HTTP_RESOURCES_JS_CHECK');
    expect(r.stderr).toContain('CONTEXT_ISOLATION_JS_CHECK');
    expect(r.stderr).toContain('SANDBOX_JS_CHECK');
    expect(r.stderr).toContain('CSP_GLOBAL_CHECK');
  }, 120_000);

  it('passes our own shell, whose accepted findings are each suppressed with a reason', () => {
    const r = scan(['src-main/app', 'src-renderer/index.html', 'test-results/electronegativity-self']);
    expect(r.stdout).toContain('0 unsuppressed findings');
    expect(r.status).toBe(0);
  }, 120_000);
});
