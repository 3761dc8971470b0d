/** The sync suite against the embedded default: SQLite in the server's data directory. */
import { defineSyncSuite } from './sync-suite.ts';

defineSyncSuite('SQLite', () => ({ postgresUrl: null }));
