/** Fan-out of pushed events (ARCHITECTURE §2) from services to every connected transport. */
import type { PushedEventName, PushedEventPayload } from '../../src-shared/common/api/contract.ts';

/** A listener for every pushed event. */
export type HubListener = (event: PushedEventName, payload: unknown) => void;

/** Typed publish/subscribe for pushed events. */
export class EventHub {
  private readonly listeners = new Set<HubListener>();

  /** Sends an event to every subscriber; a failing subscriber does not stop the others. */
  emit<E extends PushedEventName>(event: E, payload: PushedEventPayload<E>): void {
    for (const l of this.listeners) {
      try {
        l(event, payload);
      } catch {
        // A broken transport (closed socket, destroyed window) must not break the service that emitted.
      }
    }
  }

  /** Subscribes to every event; returns the unsubscribe function. */
  subscribe(listener: HubListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
