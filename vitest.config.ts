import { defineConfig } from 'vitest/config';

// Three projects mirror the test tree: unit (pure and in-memory), integration (real SQLite files, real
// sockets, real peers on 127.0.0.1), e2e (real Chromium against the loopback web host; a signature opens a keystore, which
// takes seconds on a busy machine, so polls wait up to 10 s).
export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'], environment: 'node' } },
      { test: { name: 'integration', include: ['test/integration/**/*.test.ts'], environment: 'node', testTimeout: 30_000 } },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 60_000,
          fileParallelism: false,
          expect: { poll: { timeout: 10_000 } },
        },
      },
    ],
  },
});
