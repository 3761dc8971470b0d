/** `baseline drift`: scheduled drift checks from a jump host. Exit 0 nothing drifted, 3 drift found, 1 error. */
import { BaselineError, toErrorData } from '../../src-shared/common/errors.ts';
import { BaselineApp } from '../services/baseline-app.ts';
import type { DriftResult } from '../services/baseline-service.ts';
import { protectionFromEnv } from '../store/device-key-store.ts';

interface Io {
  out(text: string): void;
  err(text: string): void;
}

/** Checks one controller (by id or name) or every controller that has a baseline. */
export async function driftCommand(flags: Record<string, unknown>, home: string, io: Io): Promise<number> {
  const which = typeof flags['controller'] === 'string' ? flags['controller'] : null;
  if (!which && flags['all'] !== true) throw new BaselineError('usage', 'Say which controller (--controller ID or name) or --all.', 'Run `baseline --help`.');
  const app = BaselineApp.open({ home, transport: 'cli', keyProtection: protectionFromEnv() });
  try {
    const all = app.controllers.list();
    const targets = which ? all.filter((c) => c.id === which || c.name === which) : all.filter((c) => app.baselines.history(c.id).length > 0);
    if (which && targets.length === 0) throw new BaselineError('controller-unknown', `No controller "${which}" is registered in ${home}.`, 'Use the id or name shown by the app.');
    if (targets.length === 0) {
      io.out(flags['json'] ? JSON.stringify({ checked: [], errors: [] }) + '\n' : 'No controller has an approved baseline yet; nothing to check.\n');
      return 0;
    }
    const results: DriftResult[] = [];
    const errors: { controller: string; error: ReturnType<typeof toErrorData> }[] = [];
    for (const c of targets) {
      try {
        results.push(await app.baselines.checkDrift(c.id, app.actor()));
      } catch (err) {
        errors.push({ controller: c.name, error: toErrorData(err) });
      }
    }
    if (flags['json']) {
      io.out(JSON.stringify({ checked: results, errors }) + '\n');
    } else {
      for (const r of results) {
        io.out(`${r.drifted ? 'DRIFT' : 'ok   '} ${r.controller} (baseline v${r.baselineVersion}): ${r.configDifferences} configuration difference${r.configDifferences === 1 ? '' : 's'}`
          + `${r.identityChanges ? `, ${r.identityChanges} identity change(s)` : ''}${r.captureComplete ? '' : ', capture incomplete'}`
          + `${r.unauthorizedChangeId ? `; unauthorized-change record ${r.unauthorizedChangeId} opened` : ''}\n`);
        for (const d of r.differences.slice(0, 20)) io.out(`      ${d.kind.padEnd(16)} ${d.tag}: ${d.before || '—'} -> ${d.after || '—'}${d.safety ? '  [SAFETY]' : ''}\n`);
      }
      for (const e of errors) io.err(`baseline: ${e.controller}: ${e.error.message}\n  what to do: ${e.error.hint}\n`);
    }
    if (errors.length > 0) return 1;
    return results.some((r) => r.drifted) ? 3 : 0;
  } finally {
    app.close();
  }
}
