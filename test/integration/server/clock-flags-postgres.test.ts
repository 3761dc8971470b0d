/** Clock flags with the server on PostgreSQL 15 (a real server started on 127.0.0.1 for this file). */
import { afterAll, beforeAll } from 'vitest';
import { startTestPostgres, type TestPostgres } from '../../helpers/postgres.ts';
import { defineClockFlagSuite } from './clock-flags-suite.ts';

let cluster: TestPostgres;
let url = '';

beforeAll(async () => {
  cluster = await startTestPostgres();
  url = await cluster.newDatabase('baseline_clock_flags');
}, 120_000);
afterAll(() => cluster?.stop());

defineClockFlagSuite('PostgreSQL', () => ({ postgresUrl: url }));
