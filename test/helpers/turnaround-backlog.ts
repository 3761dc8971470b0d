/**
 * The three-week turnaround backlog the sync and sync-by-file benchmarks share: on one laptop, 200 captures of a
 * 10,000-tag controller (20 distinct documents: a controller changes on one capture in ten, so identical content is
 * stored and sent once) and filler events up to 1,000 events of its own.
 */
import { readFileSync } from 'node:fs';
import type { BaselineApp } from '../../src-main/services/baseline-app.ts';
import { canonicalJson } from '../../src-shared/common/canonical-json.ts';

/** The backlog's size. */
export const BACKLOG = { events: 1_000, snapshots: 200, tags: 10_000, distinct: 20 } as const;

function captureDocument(version: number): Buffer {
  const values = [];
  for (let i = 0; i < BACKLOG.tags; i++)
    values.push({ tag: `Line1_Tag${i}`, address: `HR${i}`, type: 'REAL', value: i % 97 === 0 ? i + version : i * 0.5, quality: 'good' });
  return Buffer.from(canonicalJson({ schema: 'baseline.capture/1', controller: { id: 'PLC-L01-FILLER', name: 'PLC-L01-FILLER' }, values }));
}

/** Records the backlog in a laptop's journal; returns its own event count and the captures' nominal size (bytes). */
export function recordTurnaroundBacklog(app: BaselineApp): { events: number; nominalBytes: number } {
  const profileSha256 = app.profiles.import(
    'line1',
    'modbus',
    readFileSync(new URL('../fixtures/profiles-capture/modbus-line1.csv', import.meta.url), 'utf8'),
    app.actor(),
  ).sha256;
  const docs = Array.from({ length: BACKLOG.distinct }, (_, v) => captureDocument(v));
  let nominalBytes = 0;
  for (let i = 0; i < BACKLOG.snapshots; i++) {
    const doc = docs[Math.floor(i / (BACKLOG.snapshots / BACKLOG.distinct))]!;
    nominalBytes += doc.length;
    app.journal.append(
      'capture.recorded',
      {
        controllerId: null,
        controller: 'PLC-L01-FILLER',
        protocol: 'modbus-tcp',
        profileSha256,
        captureSha256: app.blobs.put(doc),
        complete: true,
        tags: BACKLOG.tags,
        good: BACKLOG.tags,
        bad: 0,
        requests: 96,
        minimumRequests: 96,
      },
      app.actor(),
    );
  }
  const own = () => [...app.journal.rowsForVerification()].filter((r) => r.device === app.deviceKey.deviceId).length;
  while (own() < BACKLOG.events)
    app.journal.append('journal.verified', { ok: true, eventsChecked: 1, problems: 0, firstProblem: null }, app.actor());
  return { events: own(), nominalBytes };
}
