/** Clock flags with the server on SQLite. */
import { defineClockFlagSuite } from './clock-flags-suite.ts';

defineClockFlagSuite('SQLite', () => ({ postgresUrl: null }));
