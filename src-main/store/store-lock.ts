/**
 * An exclusive lock on a data directory, so two app instances (or an app and a writing CLI command)
 * never open the same store for writing.
 *
 * A lock file created with O_EXCL holds the owner's pid and host. A lock left behind by a process that no
 * longer exists on this host is stale and taken over; a live owner means refusal with a clear message.
 * An empty or unreadable lock file is what a process in the middle of taking the lock leaves for a moment (between
 * creating the file and writing its pid), so it is taken over only once it is older than a grace period.
 */
import { closeSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { BaselineError } from '../../src-shared/common/errors.ts';

/** A held lock; release() removes the lock file. */
export interface StoreLock {
  readonly path: string;
  release(): void;
}

interface LockInfo {
  pid: number;
  host: string;
  since: string;
  purpose: string;
}

/** How old an empty or unreadable lock file must be before it counts as left behind by a crash. */
export const UNREADABLE_LOCK_GRACE_MS = 10_000;

function ageMs(path: string): number {
  try {
    return Date.now() - statSync(path).mtimeMs;
  } catch {
    return Number.POSITIVE_INFINITY; // gone meanwhile: nothing left to wait for
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readLock(path: string): LockInfo | null {
  try {
    const info = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockInfo>;
    if (typeof info.pid !== 'number' || typeof info.host !== 'string') return null;
    return { pid: info.pid, host: info.host, since: String(info.since ?? '?'), purpose: String(info.purpose ?? '?') };
  } catch {
    return null;
  }
}

/** Takes the data directory's lock or throws `store-locked` naming the process that holds it. */
export function acquireStoreLock(home: string, purpose: string): StoreLock {
  const path = join(home, 'baseline.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      const info: LockInfo = { pid: process.pid, host: hostname(), since: new Date().toISOString(), purpose };
      writeSync(fd, JSON.stringify(info));
      closeSync(fd);
      let released = false;
      return {
        path,
        release() {
          if (released) return;
          released = true;
          const now = readLock(path);
          if (now && now.pid === process.pid && now.host === info.host) rmSync(path, { force: true });
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = readLock(path);
      const stale = holder !== null && holder.host === hostname() && !alive(holder.pid);
      const unreadableAndOld = holder === null && ageMs(path) > UNREADABLE_LOCK_GRACE_MS;
      if ((stale || unreadableAndOld) && attempt === 0) {
        rmSync(path, { force: true });
        continue;
      }
      throw new BaselineError(
        'store-locked',
        holder
          ? `The data directory ${home} is already in use by Baseline (${holder.purpose}, process ${holder.pid} on ${holder.host}, since ${holder.since}).`
          : `The data directory ${home} is being opened by another Baseline process (its lock file was created moments ago and does not name its owner yet).`,
        'Close the other Baseline window or command first, or use a different data directory (--home). ' +
          'Two programs writing one store could corrupt the audit trail, so Baseline refuses.',
        holder ? { ...holder } : undefined,
      );
    }
  }
  throw new BaselineError(
    'store-locked',
    `Could not take the lock on ${home}.`,
    "Try again; if it persists, check the folder's permissions.",
  );
}
