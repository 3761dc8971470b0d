/**
 * Durations as the policy writes them ("48h", "15m", "7d", "1h30m", "none") and as people read them ("48 h").
 * Minutes are the unit everywhere inside the workflow: policy notice, timeouts and lockout are all whole minutes.
 */

const DURATION = /^(?:(\d{1,5})d)?(?:(\d{1,6})h)?(?:(\d{1,7})m)?$/;

/** Minutes in a duration text such as `48h`, `15m`, `7d`, `1h30m` or `none` (0); null when it is not one. */
export function parseDuration(text: string): number | null {
  const t = text.trim().toLowerCase().replace(/\s+/g, '');
  if (t === 'none' || t === '0') return 0;
  const m = DURATION.exec(t);
  if (m === null || t === '') return null;
  const [, d, h, min] = m;
  return Number(d ?? 0) * 1440 + Number(h ?? 0) * 60 + Number(min ?? 0);
}

/**
 * A duration in words people use on the floor: "15 min", "1 h 30 min", "48 h", "7 d".
 *
 * Hours stay hours up to 48 ("48-hour notice" is how the plant says it); from 72 h whole days read better.
 */
export function formatMinutes(minutes: number): string {
  if (minutes === 0) return '0 min';
  if (minutes % 1440 === 0 && minutes >= 3 * 1440) return `${minutes / 1440} d`;
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  if (h === 0) return `${m} min`;
  return m === 0 ? `${h} h` : `${h} h ${m} min`;
}
