/** The in-process transport: the same bridge the renderer gets, calling the router directly (tests, tools). */
import type { BaselineBridge } from '../../src-shared/common/api/transport.ts';
import type { ApiRouter } from '../services/api-router.ts';
import type { EventHub } from '../services/event-hub.ts';

/** A bridge that serialises through JSON like the real transports, so tests see what a client would. */
export function createInProcessBridge(router: ApiRouter, hub: EventHub): BaselineBridge {
  return {
    async invoke(op, request) {
      const envelope = await router.call(op, request === undefined ? undefined : JSON.parse(JSON.stringify(request)));
      return JSON.parse(JSON.stringify(envelope));
    },
    on(event, listener) {
      return hub.subscribe((name, payload) => {
        if (name === event) listener(JSON.parse(JSON.stringify(payload)));
      });
    },
  };
}
