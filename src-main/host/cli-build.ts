/**
 * The build of the running CLI bundle (scripts/build-cli.ts defines `__BASELINE_CLI_BUILD__`), or null when the
 * TypeScript sources run. What a build checked or serves is kept for that build only: the profile cache's entries
 * and the capture server's socket are named by it. Kept apart and small: the capture client loads it at start.
 */

// Defined by the bundle's build; absent when the TypeScript sources run.
declare const __BASELINE_CLI_BUILD__: string | undefined;

/** The build of the running CLI bundle, or null when the TypeScript sources run. */
export const CLI_BUILD: string | null = typeof __BASELINE_CLI_BUILD__ === 'string' ? __BASELINE_CLI_BUILD__ : null;
