/** The controller behind the hex fixtures: the tags they name, a fixed session handle and connection id. */
import {
  LogixController,
  SessionConnections,
  UNCONNECTED_MAX_REPLY,
  type RequestContext,
} from '../../../src-main/devices/simulator/logix/logix-controller.ts';
import { LogixSession } from '../../../src-main/devices/simulator/logix/logix-session.ts';
import { LogixTagDatabase, type LogixTagDatabaseSpec } from '../../../src-main/devices/simulator/logix/tag-database.ts';
import { DEFAULT_LOGIX_IDENTITY } from '../../../src-main/devices/simulator/logix/logix-simulator.ts';

/** Session handle the fixtures use. */
export const FIXTURE_SESSION = 0x12345678;
/** O->T connection id the fixtures' Forward Open reply carries. */
export const FIXTURE_CONNECTION_ID = 0x0a0b0c0d;

/** Tags of the fixtures: Speed REAL 12.5, Count DINT 42, Locked DINT read-only, Arr DINT[10], Program:Main.Limit. */
export const FIXTURE_TAGS: LogixTagDatabaseSpec = {
  tags: [
    { name: 'Speed', type: 'REAL', value: 12.5 },
    { name: 'Count', type: 'DINT', value: 42 },
    { name: 'Locked', type: 'DINT', value: 7, writable: false },
    { name: 'Arr', type: 'DINT', dims: 10 },
    { name: 'Program:Main.Limit', type: 'DINT', value: 99 },
  ],
};

/** A controller over `spec` (the fixture tags by default) with a pinned clock. */
export function fixtureController(
  spec: LogixTagDatabaseSpec = FIXTURE_TAGS,
  now = () => Date.UTC(2025, 0, 2, 3, 4, 5, 6),
): LogixController {
  return new LogixController({ database: LogixTagDatabase.load(spec), identity: { ...DEFAULT_LOGIX_IDENTITY, status: 0x0060 }, now });
}

/** A session with the fixture handle and connection id. */
export function fixtureSession(controller = fixtureController()): LogixSession {
  return new LogixSession({ controller, sessionHandle: FIXTURE_SESSION, connectionIds: () => FIXTURE_CONNECTION_ID });
}

/** An unconnected request context with fresh connections. */
export function unconnected(maxReply = UNCONNECTED_MAX_REPLY): RequestContext {
  return { connected: false, maxReply, connections: new SessionConnections(() => FIXTURE_CONNECTION_ID) };
}
