/** Exhaustiveness check for tagged unions: the compiler fails when a case is missing. */
export function assertNever(value: never, what = 'value'): never {
  throw new Error(`Unhandled ${what}: ${JSON.stringify(value)}`);
}
