/**
 * The words the header shows for sync: one short label and a longer explanation, the same on every screen
 * (and testable without a browser).
 */
import type { SyncStatus } from '../api/contract.ts';
import { assertNever } from '../assert-never.ts';
import { formatMinutes } from '../workflow/duration.ts';

function plural(n: number, one: string, many: string): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

function clock(iso: string): string {
  const d = new Date(iso);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}

function skewWords(offsetMs: number | null, limitMs: number): string {
  if (offsetMs === null || Math.abs(offsetMs) <= limitMs) return '';
  const minutes = Math.round(Math.abs(offsetMs) / 60_000);
  const amount = minutes >= 120 ? `${Math.round(minutes / 60).toLocaleString('en-US')} hours` : `${minutes} minutes`;
  return ` This laptop's clock is ${amount} ${offsetMs > 0 ? 'ahead of' : 'behind'} the server's (the policy allows ${formatMinutes(Math.round(limitMs / 60_000))}): set it right, because every event records this laptop's time.`;
}

function bytesWords(n: number): string {
  if (n < 1024 * 1024) return `${Math.max(1, Math.round(n / 1024)).toLocaleString('en-US')} kB`;
  return `${(n / (1024 * 1024)).toLocaleString('en-US', { maximumFractionDigits: 1, minimumFractionDigits: 1 })} MB`;
}

/** "Syncing 500 of 1,600 events · 12.4 MB sent" while a push runs. */
function progressWords(p: NonNullable<SyncStatus['progress']>): string {
  return `Syncing ${p.sent.toLocaleString('en-US')} of ${plural(p.total, 'event', 'events')}${p.bytesSent > 0 ? ` · ${bytesWords(p.bytesSent)} sent` : ''}`;
}

function clockFlagWords(s: SyncStatus): string {
  return s.clockFlags.length === 0 ? '' : ` Clock flags: ${s.clockFlags.map((f) => f.words).join(' ')}`;
}

/** Short label and explanation of a sync status. */
export function syncStatusWords(s: SyncStatus): { label: string; detail: string } {
  const waiting = s.waiting > 0 ? plural(s.waiting, 'event waiting', 'events waiting') : 'nothing waiting';
  const last = s.lastSuccessAt ? `Last synced ${new Date(s.lastSuccessAt).toLocaleString()}.` : 'Not synced yet.';
  const conflicts =
    (s.conflicts.length > 0
      ? ` ${plural(s.conflicts.length, 'conflict', 'conflicts')} to resolve: ${s.conflicts.map((c) => c.message).join(' ')}`
      : '') +
    skewWords(s.clockOffsetMs, s.clockSkewLimitMs) +
    clockFlagWords(s);
  switch (s.state) {
    case 'not-enrolled':
      return {
        label: 'Offline (no sync server)',
        detail: 'This laptop is not enrolled with a central server; everything is kept on this laptop.',
      };
    case 'syncing':
      return {
        label: s.progress && s.progress.total > 0 ? progressWords(s.progress) : 'Syncing…',
        detail: `Sending this laptop's events to ${s.server ?? 'the server'} and fetching other laptops' events.${conflicts}`,
      };
    case 'idle':
      return {
        label: s.waiting > 0 ? `Online · ${waiting}` : s.lastSuccessAt ? `Synced ${clock(s.lastSuccessAt)}` : 'Online',
        detail: `Connected to ${s.server ?? 'the server'}. ${last}${conflicts}`,
      };
    case 'offline':
      return {
        label: `Offline · ${waiting}`,
        detail: `${s.lastError ? `${s.lastError.message} ${s.lastError.hint}` : 'The server has not answered yet.'} ${last}${conflicts}`,
      };
    case 'refused':
      return {
        label: `Sync refused · ${waiting}`,
        detail: `${s.lastError ? `${s.lastError.message} What to do: ${s.lastError.hint}` : ''} ${last}${conflicts}`,
      };
    default:
      return assertNever(s.state);
  }
}
