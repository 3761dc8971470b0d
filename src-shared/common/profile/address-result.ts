/**
 * The shared result shape of the per-protocol address parsers: either a typed address or every problem found,
 * each naming the profile column it belongs to, so CSV import and the profile editor can point at the cell.
 */

/** The profile column a problem belongs to. */
export type AddressColumn = 'address' | 'type';

/** One thing wrong with an address/type pair, in the user's words. */
export interface AddressProblem {
  column: AddressColumn;
  message: string;
}

/** A parsed address, or the problems that stopped it from parsing. */
export type AddressResult<A> = { ok: true; address: A } | { ok: false; problems: AddressProblem[] };

/** Normalises a type cell: trimmed and upper-case, so `real` and ` REAL ` both mean REAL. */
export function normaliseType(type: string): string {
  return type.trim().toUpperCase();
}
