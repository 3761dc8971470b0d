/** The forked-bundle suite against PostgreSQL 15 (a real server from Debian's packages, started on 127.0.0.1 for this file). */
import { afterAll, beforeAll } from 'vitest';
import { startTestPostgres, type TestPostgres } from '../../helpers/postgres.ts';
import { defineBundleForkSuite } from './bundle-fork-suite.ts';

let cluster: TestPostgres;
let url = '';

beforeAll(async () => {
  cluster = await startTestPostgres();
  url = await cluster.newDatabase('baseline_bundle_fork_suite');
}, 120_000);
afterAll(() => cluster?.stop());

defineBundleForkSuite('PostgreSQL', () => ({ postgresUrl: url }));
