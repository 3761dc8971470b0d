/** The air-gap suite against PostgreSQL 15 (a real server from Debian's packages, started on 127.0.0.1 for this file). */
import { afterAll, beforeAll } from 'vitest';
import { startTestPostgres, type TestPostgres } from '../../helpers/postgres.ts';
import { defineAirGapSuite } from './air-gap-suite.ts';

let cluster: TestPostgres;
let url = '';

beforeAll(async () => {
  cluster = await startTestPostgres();
  url = await cluster.newDatabase('baseline_air_gap_suite');
}, 120_000);
afterAll(() => cluster?.stop());

defineAirGapSuite('PostgreSQL', () => ({ postgresUrl: url }));
