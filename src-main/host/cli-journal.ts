/**
 * `baseline journal verify | list | rebuild`: the journal commands of the CLI (loaded only when one runs).
 */
import { describeProjectionDifference, summariseVerifyReport } from '../../src-shared/common/journal-event.ts';
import { DataDirectoryReader, rebuildProjections } from '../services/data-directory-reader.ts';
import type { CliIo } from './cli-usage.ts';

/** `baseline journal verify`: exit 0 intact, 1 when anything was altered. */
export async function verify(home: string, json: boolean, io: CliIo): Promise<number> {
  const reader = DataDirectoryReader.open(home);
  try {
    const report = await reader.verifyJournal();
    const summary = summariseVerifyReport(report);
    if (json) {
      io.out(JSON.stringify({ ...report, summary }) + '\n');
    } else {
      io.out(summary + '\n');
      for (const p of report.problems.slice(1, 20)) io.out(`  also: seq ${p.seq} of device ${p.device} (${p.kind}): ${p.message}\n`);
      if (report.problems.length > 20) io.out(`  … and ${report.problems.length - 20} more (use --json for all)\n`);
      for (const d of report.projections) io.out(`  table ${describeProjectionDifference(d)}\n`);
      if (report.projections.length > 0) io.out('  `baseline journal rebuild` restores these tables from the journal.\n');
      // The summary names the first altered or missing attachment and what to do; the others follow, each with its own file.
      for (const a of (report.attachments ?? []).slice(1)) io.out(`  also: ${a.message}. ${a.hint}\n`);
    }
    return report.ok ? 0 : 1;
  } finally {
    reader.close();
  }
}

/** `baseline journal list`: the journal, newest first. */
export function list(home: string, json: boolean, limit: number, io: CliIo): number {
  const reader = DataDirectoryReader.open(home);
  try {
    const { rows, checks, total } = reader.journalPage(limit);
    if (json) {
      const events = rows.map((r) => ({ ...r, problems: checks.get(r.id) ?? [] }));
      io.out(JSON.stringify({ total, events }) + '\n');
      return 0;
    }
    for (const r of rows) {
      const problems = checks.get(r.id) ?? [];
      let actor = r.actor;
      try {
        actor = (JSON.parse(r.actor) as { name: string }).name;
      } catch {
        // shown raw: verification reports it
      }
      const state = problems.length === 0 ? 'verified' : `FAILED (${problems.map((p) => p.kind).join(', ')})`;
      io.out(`${String(r.seq).padStart(6)}  ${r.at}  ${r.type.padEnd(20)}  ${actor.padEnd(28)}  ${state}\n`);
    }
    io.out(`${rows.length} of ${total} events shown, newest first.\n`);
    return 0;
  } finally {
    reader.close();
  }
}

/** `baseline journal rebuild`: every projection table rebuilt from the journal. */
export function rebuild(home: string, io: CliIo): number {
  const { replayed, skipped } = rebuildProjections(home);
  io.out(`Projections rebuilt from ${replayed} journal events.\n`);
  if (skipped > 0)
    io.out(
      `  ${skipped} events of devices whose key is neither this data directory's own nor certified were left out (\`baseline journal verify\` names them).\n`,
    );
  return 0;
}
