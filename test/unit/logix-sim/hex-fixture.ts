/** The Logix hex fixtures (test/fixtures/logix/*.hex); the format is read by test/helpers/hex-fixtures.ts. */
import { loadExchanges as load, type Exchange } from '../../helpers/hex-fixtures.ts';

export { hex, type Exchange } from '../../helpers/hex-fixtures.ts';

/** The exchanges of a fixture file, in order. */
export function loadExchanges(file: string): Exchange[] {
  return load('logix', file);
}

/** The single exchange of a fixture file. */
export function loadExchange(file: string): Exchange {
  const [first, ...rest] = loadExchanges(file);
  if (!first || rest.length > 0) throw new Error(`${file}: expected exactly one exchange`);
  return first;
}
