/** Sync faults against PostgreSQL 15 (a real server from Debian's packages, started on 127.0.0.1 for this file). */
import { afterAll, beforeAll } from 'vitest';
import { startTestPostgres, type TestPostgres } from '../../helpers/postgres.ts';
import { defineFaultSuite } from './faults-suite.ts';

let cluster: TestPostgres;
let url = '';

beforeAll(async () => {
  cluster = await startTestPostgres();
  url = await cluster.newDatabase('baseline_faults_suite');
}, 120_000);
afterAll(() => cluster?.stop());

defineFaultSuite('PostgreSQL', () => ({ postgresUrl: url, freshDatabase: (name) => cluster.newDatabase(name) }));
