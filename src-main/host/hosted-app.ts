/**
 * The app a host program serves, with the demo plant's lifecycle: a demo data directory gets its simulated
 * controllers started (and its controllers re-pointed at them) when it is opened and stopped when it is closed; a
 * throw-away demo directory is deleted on close; "Explore the demo plant" swaps an empty data directory for a
 * throw-away demo one without restarting the host (the page reconnects to the same URL).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Envelope } from '../../src-shared/common/api/transport.ts';
import { BaselineApp, type BaselineAppOptions } from '../services/baseline-app.ts';
import { ApiRouter, appHandlers, type DemoHost } from '../services/api-router.ts';
import { EventHub } from '../services/event-hub.ts';
import { createDemoPlant } from '../services/demo-plant.ts';
import { DemoSimulators } from '../services/demo-simulators.ts';
import { defaultResourcesDir } from '../services/policy-service.ts';

interface Current {
  app: BaselineApp;
  router: ApiRouter;
  sims: DemoSimulators | null;
  /** A throw-away demo directory, deleted on close. */
  throwaway: string | null;
  unsubscribe(): void;
}

/** A new throw-away demo data directory, written by `createDemoPlant`. */
export async function createThrowawayDemo(options: Pick<BaselineAppOptions, 'keyProtection' | 'resourcesDir'>): Promise<string> {
  const home = mkdtempSync(join(tmpdir(), 'baseline-demo-'));
  try {
    await createDemoPlant({
      home,
      keyProtection: options.keyProtection,
      ...(options.resourcesDir ? { resourcesDir: options.resourcesDir } : {}),
    });
    return home;
  } catch (err) {
    rmSync(home, { recursive: true, force: true });
    throw err;
  }
}

/** The served app; `call` and `hub` are what a transport needs, whichever data directory is open. */
export class HostedApp implements DemoHost {
  readonly hub = new EventHub();
  private current: Current;
  private readonly options: BaselineAppOptions;

  private constructor(options: BaselineAppOptions) {
    this.options = options;
    this.current = null as unknown as Current;
  }

  /** Opens `options.home` (`throwaway`: a demo directory to delete on close); starts the demo's controllers if it is one. */
  static async open(options: BaselineAppOptions, throwaway = false): Promise<HostedApp> {
    const hosted = new HostedApp(options);
    hosted.current = await hosted.openCurrent(options.home, throwaway);
    return hosted;
  }

  private async openCurrent(home: string, throwaway: boolean): Promise<Current> {
    const app = BaselineApp.open({ ...this.options, home });
    let sims: DemoSimulators | null = null;
    try {
      if (app.isDemo()) {
        sims = await DemoSimulators.start(home, this.options.resourcesDir ?? defaultResourcesDir());
        sims.repoint(app.controllers, app.actor());
      }
    } catch (err) {
      app.close();
      throw err;
    }
    app.startBackground();
    const unsubscribe = app.hub.subscribe((event, payload) => this.hub.emit(event, payload as never));
    return { app, router: new ApiRouter(appHandlers(app, this)), sims, throwaway: throwaway ? home : null, unsubscribe };
  }

  /** The open app. */
  get app(): BaselineApp {
    return this.current.app;
  }

  /** Runs one call against the open app. */
  call(op: unknown, request: unknown): Promise<Envelope<unknown>> {
    return this.current.router.call(op, request);
  }

  /** Leaves the open data directory for a new throw-away demo plant. */
  async explore(): Promise<{ home: string }> {
    const home = await createThrowawayDemo(this.options);
    let next: Current;
    try {
      next = await this.openCurrent(home, true);
    } catch (err) {
      rmSync(home, { recursive: true, force: true });
      throw err;
    }
    const previous = this.current;
    this.current = next;
    await HostedApp.closeCurrent(previous);
    return { home };
  }

  /** The demo's simulated controllers, when a demo directory is open. */
  simulators(): DemoSimulators | null {
    return this.current.sims;
  }

  private static async closeCurrent(c: Current): Promise<void> {
    c.unsubscribe();
    await c.sims?.close();
    await c.app.closeWhenIdle();
    if (c.throwaway) rmSync(c.throwaway, { recursive: true, force: true });
  }

  /** Stops the simulators, closes the store, deletes a throw-away demo directory. */
  async close(): Promise<void> {
    await HostedApp.closeCurrent(this.current);
  }
}
