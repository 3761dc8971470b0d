import { defineConfig } from 'vitest/config';
import InterleavedSequencer from './test/helpers/interleaved-sequencer.ts';

// Three projects mirror the test tree: unit (pure and in-memory), integration (real SQLite files, real
// sockets, real peers on 127.0.0.1), e2e (real Chromium against the loopback web host; a signature opens a keystore, which
// takes seconds on a busy machine, so polls wait up to 10 s).
//
// Two test files run at a time, from all three projects together (docs/testing.md, "What the run costs"). Vitest's
// default on a 2-core machine is one worker, and a project that runs its files one by one is put in a group of its
// own that runs after the others: the whole run was serial while most files wait on child processes, sockets and the
// browser. Every file owns its data directory (a temp folder), its ports (chosen by the OS) and its Chromium, so any
// two can run side by side. The browser files are woven between the others (test/helpers/interleaved-sequencer.ts).
export default defineConfig({
  test: {
    maxWorkers: 2,
    sequence: { sequencer: InterleavedSequencer },
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
          expect: { poll: { timeout: 10_000 } },
        },
      },
    ],
  },
});
