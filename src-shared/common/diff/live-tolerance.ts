/**
 * Declared tolerances of live values (issue #15, item 2). A live tag is a process value that moves on its own (a
 * flow, a temperature, a counter), so a change cannot expect it to read the same before and after; what a controls
 * engineer declares instead is how far it may move, as its deadband: an absolute band in the tag's own units
 * (`tolerance`, e.g. 0.5 l/min), a band in percent of the before value (`tolerance_pct`, e.g. 2), or both (then
 * within either band is within tolerance). The tolerance is declared per tag in the capture profile, so it travels
 * into every capture and signed snapshot beside the value it applies to.
 *
 * A live value that moved within its tolerance is no finding; outside it (or with no good reading, a changed type, a
 * tag gone) it is a row that must be explained and countersigned before CLOSE, like an unexpected row. A live tag
 * with no declared tolerance is shown for context only, as before.
 */
import type { LiveTolerance } from '../profile/capture-profile.ts';
import type { DiffableValue } from './diffable-document.ts';
import { formatDiffValue } from './diff-value-format.ts';

export type { LiveTolerance } from '../profile/capture-profile.ts';

/** The profile column of each part, for messages. */
export const TOLERANCE_COLUMNS = { absolute: 'tolerance', percent: 'tolerance_pct' } as const;

/** Value types a tolerance can apply to (every numeric type of the three protocols). */
const NON_NUMERIC = /^(BOOL|STRING|CHAR|WSTRING|WCHAR|DATE|TIME|TOD|DT|S5TIME)/;

/** One problem with a declared tolerance: the column and what is wrong. */
export interface ToleranceProblem {
  column: string;
  message: string;
}

function number(text: string, column: string, tag: string, problems: ToleranceProblem[]): number | undefined {
  const t = text.trim().replace(/%$/, '').trim();
  if (t === '') return undefined;
  const n = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(t) ? Number(t) : Number.NaN;
  if (!Number.isFinite(n)) {
    problems.push({
      column,
      message: `The tolerance "${text.trim()}" of ${tag} is not a number; give it as a plain number${column === TOLERANCE_COLUMNS.percent ? ' of percent, e.g. 2' : " in the tag's units, e.g. 0.5"}.`,
    });
    return undefined;
  }
  if (n < 0) {
    problems.push({
      column,
      message: `The tolerance ${t} of ${tag} is negative; a tolerance is a band either side of the before value, 0 or more.`,
    });
    return undefined;
  }
  return n;
}

/**
 * Reads the tolerance cells of one profile tag: null when none is declared; every problem named by its column (not a
 * number, negative, declared on a config tag or on a tag that is not numeric).
 */
export function readTolerance(
  tag: string,
  tagClass: 'config' | 'live',
  type: string,
  absolute: string,
  percent: string,
): { tolerance: LiveTolerance | null; problems: ToleranceProblem[] } {
  const problems: ToleranceProblem[] = [];
  if (absolute.trim() === '' && percent.trim() === '') return { tolerance: null, problems };
  const column = absolute.trim() !== '' ? TOLERANCE_COLUMNS.absolute : TOLERANCE_COLUMNS.percent;
  if (tagClass !== 'live') {
    problems.push({
      column,
      message: `${tag} is a config tag; a tolerance is declared only on live tags (process values that move on their own): a config value must not change unless proposed.`,
    });
    return { tolerance: null, problems };
  }
  if (NON_NUMERIC.test(type.trim().toUpperCase())) {
    problems.push({ column, message: `${tag} is of type ${type.trim().toUpperCase()}; a tolerance applies only to numeric values.` });
    return { tolerance: null, problems };
  }
  const a = number(absolute, TOLERANCE_COLUMNS.absolute, tag, problems);
  const p = number(percent, TOLERANCE_COLUMNS.percent, tag, problems);
  if (problems.length > 0) return { tolerance: null, problems };
  return { tolerance: { ...(a !== undefined ? { absolute: a } : {}), ...(p !== undefined ? { percent: p } : {}) }, problems };
}

/** "±0.5", "±2 % of the before value", "±0.5 or ±2 % of the before value". */
export function describeTolerance(t: LiveTolerance): string {
  const parts = [t.absolute !== undefined ? `±${t.absolute}` : null, t.percent !== undefined ? `±${t.percent} %` : null].filter(
    (x) => x !== null,
  );
  return `${parts.join(' or ')}${t.percent !== undefined ? ' of the before value' : ''}`;
}

/** The verdict on one live row. */
export type LiveJudgement =
  | { status: 'within'; tolerance: string; reason: string }
  | { status: 'outside'; tolerance: string; reason: string }
  | { status: 'not-declared' };

function numeric(v: DiffableValue): number | null {
  if (v.quality !== 'good') return null;
  const n =
    typeof v.value === 'number'
      ? v.value
      : typeof v.value === 'string' && /^[+-]?\d+(\.\d+)?$/.test(v.value)
        ? Number(v.value)
        : Number.NaN;
  return Number.isFinite(n) ? n : null;
}

const trim = (n: number): string => String(Number(n.toPrecision(12)));

/**
 * Judges a live row that differs between before and after against its declared tolerance (the before-snapshot's,
 * else the after-snapshot's): within, outside with the reason in words, or not declared.
 */
export function judgeLive(before: DiffableValue | null, after: DiffableValue | null): LiveJudgement {
  const t = before?.tolerance ?? after?.tolerance;
  if (!t) return { status: 'not-declared' };
  const tolerance = describeTolerance(t);
  if (before === null || after === null)
    return {
      status: 'outside',
      tolerance,
      reason: `Live value ${after === null ? 'removed' : 'added'}; its tolerance (${tolerance}) applies only to a value read before and after.`,
    };
  if (before.type !== after.type)
    return {
      status: 'outside',
      tolerance,
      reason: `Live value changed type from ${before.type} to ${after.type}; its tolerance (${tolerance}) cannot be applied.`,
    };
  const b = numeric(before);
  const a = numeric(after);
  if (b === null || a === null) {
    return {
      status: 'outside',
      tolerance,
      reason: `Live value has no good numeric reading ${a === null ? 'after' : 'before'} the change, so it cannot be shown within its tolerance (${tolerance}).`,
    };
  }
  const moved = Math.abs(a - b);
  const band = Math.max(t.absolute ?? 0, t.percent !== undefined ? (t.percent / 100) * Math.abs(b) : 0);
  const within = moved <= band + 1e-9 * Math.max(1, Math.abs(b));
  const words = `Live value moved from ${formatDiffValue(before)} to ${formatDiffValue(after)} (by ${trim(moved)})`;
  return within
    ? { status: 'within', tolerance, reason: `${words}, within its declared tolerance ${tolerance}.` }
    : { status: 'outside', tolerance, reason: `${words}, outside its declared tolerance ${tolerance} (at most ${trim(band)} here).` };
}
