/**
 * The compliance crosswalk of one pack: for each clause of resources/compliance/crosswalk.yaml, the records of this
 * change that satisfy it, or why it is not satisfied. Every check reads the pack's own content (the change's
 * final state, its signed events, its snapshots and diffs), so the verifier and the report agree.
 */
import * as z from 'zod';
import type { JsonValue } from '../../common/canonical-json.ts';
import { readYamlDocument, firstProblems } from '../../common/yaml-document.ts';
import { BaselineError } from '../../common/errors.ts';
import { countApprovals } from '../../common/workflow/approval-progress.ts';
import type { PackContext } from './pack-context.ts';
import { eventRecord } from './pack-format.ts';
import { snapshotPairs } from './pack-derive.ts';
import { roleWords } from './pack-wording.ts';

const CHECKS = [
  'audit-trail',
  'audit-retained',
  'person-signatures',
  'signed-snapshots',
  'proposed-vs-actual',
  'chain-protected',
  'before-snapshot',
  'recovery',
  'network-security-settings',
  'new-baseline',
  'authorised',
  'baseline-updated-30d',
  'impact-assessed',
  'staged',
  'drift-monitoring',
  'checkpoints-in-order',
  'authority',
  'signatures-linked',
  'password-per-signature',
  'certificates-and-revocations',
] as const;

/** The crosswalk file (`baseline.crosswalk/1`). */
export const CrosswalkSchema = z
  .object({
    schema: z.literal('baseline.crosswalk/1'),
    clauses: z
      .array(
        z
          .object({
            id: z.string().min(1),
            framework: z.string().min(1),
            clause: z.string().min(1),
            title: z.string().min(1),
            text: z.string().min(1).max(300),
            evidence: z.array(z.enum(CHECKS)).min(1),
            onlyWhen: z.literal('network-or-security-settings').optional(),
          })
          .strict(),
      )
      .min(1),
  })
  .strict();

/** The crosswalk's clauses. */
export type Crosswalk = z.infer<typeof CrosswalkSchema>;

/** Reads the crosswalk file; every problem with its line. */
export function parseCrosswalk(text: string, file = 'crosswalk.yaml'): Crosswalk {
  const read = readYamlDocument(text, file, CrosswalkSchema);
  if (read.ok) return read.data;
  throw new BaselineError(
    'crosswalk-invalid',
    `The compliance crosswalk cannot be used: ${firstProblems(read.problems)}.`,
    'Correct the listed lines of resources/compliance/crosswalk.yaml.',
  );
}

/** How one clause stands for this change. */
export type ClauseStatus = 'satisfied' | 'not-satisfied' | 'not-applicable' | 'outside-pack';

/** One clause's result for this pack. */
export interface ClauseResult {
  id: string;
  framework: string;
  clause: string;
  title: string;
  text: string;
  status: ClauseStatus;
  /** The members and records that satisfy it. */
  records: string[];
  /** Why it is not satisfied, not applicable, or shown elsewhere (empty when satisfied). */
  why: string[];
}

type Check = { ok: true; records: string[] } | { ok: false; why: string } | { ok: 'outside'; why: string };

/** Words of a tag name that mark a network or security setting (the tag split at separators and camel case). */
const NETWORK_WORDS = new Set([
  'ip',
  'ipaddr',
  'subnet',
  'netmask',
  'mask',
  'gateway',
  'vlan',
  'firewall',
  'acl',
  'port',
  'password',
  'passwd',
  'pw',
  'user',
  'account',
  'security',
  'snmp',
  'dns',
  'ntp',
  'mac',
  'ssh',
  'telnet',
  'http',
  'https',
  'ftp',
  'dhcp',
  'route',
  'certificate',
]);

