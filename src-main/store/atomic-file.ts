/** Crash-safe file writes; the implementation is shared with the central server (src-shared/node). */
export { fsyncDir, writeFileAtomic } from '../../src-shared/node/atomic-file.ts';
