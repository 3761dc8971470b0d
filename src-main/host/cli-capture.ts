/**
 * `baseline capture`: reads a controller into a snapshot file (and, with a data directory, records it there).
 * With a data directory the capture, its record and its signature go through that directory's services
 * (`BaselineApp`: `captures`, `snapshots`, `identity`), the app built with the in-process device runner; without
 * one, the services are not loaded at all: a bare capture needs a `CaptureService`, the driver and the file.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { BaselineError } from '../../src-shared/common/errors.ts';
import { importProfileCsv } from '../../src-shared/common/profile/profile-csv.ts';
import { PROFILE_CSV_MAX_CHARS } from '../../src-shared/common/api/contract-primitives.ts';
import { readBoundedFile } from './bounded-file.ts';
import {
  CaptureOptionsSchema,
  ControllerTargetSchema,
  profileProtocolOf,
  type ControllerTarget,
} from '../../src-shared/common/capture/controller-target.ts';
import { DeviceSupervisor } from '../devices/process/device-supervisor.ts';
import { inProcessDevice } from '../devices/process/in-process-device.ts';
import { CaptureService } from '../services/capture-service.ts';
import { SnapshotService } from '../services/snapshot-service.ts';
import type { Artefact } from '../../src-shared/common/snapshot/snapshot.ts';
import { mediaTypeOf } from '../../src-shared/common/diff/media-type.ts';
import { askSecret } from './secret-prompt.ts';
import { osUserActor } from '../services/os-user-actor.ts';
import type { CaptureProfile, ProfileProtocol } from '../../src-shared/common/profile/capture-profile.ts';
import { canonicalProfile, ProfileCache, type CanonicalProfile } from './profile-cache.ts';
import { CLI_BUILD } from './cli-build.ts';
import { userCacheDir } from './data-home.ts';

/** Output sinks. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  isTty: boolean;
}

/** The parsed command-line options. */
export type Flags = Record<string, string | boolean | string[] | undefined>;

/** A whole-number option, or undefined when absent. */
export function num(flags: Flags, name: string): number | undefined {
  const v = flags[name];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n))
    throw new BaselineError('usage', `--${name} must be a whole number, not ${String(v)}.`, 'Run `baseline --help`.');
  return n;
}

/** A string option, or undefined when absent. */
export function str(flags: Flags, name: string): string | undefined {
  const v = flags[name];
  return typeof v === 'string' ? v : undefined;
}

