/**
 * `baseline drift`: scheduled drift checks from a jump host. Exit 0 nothing drifted, 3 drift found, 1 error.
 * `--due` checks only the controllers whose CIP-010 clock says a check is due; it adds exit 4 when a due controller
 * could not be reached (its check stays due; drift found elsewhere still exits 3).
 */
import { BaselineError, toErrorData } from '../../src-shared/common/errors.ts';
import { BaselineApp } from '../services/baseline-app.ts';
import type { DriftResult } from '../services/baseline-service.ts';
import { dueExitCode } from '../../src-shared/common/workflow/drift-clock.ts';
import { protectionFromEnv } from '../services/data-directory-reader.ts';

interface Io {
  out(text: string): void;
  err(text: string): void;
}

/** Checks one controller (by id or name) or every controller that has a baseline. */
export async function driftCommand(flags: Record<string, unknown>, home: string, io: Io): Promise<number> {
  const which = typeof flags['controller'] === 'string' ? flags['controller'] : null;
  const selections = [which !== null, flags['all'] === true, flags['due'] === true].filter(Boolean).length;
  if (selections === 0)
    throw new BaselineError('usage', 'Say which controller (--controller ID or name), --all, or --due.', 'Run `baseline --help`.');
  if (selections > 1) throw new BaselineError('usage', 'Give only one of --controller, --all and --due.', 'Run `baseline --help`.');
  const app = BaselineApp.open({ home, transport: 'cli', keyProtection: protectionFromEnv() });
  try {
    if (flags['due'] === true) return await dueCommand(app, flags['json'] === true, io);
    const all = app.controllers.list();
    const targets = which
      ? all.filter((c) => c.id === which || c.name === which)
      : all.filter((c) => app.baselines.history(c.id).length > 0);
    if (which && targets.length === 0)
      throw new BaselineError(
        'controller-unknown',
        `No controller "${which}" is registered in ${home}.`,
        'Use the id or name shown by the app.',
      );
    if (targets.length === 0) {
      io.out(
        flags['json']
          ? JSON.stringify({ checked: [], errors: [] }) + '\n'
          : 'No controller has an approved baseline yet; nothing to check.\n',
      );
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
      printResults(results, io);
      for (const e of errors) io.err(`baseline: ${e.controller}: ${e.error.message}\n  what to do: ${e.error.hint}\n`);
    }
    if (errors.length > 0) return 1;
    return results.some((r) => r.drifted) ? 3 : 0;
  } finally {
    app.close();
  }
}

function printResults(results: DriftResult[], io: Io): void {
  for (const r of results) {
    io.out(
      `${r.drifted ? 'DRIFT' : 'ok   '} ${r.controller} (baseline v${r.baselineVersion}): ${r.configDifferences} configuration difference${r.configDifferences === 1 ? '' : 's'}` +
        `${r.identityChanges ? `, ${r.identityChanges} identity change(s)` : ''}${r.captureComplete ? '' : ', capture incomplete'}` +
        `${r.unauthorizedChangeId ? `; unauthorized-change record ${r.unauthorizedChangeId} opened` : ''}\n`,
    );
    for (const d of r.differences.slice(0, 20))
      io.out(`      ${d.kind.padEnd(16)} ${d.tag}: ${d.before || '—'} -> ${d.after || '—'}${d.safety ? '  [SAFETY]' : ''}\n`);
  }
}

async function dueCommand(app: BaselineApp, json: boolean, io: Io): Promise<number> {
  const run = await app.baselines.checkDue(app.actor());
  if (json) {
    io.out(JSON.stringify(run) + '\n');
  } else {
    if (run.checked.length === 0 && run.errors.length === 0)
      io.out(`No drift check is due (${run.notDue} controller${run.notDue === 1 ? '' : 's'} checked within the policy's interval).\n`);
    printResults(run.checked, io);
    if (run.checked.length + run.errors.length > 0 && run.notDue > 0)
      io.out(`${run.notDue} other controller${run.notDue === 1 ? ' was' : 's were'} not due.\n`);
    for (const e of run.errors) {
      io.err(
        `baseline: ${e.controller}: ${e.unreachable ? 'UNREACHABLE, its check is still due: ' : ''}${e.error.message}\n  what to do: ${e.error.hint}\n`,
      );
    }
  }
  return dueExitCode(run);
}
