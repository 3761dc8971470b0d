/** Sync conflicts with the server on SQLite. */
import { defineConflictSuite } from './conflicts-suite.ts';

defineConflictSuite('SQLite', () => ({ postgresUrl: null }));
