/**
 * The actor of events no person signs: the operating-system user running this program. Its own module so a
 * command that needs only this (an unrecorded `baseline capture`) does not load every service.
 */
import { hostname, userInfo } from 'node:os';
import type { Actor } from '../../src-shared/common/journal-event.ts';

/** The operating-system user running this program, as the actor of events no person signs. */
export function osUserActor(): Actor {
  let name: string;
  try {
    name = userInfo().username;
  } catch {
    // no passwd entry (containers): fall back to the environment
    name = process.env['USER'] ?? process.env['USERNAME'] ?? 'unknown';
  }
  return { kind: 'os-user', id: name, name: `${name}@${hostname()}` };
}