/** Builds and validates the controller target from CLI flags. */
export function targetFromFlags(flags: Flags): ControllerTarget {
  const protocol = str(flags, 'protocol');
  const raw: Record<string, unknown> = { protocol };
  if (protocol === 'modbus-rtu') {
    raw['serialPath'] = str(flags, 'serial');
    raw['baudRate'] = num(flags, 'baud');
  } else {
    raw['host'] = str(flags, 'host');
    raw['port'] = num(flags, 'port');
  }
  if (protocol?.startsWith('modbus')) raw['unitId'] = num(flags, 'unit');
  if (protocol === 's7') {
    raw['rack'] = num(flags, 'rack');
    raw['slot'] = num(flags, 'slot');
  }
  if (protocol === 'logix') raw['slot'] = num(flags, 'slot');
  for (const k of Object.keys(raw)) if (raw[k] === undefined) delete raw[k];
  const parsed = ControllerTargetSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || 'protocol'}: ${i.message}`).join('; ');
    throw new BaselineError(
      'usage',
      `The controller settings are incomplete or wrong (${issues}).`,
      'Give --protocol modbus-tcp|modbus-rtu|s7|logix and --host (or --serial for RTU); see `baseline --help`.',
    );
  }
  return parsed.data;
}

/**
 * The data directory that records the capture (loaded only when one is given). One capture, then exit: its
 * drivers run in this process (a device process would cost a second Node start).
 */
async function openRecordingApp(home: string) {
  const [{ BaselineApp }, { protectionFromEnv }] = await Promise.all([
    import('../services/baseline-app.ts'),
    import('../services/data-directory-reader.ts'),
  ]);
  return BaselineApp.open({ home, transport: 'cli', keyProtection: protectionFromEnv(), spawnDevice: inProcessDevice });
}

/** Reads a capture profile file's bytes, within the API's limit for profiles. */
function readProfileBytes(path: string | undefined): Buffer {
  if (!path)
    throw new BaselineError(
      'usage',
      'No capture profile was given.',
      'Pass --profile FILE.csv (header tag,address,type,class,safety,writable,description).',
    );
  // The same limit as the API's profiles.import, checked before the file is read.
  return readBoundedFile(path, PROFILE_CSV_MAX_CHARS, {
    code: 'profile',
    noun: 'profile file',
    hint: "A capture profile may be at most 10 MB: split the controller's tags into several profiles, or drop descriptions you do not need.",
  });
}

/** Reads and checks a capture profile file (also used by `baseline simulate`). */
export function readProfile(path: string | undefined, protocol: ProfileProtocol): CaptureProfile {
  return importProfileCsv(readProfileBytes(path), protocol);
}

/**
 * Reads, checks and canonicalises the profile to capture with: through the profile cache when the bundle runs
 * (the same file captured again is not checked again), else directly.
 */
export function readCaptureProfile(path: string | undefined, protocol: ProfileProtocol, env = process.env): CanonicalProfile {
  const bytes = readProfileBytes(path);
  if (CLI_BUILD === null) return canonicalProfile(importProfileCsv(bytes, protocol));
  const dir = join(userCacheDir(env), 'profiles');
  let cache = caches.get(dir);
  if (!cache) caches.set(dir, (cache = new ProfileCache(dir, CLI_BUILD)));
  return cache.load(bytes, protocol);
}

/** This process's profile caches by folder: one that captures again (the capture server) keeps them in memory. */
const caches = new Map<string, ProfileCache>();

/**
 * `baseline capture`: exit 0 all tags good, 2 some bad, 1 nothing captured. For the capture server: `signal`
 * cancels it as Ctrl+C does (its client gone), and `env` is the environment it runs in (without a data directory).
 */
export async function captureCommand(
  flags: Flags,
  io: Io,
  { signal, env = process.env }: { signal?: AbortSignal; env?: NodeJS.ProcessEnv } = {},
): Promise<number> {
  const target = targetFromFlags(flags);
  const profilePath = str(flags, 'profile');
  const checked = readCaptureProfile(profilePath, profileProtocolOf(target), env);
  const out = str(flags, 'out');
  if (!out) throw new BaselineError('usage', 'No output file was given.', 'Pass --out FILE.json for the capture document.');
  const options = CaptureOptionsSchema.parse({
    ...(num(flags, 'timeout') !== undefined ? { timeoutMs: num(flags, 'timeout') } : {}),
    ...(num(flags, 'retries') !== undefined ? { retries: num(flags, 'retries') } : {}),
  });
  const homeGiven = str(flags, 'home') ?? env['BASELINE_HOME'];
  const app = homeGiven ? await openRecordingApp(homeGiven) : null;
  // Without a data directory nothing is recorded: the capture service alone, its drivers in this process.
  const bare = app ? null : new DeviceSupervisor(inProcessDevice);
  const captures = app ? app.captures : new CaptureService(bare!);
  try {
    // Attachments are checked and stored before touching the controller, so a bad path costs no capture.
    const attach = (flags['attach'] as string[] | undefined) ?? [];
    if (attach.length > 0 && !app)
      throw new BaselineError(
        'usage',
        'Attached files are stored in the data directory, and none was given.',
        'Pass --home DIR (or set BASELINE_HOME).',
      );
    const artefacts: Artefact[] = attach.map((path) => {
      let bytes: Buffer;
      try {
        bytes = readFileSync(path);
      } catch {
        throw new BaselineError('artefact-unreadable', `The file to attach ${path} cannot be read.`, 'Check the path.');
      }
      return app!.snapshots.storeArtefact(basename(path), bytes, mediaTypeOf(path));
    });
    const ac = new AbortController();
    if (signal?.aborted)
      ac.abort(); // cancelled before it began (Ctrl+C while the request travelled)
    else signal?.addEventListener('abort', () => ac.abort(), { once: true });
    const onSigint = () => ac.abort();
    process.once('SIGINT', onSigint);
    const doc = await captures.capture(
      { target, profile: checked.profile, canonicalProfile: checked, profileName: basename(profilePath!), options },
      app?.actor() ?? osUserActor(),
      {
        signal: ac.signal,
        onProgress: (p) => {
          if (io.isTty) io.err(`\rcapturing ${p.done}/${p.total} tags (${p.detail})   `);
        },
      },
    );
    process.removeListener('SIGINT', onSigint);
    if (io.isTty) io.err('\n');
    const signer = str(flags, 'signer');
    let file = SnapshotService.unsigned(doc, artefacts);
    if (signer) {
      if (!app)
        throw new BaselineError(
          'usage',
          "Signing needs the data directory that holds the signer's keystore.",
          'Pass --home DIR (or set BASELINE_HOME).',
        );
      if (doc.complete) {
        const person = app.identity.personByEmployeeId(signer);
        file = app.snapshots.sign(
          doc,
          signer,
          await askSecret(`Password of ${person.name} to sign "captured by": `),
          null,
          app.actor(),
          artefacts,
        ).file;
      } else {
        io.err('baseline: the capture is incomplete, so it was not signed (an incomplete capture is never evidence).\n');
      }
    }
    writeFileSync(resolve(out), JSON.stringify(file, null, 2) + '\n');
    if (doc.failure) io.err(`baseline: ${doc.failure.message}\n  what to do: ${doc.failure.hint}\n`);
    for (const v of doc.values.filter((x) => x.quality === 'bad').slice(0, 10))
      io.err(`  bad: ${v.tag} (${v.address}): ${v.error ?? ''}\n`);
    const { tags, good, bad, requests, minimumRequests, durationMs } = doc.stats;
    io.out(
      JSON.stringify({
        tags,
        good,
        bad,
        requests,
        minimumRequests,
        durationMs,
        complete: doc.complete,
        signed: file.signatures.length > 0,
        out: resolve(out),
      }) + '\n',
    );
    return good === tags && doc.complete ? 0 : good === 0 ? 1 : 2;
  } finally {
    bare?.close();
    app?.close();
  }
}
