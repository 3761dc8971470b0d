/** The forked-bundle suite against the embedded default: SQLite in the server's data directory. */
import { defineBundleForkSuite } from './bundle-fork-suite.ts';

defineBundleForkSuite('SQLite', () => ({ postgresUrl: null }));
