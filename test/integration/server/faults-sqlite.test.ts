/** Sync faults against the embedded default: SQLite in the server's data directory. */
import { defineFaultSuite } from './faults-suite.ts';

defineFaultSuite('SQLite', () => ({ postgresUrl: null }));
