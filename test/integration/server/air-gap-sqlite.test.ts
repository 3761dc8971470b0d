/** The air-gap suite against the embedded default: SQLite in the server's data directory. */
import { defineAirGapSuite } from './air-gap-suite.ts';

defineAirGapSuite('SQLite', () => ({ postgresUrl: null }));
