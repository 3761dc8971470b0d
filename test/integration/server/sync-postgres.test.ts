/** The sync suite against PostgreSQL 15 (a real server from Debian's packages, started on 127.0.0.1 for this file). */
import { afterAll, beforeAll } from 'vitest';
import { startTestPostgres, type TestPostgres } from '../../helpers/postgres.ts';
import { defineSyncSuite } from './sync-suite.ts';

let cluster: TestPostgres;
let url = '';

beforeAll(async () => {
  cluster = await startTestPostgres();
  url = await cluster.newDatabase('baseline_sync_suite');
}, 120_000);
afterAll(() => cluster?.stop());

defineSyncSuite('PostgreSQL', () => ({ postgresUrl: url, freshDatabase: (name) => cluster.newDatabase(name) }));
