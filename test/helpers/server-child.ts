// The central server in a child process for the load benchmark: like `baseline server`, but with enrolment
// unthrottled (a hundred laptops enrol from one address) and port 0. Prints "listening <url>" on standard
// output; stops on SIGTERM. Usage: node test/helpers/server-child.ts HOME [POSTGRES_URL]
import { startServer } from '../../src-server/server-cli.ts';

const [home, postgresUrl] = process.argv.slice(2);
if (!home) throw new Error('usage: server-child.ts HOME [POSTGRES_URL]');
const server = await startServer({
  home,
  port: 0,
  host: '127.0.0.1',
  postgresUrl: postgresUrl ?? null,
  names: ['localhost', '127.0.0.1'],
  logger: false,
  enrolPerMinute: 100_000,
});
process.stdout.write(`listening ${server.url}\n`);
process.once('SIGTERM', () => void server.close().then(() => process.exit(0)));
