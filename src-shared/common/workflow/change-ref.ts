/**
 * How people name a change where a change id is asked for: its id, or its plant number ("CR-0007", "cr-7").
 */
import { BaselineError } from '../errors.ts';
import { formatChangeNumber, parseChangeNumber } from './change-state.ts';

/**
 * The change id a reference names: a plant number is looked up with `idsByNumber`; anything else is taken as the id.
 * Refuses a number no change has, and one two changes share (two laptops filed offline at the same time).
 */
export function resolveChangeRef(ref: string, idsByNumber: (number: string) => string[]): string {
  const text = ref.trim();
  const n = parseChangeNumber(text.toUpperCase());
  if (n === null) return text;
  const number = formatChangeNumber(n);
  const ids = idsByNumber(number);
  if (ids.length === 0) {
    throw new BaselineError(
      'change-unknown',
      `There is no change ${number} in this data directory.`,
      'Check the number on the Changes screen (the register lists every change by its CR number).',
    );
  }
  if (ids.length > 1) {
    throw new BaselineError(
      'change-number-shared',
      `${number} names ${ids.length} changes (filed on laptops that could not see each other): ${ids.join(', ')}.`,
      'Give the change id instead of the number.',
      { ids },
    );
  }
  return ids[0]!;
}
