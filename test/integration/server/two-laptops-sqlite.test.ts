/** The two-laptop scenario with the server on SQLite. */
import { defineTwoLaptopSuite } from './two-laptops-suite.ts';

defineTwoLaptopSuite('SQLite', () => ({ postgresUrl: null }));
