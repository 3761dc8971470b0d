/** Revocation by sync with the server on SQLite. */
import { defineRevocationSuite } from './revocation-suite.ts';

defineRevocationSuite('SQLite', () => ({ postgresUrl: null }));
