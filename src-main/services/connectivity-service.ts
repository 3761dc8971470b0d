/**
 * Online/offline as the main process sees it: whether the central sync server answers `GET /health`.
 * With no server configured the app is simply offline-first and says so ("not-configured").
 */
import type { Connectivity } from '../../src-shared/common/api/contract.ts';
import type { EventHub } from './event-hub.ts';

/** Options for the connectivity probe. */
export interface ConnectivityOptions {
  serverUrl: string | null;
  intervalMs?: number;
  timeoutMs?: number;
}

/** Probes the sync server periodically and pushes `connectivity.changed` when the state changes. */
export class ConnectivityService {
  private readonly hub: EventHub;
  private readonly serverUrl: string | null;
  private readonly intervalMs: number;
  private readonly timeoutMs: number;
  private state: Connectivity;
  private timer: NodeJS.Timeout | null = null;

  constructor(hub: EventHub, options: ConnectivityOptions) {
    this.hub = hub;
    this.serverUrl = options.serverUrl;
    this.intervalMs = options.intervalMs ?? 15_000;
    this.timeoutMs = options.timeoutMs ?? 3_000;
    this.state = this.serverUrl
      ? { state: 'offline', server: this.serverUrl, checkedAt: null, detail: 'Not checked yet.' }
      : {
          state: 'not-configured',
          server: null,
          checkedAt: null,
          detail: 'No sync server is configured; everything is kept on this laptop.',
        };
  }

  /** The last known state. */
  current(): Connectivity {
    return this.state;
  }

  /** Starts periodic probing (no-op without a server). */
  start(): void {
    if (!this.serverUrl || this.timer) return;
    void this.probe();
    this.timer = setInterval(() => void this.probe(), this.intervalMs);
    this.timer.unref();
  }

  /** Stops probing. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Probes once now and returns the new state. */
  async probe(): Promise<Connectivity> {
    if (!this.serverUrl) return this.state;
    const checkedAt = new Date().toISOString();
    let next: Connectivity;
    try {
      const res = await fetch(new URL('/health', this.serverUrl), { signal: AbortSignal.timeout(this.timeoutMs) });
      next = res.ok
        ? { state: 'online', server: this.serverUrl, checkedAt, detail: 'Sync server reachable.' }
        : { state: 'offline', server: this.serverUrl, checkedAt, detail: `Sync server answered HTTP ${res.status}.` };
    } catch (err) {
      const reason = err instanceof Error && err.name === 'TimeoutError' ? `no answer within ${this.timeoutMs} ms` : 'not reachable';
      next = { state: 'offline', server: this.serverUrl, checkedAt, detail: `Sync server ${reason}; working offline.` };
    }
    const changed = next.state !== this.state.state;
    this.state = next;
    if (changed) this.hub.emit('connectivity.changed', next);
    return next;
  }
}
