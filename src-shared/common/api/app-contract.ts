/**
 * The API contract's app part (one file per domain; contract.ts joins them into OPERATIONS).
 * The app itself: facts about this instance, connectivity, the first-run checklist and the demo plant.
 */
import * as z from 'zod';
import { Empty } from './contract-primitives.ts';

/** Reachability of the central sync server, as the main process sees it. */
export const ConnectivitySchema = z.object({
  state: z.enum(['online', 'offline', 'not-configured']),
  server: z.string().nullable(),
  checkedAt: z.string().nullable(),
  detail: z.string(),
});
/** Reachability of the central sync server. */
export type Connectivity = z.infer<typeof ConnectivitySchema>;

/** The app operations: name -> request and response schemas. */
export const APP_OPERATIONS = {
  'app.info': {
    request: Empty,
    response: z.object({
      appVersion: z.string(),
      deviceId: z.string(),
      deviceName: z.string(),
      home: z.string(),
      transport: z.enum(['electron', 'web', 'cli', 'in-process']),
      keyProtection: z.enum(['os-keychain', 'passphrase', 'file-permissions', 'restored-public-key-only']),
      schemaVersion: z.number(),
      /** A demo data directory: every screen says DEMO. */
      demo: z.boolean(),
      /** Set when the data directory is open read-only (rebuilt from backups: it verifies but cannot sign), with what to do. */
      readOnly: z.object({ message: z.string(), hint: z.string() }).nullable().optional(),
      /** The central view (a read-only replica of the plant's records, served over HTTPS): the header says so. */
      centralView: z.boolean().default(false),
    }),
  },
  'connectivity.get': { request: Empty, response: ConnectivitySchema },
  /** The first-run checklist ("Set up my plant"): each step ticked from what this data directory holds. */
  'setup.status': {
    request: Empty,
    response: z.object({
      steps: z.array(
        z.object({
          id: z.enum(['ca', 'administrator', 'plant', 'roster', 'controller', 'capture']),
          label: z.string(),
          done: z.boolean(),
          detail: z.string(),
          view: z.enum(['controllers', 'changes', 'windows', 'plant', 'people', 'audit']),
        }),
      ),
      complete: z.boolean(),
    }),
  },
  /** The demo people and their demo passwords (a demo data directory only). */
  'demo.people': {
    request: Empty,
    response: z.object({
      caPassword: z.string(),
      people: z.array(z.object({ name: z.string(), employeeId: z.string(), roles: z.array(z.string()), password: z.string() })),
    }),
  },
  /** Leaves this (empty) data directory for a throw-away demo plant, served by the same host. */
  'demo.explore': { request: Empty, response: z.object({ home: z.string() }) },
  /** Demo only: sets the change's proposed values on its simulated controller, as the engineer's download would. */
  'demo.applyProposed': {
    request: z.object({ changeId: z.string().min(1) }).strict(),
    response: z.object({ controller: z.string(), tags: z.array(z.string()) }),
  },
} as const;
