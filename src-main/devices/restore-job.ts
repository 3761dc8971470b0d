/**
 * Restore: the only code that writes to a controller (ARCHITECTURE §5). It writes only tags the profile marks
 * writable, checks every value before writing anything, writes one tag at a time, reads each back and compares
 * the bytes, and stops at the first failure, reporting exactly what was written, what failed and what was
 * never attempted. The signed decision that allows a restore is checked by the caller in the main process. How a
 * value is encoded, written and read back is the protocol driver's (driver.ts).
 */
import * as z from 'zod';
import { BaselineError } from '../../src-shared/common/errors.ts';
import { CaptureOptionsSchema, ControllerTargetSchema, profileProtocolOf } from '../../src-shared/common/capture/controller-target.ts';
import type { CaptureProfile, ProfileTag } from '../../src-shared/common/profile/capture-profile.ts';
import { toHex } from '../../src-shared/common/capture/capture-result.ts';
import type { JobContext } from './process/device-messages.ts';
import type { Driver, PreparedWrite } from './driver.ts';

/** What happened to one requested write. */
export interface RestoreOutcome {
  tag: string;
  status: 'written-verified' | 'write-failed' | 'readback-mismatch' | 'not-attempted';
  /** The bytes that were to be written (hex), and what the controller held afterwards. */
  expectedRaw: string;
  readBackRaw: string | null;
  error?: string;
}

/** The result of a restore job. */
export interface RestoreResult {
  outcomes: RestoreOutcome[];
  /** Every requested value was written and read back equal. */
  complete: boolean;
}

export const RestoreJobSchema = z.object({
  target: ControllerTargetSchema,
  profile: z
    .object({ protocol: z.enum(['modbus', 's7', 'logix']), tags: z.array(z.object({ tag: z.string() }).passthrough()) })
    .passthrough(),
  writes: z
    .array(z.object({ tag: z.string().min(1), value: z.union([z.number(), z.boolean(), z.string()]) }).strict())
    .min(1)
    .max(10_000),
  options: CaptureOptionsSchema.default({ timeoutMs: 2000, retries: 2 }),
});

function refuse(message: string, hint: string): never {
  throw new BaselineError('restore-refused', message, `${hint} Nothing was written.`);
}

/** Checks and encodes every write before any is sent; throws (nothing written) on the first problem. */
function prepare(driver: Driver, profile: CaptureProfile, writes: { tag: string; value: number | boolean | string }[]): PreparedWrite[] {
  const byTag = new Map(profile.tags.map((t) => [t.tag, t as ProfileTag]));
  const seen = new Set<string>();
  return writes.map((w) => {
    const tag = byTag.get(w.tag);
    if (!tag) refuse(`Tag ${w.tag} is not in the controller's profile.`, 'Restore only tags the profile lists.');
    if (!tag.writable)
      refuse(
        `Tag ${w.tag} is not marked writable in the profile.`,
        'Only tags marked writable can be restored; change the profile through its own review if this tag must be restorable.',
      );
    if (seen.has(w.tag)) refuse(`Tag ${w.tag} appears twice in the restore.`, 'Give each tag one value.');
    seen.add(w.tag);
    try {
      return { tag, value: w.value, bytes: driver.encodeWrite(tag as CaptureProfile['tags'][number], w.value) };
    } catch (err) {
      // A value the codec cannot encode is a refusal of the whole restore, like the driver's own refusals.
      if (err instanceof BaselineError && err.code !== 'restore-refused')
        throw new BaselineError('restore-refused', err.message, `${err.hint} Nothing was written.`);
      throw err;
    }
  });
}

/** Runs a restore with the driver of the target's protocol. */
export async function restoreJob(driver: Driver, payload: z.output<typeof RestoreJobSchema>, ctx: JobContext): Promise<RestoreResult> {
  const job = payload;
  const profile = job.profile as unknown as CaptureProfile;
  if (profile.protocol !== profileProtocolOf(job.target))
    refuse(`The profile is for ${profile.protocol} but the controller speaks ${job.target.protocol}.`, "Use the controller's own profile.");
  const prepared = prepare(driver, profile, job.writes);
  const outcomes: RestoreOutcome[] = prepared.map((p) => ({
    tag: p.tag.tag,
    status: 'not-attempted',
    expectedRaw: toHex(p.bytes),
    readBackRaw: null,
  }));
  let stopped = false;
  const step = async (i: number, write: () => Promise<void>, readBack: () => Promise<Uint8Array>) => {
    const o = outcomes[i]!;
    try {
      await write();
    } catch (err) {
      o.status = 'write-failed';
      o.error = err instanceof Error ? err.message : String(err);
      stopped = true;
      return;
    }
    try {
      const back = toHex(await readBack());
      o.readBackRaw = back;
      o.status = back === o.expectedRaw ? 'written-verified' : 'readback-mismatch';
      if (o.status === 'readback-mismatch') {
        o.error = `wrote ${o.expectedRaw} but read back ${back}`;
        stopped = true;
      }
    } catch (err) {
      o.status = 'readback-mismatch';
      o.error = `written, but reading it back failed: ${err instanceof Error ? err.message : String(err)}`;
      stopped = true;
    }
  };
  // Each step's outcome goes to the main process as it ends, which journals it (restore.written): a restore cut short
  // by the app being killed still shows which values reached the controller and were read back.
  const report = (i: number) => {
    const o = outcomes[i]!;
    const status = o.status === 'not-attempted' ? null : o.status;
    ctx.progress({
      done: i + 1,
      total: prepared.length,
      detail: o.tag,
      ...(status ? { written: { tag: o.tag, status, expectedRaw: o.expectedRaw, readBackRaw: o.readBackRaw } } : {}),
    });
  };
  const session = await driver.connect({
    target: job.target,
    options: job.options,
    signal: ctx.signal,
    tags: prepared.map((p) => p.tag),
    identity: false,
    tagList: false,
  });
  try {
    for (const [i, p] of prepared.entries()) {
      if (stopped || ctx.signal.aborted) break;
      ctx.progress({
        done: i,
        total: prepared.length,
        detail: p.tag.tag,
        writing: { tag: p.tag.tag, expectedRaw: outcomes[i]!.expectedRaw },
      });
      await step(
        i,
        () => session.write(p),
        () => session.readBack(p),
      );
      report(i);
    }
  } finally {
    await session.close();
  }
  return { outcomes, complete: outcomes.every((o) => o.status === 'written-verified') };
}