/** Whether the change touches network or security settings (proposed tags, or tags that changed). */
export function touchesNetworkOrSecurity(ctx: PackContext): boolean {
  const pc = ctx.state.fields.proposedChange;
  const tags = [
    ...(pc?.kind === 'diff' ? pc.changes.map((c) => c.tag) : []),
    ...ctx.diffs.flatMap((d) => d.beforeAfter.rows.filter((r) => r.kind !== 'unchanged').map((r) => r.tag)),
  ];
  return tags.some((t) =>
    t
      .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
      .split(/[^A-Za-z0-9]+/)
      .some((w) => NETWORK_WORDS.has(w.toLowerCase())),
  );
}

function checks(ctx: PackContext): Record<(typeof CHECKS)[number], () => Check> {
  const state = ctx.state;
  const execution = 'execution' in state ? state.execution : null;
  const changeEvents = ctx.events.filter((e) => e.role === 'change');
  const op = (name: string) =>
    changeEvents.filter((e) => e.body.type === 'change.updated' && (e.body.payload as Record<string, JsonValue>)['operation'] === name);
  const records = (list: typeof changeEvents) => list.map((e) => `${e.member} ${eventRecord(e)}`);
  const pairs = snapshotPairs(state);
  const closedCompleted = state.status === 'closed' && state.closure.outcome === 'completed';
  const baselineEvents = changeEvents.filter((e) => e.body.type === 'baseline.approved');
  const signatureRecords = ctx.signatures.map((s) => `${s.statement} (${s.signer.name}, ${s.meaning}, ${s.at})`);
  return {
    'audit-trail': () =>
      changeEvents.length > 0
        ? {
            ok: true,
            records: [
              `journal/index.json: ${changeEvents.length} events of the change, each with its actor and device time`,
              ...records(changeEvents.slice(0, 3)),
              ...(changeEvents.length > 3 ? [`… and ${changeEvents.length - 3} more`] : []),
            ],
          }
        : { ok: false, why: 'the pack holds no event of the change' },
    'audit-retained': () => ({
      ok: true,
      records: [
        "the journal is append-only in the laptop's store (nothing is updated or deleted), and this pack keeps a verifiable copy of the change's events",
      ],
    }),
    'person-signatures': () =>
      ctx.signatures.length > 0
        ? {
            ok: true,
            records: [
              'signatures/index.json: printed name, employee id, date and time, meaning of each',
              ...signatureRecords.slice(0, 4),
              ...(signatureRecords.length > 4 ? [`… and ${signatureRecords.length - 4} more`] : []),
            ],
          }
        : { ok: false, why: 'nobody signed anything on this change' },
    'signed-snapshots': () => {
      const shas = pairs.flatMap((p) => [p.before, p.after]).filter((s) => s !== null);
      return shas.length > 0
        ? { ok: true, records: shas.map((s) => `snapshots/${s.snapshotSha256}.json (${s.phase}, captured by ${s.capturedBy})`) }
        : { ok: false, why: 'no signed snapshot of a target controller is recorded on the change' };
    },
    'proposed-vs-actual': () => {
      if (ctx.diffs.length === 0)
        return {
          ok: false,
          why: 'no controller has both a before- and an after-snapshot, so what was done cannot be compared with what was approved',
        };
      const bad = ctx.diffs.filter((d) => !d.proposedVsActual.matches);
      if (bad.length > 0)
        return {
          ok: false,
          why: `the after-snapshot differs from the approved proposal on ${bad.map((d) => `${d.controllerId} (${d.proposedVsActual.counts.unexpected} unexpected, ${d.proposedVsActual.counts.missing} missing)`).join(', ')}`,
        };
      return {
        ok: true,
        records: ctx.diffs.map(
          (d) =>
            `diffs/${d.controllerId}/proposed-vs-actual.json: ${d.proposedVsActual.counts.approved} approved change(s), none unexpected or missing`,
        ),
      };
    },
    'chain-protected': () => ({
      ok: true,
      records: [
        'journal/<device>/<seq>.json and .sig: each event hashed (SHA-256), chained to the previous one and signed by its device (Ed25519)',
        'SHA256SUMS and manifest.json: every member hashed',
      ],
    }),
    'before-snapshot': () => {
      const missing = pairs.filter((p) => !p.before);
      return pairs.length > 0 && missing.length === 0
        ? {
            ok: true,
            records: pairs.map(
              (p) => `snapshots/${p.before!.snapshotSha256}.json: before-snapshot of ${p.controllerId}, signed by ${p.before!.capturedBy}`,
            ),
          }
        : {
            ok: false,
            why:
              missing.length > 0
                ? `no before-snapshot of ${missing.map((p) => p.controllerId).join(', ')}`
                : 'the change names no target controller',
          };
    },
    recovery: () => {
      const verified = changeEvents.filter((e) => e.body.type === 'restore.verified');
      if (verified.length > 0) {
        const ok = verified.every((e) => (e.body.payload as Record<string, JsonValue>)['matchesBefore'] === true);
        return ok
          ? { ok: true, records: records(verified).map((r) => `${r}: the controller read back equal to its before-snapshot`) }
          : { ok: false, why: 'the restore left values that differ from the before-snapshot (restore.verified)' };
      }
      if (state.status === 'rolled-back' || (state.status === 'closed' && state.closure.outcome === 'rolled-back'))
        return { ok: false, why: 'the change was rolled back but no verified restore is recorded' };
      const before = pairs.every((p) => p.before !== null) && pairs.length > 0;
      return before && state.fields.rollbackPlan
        ? {
            ok: true,
            records: [
              "the request's rollback plan",
              ...pairs.map((p) => `snapshots/${p.before!.snapshotSha256}.json: the state a restore would return to`),
            ],
          }
        : { ok: false, why: 'no rollback plan, or no before-snapshot to restore' };
    },
    'network-security-settings': () => {
      const d = ctx.diffs.filter((x) => x.beforeAfter.summary.configDifferences > 0);
      return d.length > 0
        ? { ok: true, records: d.map((x) => `diffs/${x.controllerId}/before-after.json`) }
        : { ok: false, why: 'no before/after diff shows the settings changed' };
    },
    'new-baseline': () =>
      baselineEvents.length > 0
        ? { ok: true, records: records(baselineEvents) }
        : {
            ok: false,
            why: closedCompleted
              ? "the completed change's after-snapshot has not been approved as the new baseline"
              : `the change is ${state.status}: no new baseline`,
          },
    authorised: () => {
      if (!state.review) return { ok: false, why: 'the change was never submitted' };
      if (execution?.breakGlass) {
        const done = execution.retrospective?.completedAt;
        return done
          ? { ok: true, records: [...records(op('break-glass')), ...records(op('retrospective-review'))] }
          : { ok: false, why: 'an emergency change started under break-glass whose retrospective review is not done' };
      }
      const p = countApprovals(
        state.review.evaluation.approvals,
        state.review.approvals,
        state.review.evaluation.dualControl.required,
        (r) => roleWords(ctx.wording, r),
      );
      const approvals = [...op('approve'), ...op('approve-with-conditions')];
      return p.complete
        ? { ok: true, records: records(approvals) }
        : {
            ok: false,
            why: `approvals incomplete: ${
              p.requirements
                .filter((r) => !r.satisfied)
                .map((r) => r.missing)
                .join('; ') || 'dual control not met'
            }`,
          };
    },
    'baseline-updated-30d': () => {
      if (!closedCompleted) return { ok: false, why: `the change is ${state.status}, not completed` };
      const closedAt = Date.parse(state.closure.at);
      const inTime = baselineEvents.filter((e) => Date.parse(e.body.at) - closedAt <= 30 * 86_400_000);
      return inTime.length > 0
        ? { ok: true, records: records(inTime).map((r) => `${r}, within 30 days of the close`) }
        : { ok: false, why: 'no new baseline approved within 30 days of the close (in this pack)' };
    },
    'impact-assessed': () =>
      state.fields.impactAssessment
        ? {
            ok: true,
            records: [
              `the request's impact assessment (impact ${state.fields.impactAssessment.impact}, probability ${state.fields.impactAssessment.probability}, safety ${state.fields.impactAssessment.safetyImpact})`,
              ...records(op('submit')),
            ],
          }
        : { ok: false, why: 'the request has no impact assessment' },
    staged: () => {
      const required = state.review?.evaluation.staging.required ?? false;
      if (execution?.stagingRecord)
        return { ok: true, records: [`staging record ${execution.stagingRecord}`, ...records(op('start-execution'))] };
      return required
        ? { ok: false, why: 'the policy required staging but the start names no staging record' }
        : { ok: true, records: ['the policy does not require staging for this line tier (no test environment needed)'] };
    },
    'drift-monitoring': () => ({
      ok: 'outside',
      why: "shown by the drift checks of the controllers over time (`baseline drift --all`, unauthorized-change records), not by one change's pack",
    }),
    'checkpoints-in-order': () => {
      const cps = execution?.checkpoints ?? [];
      return cps.length > 0
        ? { ok: true, records: records(op('checkpoint')) }
        : { ok: false, why: execution ? 'no go/no-go checkpoint was signed' : 'the change was not executed' };
    },
    authority: () => {
      const approvals = state.review?.approvals ?? [];
      return ctx.signatures.length > 0
        ? {
            ok: true,
            records: [
              `every signer's certificate carries the role they signed as (${approvals.map((a) => `${a.by.name}: ${roleWords(ctx.wording, a.role)}`).join(', ') || 'no approvals'})`,
              'pki/people/*.pem',
            ],
          }
        : { ok: false, why: 'no signature to check' };
    },
    'signatures-linked': () =>
      ctx.signatures.length > 0
        ? {
            ok: true,
            records: [
              'signatures/*/statement.json: each signature covers the SHA-256 of the exact record it signs (document.path), inside a device-signed journal event',
            ],
          }
        : { ok: false, why: 'no signature' },
    'password-per-signature': () =>
      ctx.signatures.length > 0
        ? {
            ok: true,
            records: [
              `${ctx.signatures.length} signatures, each made by opening the signer's password-protected key for that one signature (employee id + password)`,
            ],
          }
        : { ok: false, why: 'no signature' },
    'certificates-and-revocations': () => ({
      ok: true,
      records: [
        'pki/people/*.pem: one certificate per person, issued by the plant CA',
        'pki/revocations.json: the revocations in force when the pack was written',
      ],
    }),
  };
}

/** Evaluates every clause for one pack. */
export function evaluateCrosswalk(crosswalk: Crosswalk, ctx: PackContext): ClauseResult[] {
  const table = checks(ctx);
  const network = touchesNetworkOrSecurity(ctx);
  return crosswalk.clauses.map((c) => {
    const base = { id: c.id, framework: c.framework, clause: c.clause, title: c.title, text: c.text };
    if (c.onlyWhen === 'network-or-security-settings' && !network) {
      return {
        ...base,
        status: 'not-applicable',
        records: [],
        why: ['the change touches no network or security setting (SR 7.6 is not the change procedure)'],
      };
    }
    const results = c.evidence.map((e) => table[e]());
    const outside = results.filter((r) => r.ok === 'outside');
    const failed = results.filter((r) => r.ok === false);
    const recordsOf = results.flatMap((r) => (r.ok === true ? r.records : []));
    if (failed.length > 0)
      return { ...base, status: 'not-satisfied', records: recordsOf, why: failed.map((r) => (r as { why: string }).why) };
    if (outside.length > 0)
      return { ...base, status: 'outside-pack', records: recordsOf, why: outside.map((r) => (r as { why: string }).why) };
    return { ...base, status: 'satisfied', records: recordsOf, why: [] };
  });
}
