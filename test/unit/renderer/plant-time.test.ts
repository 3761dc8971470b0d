// Plant time as the screens write it, rendered on the server (Node, no DOM): the zone's abbreviation in force at each
// instant, the same one the refusals and the change timeline use (time-zone.ts).
import { createElement } from 'react';
import { renderToString } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { formatPlant, PlantPeriod, plantZoneLabel } from '../../../src-renderer/components/plant-time.tsx';
import { formatLocal } from '../../../src-shared/common/workflow/time-zone.ts';

const CHICAGO = 'America/Chicago';

describe('plant time on screen', () => {
  it('labels a summer instant CDT and a winter one CST, never with the IANA name', () => {
    expect(formatPlant('2026-06-03T15:00:00.000Z', CHICAGO)).toBe('Wed 3 Jun 2026 10:00 CDT');
    expect(formatPlant('2026-12-15T06:00:00.000Z', CHICAGO)).toBe('Tue 15 Dec 2026 00:00 CST');
  });

  it('writes an instant exactly as the refusals and the timeline do', () => {
    for (const iso of ['2026-06-03T15:00:00.000Z', '2026-12-15T06:00:00.000Z', '2026-11-01T06:30:00.000Z', '2026-11-01T07:30:00.000Z'])
      expect(formatPlant(iso, CHICAGO)).toBe(formatLocal(Date.parse(iso), CHICAGO));
  });

  it('labels a period with the abbreviation at its end, across the autumn change', () => {
    const night = (start: string, end: string) => renderToString(createElement(PlantPeriod, { start, end, zone: CHICAGO }));
    expect(night('2026-07-08T03:00:00.000Z', '2026-07-08T11:00:00.000Z')).toContain('Tue 7 Jul 2026 22:00 – Wed 8 Jul 06:00 CDT');
    expect(night('2026-12-09T04:00:00.000Z', '2026-12-09T12:00:00.000Z')).toContain('Tue 8 Dec 2026 22:00 – Wed 9 Dec 06:00 CST');
    // Clocks go back at 02:00 on Sunday 1 November 2026: the night starts in CDT and ends in CST.
    expect(night('2026-11-01T03:00:00.000Z', '2026-11-01T12:00:00.000Z')).toContain('Sat 31 Oct 2026 22:00 – Sun 1 Nov 06:00 CST');
  });

  it('names what a typed time means with the abbreviation in force now', () => {
    expect(plantZoneLabel(CHICAGO)).toMatch(/^plant time, C[SD]T$/);
    expect(plantZoneLabel('UTC')).toBe('plant time, UTC');
  });
});
