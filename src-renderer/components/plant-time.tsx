/**
 * Times as people at a plant read them: in the plant's time zone, labelled with it, and the reader's own time
 * beside it when their zone differs (an engineer on a laptop set to another zone, a central reviewer). Luxon does
 * the zone rules.
 */
import { DateTime } from 'luxon';
import { zoneAbbreviation } from '../../src-shared/common/workflow/time-zone.ts';

/** The zone's short name at that instant ("CST", "CDT"; "GMT+1" where English has no abbreviation), as refusals write it too. */
function zoneAbbrev(t: DateTime): string {
  return zoneAbbreviation(t.toMillis(), t.zoneName ?? 'UTC');
}

/** "Tue 8 Dec 2026 22:00 CST" in the plant's zone. */
export function formatPlant(iso: string, zone: string): string {
  const t = DateTime.fromISO(iso, { zone });
  return t.isValid ? `${t.setLocale('en-GB').toFormat('ccc d LLL yyyy HH:mm')} ${zoneAbbrev(t)}` : iso;
}

/** The reader's own time for an instant, or null when their zone gives the same wall clock as the plant's. */
export function readerTime(iso: string, zone: string): string | null {
  const plant = DateTime.fromISO(iso, { zone });
  const mine = DateTime.fromISO(iso).setZone(DateTime.local().zoneName ?? 'UTC');
  if (!plant.isValid || !mine.isValid || plant.offset === mine.offset) return null;
  return `${mine.setLocale('en-GB').toFormat(mine.hasSame(plant, 'day') ? 'HH:mm' : 'ccc d LLL HH:mm')} ${zoneAbbrev(mine)} your time`;
}

/** An instant in plant time, with the reader's own time beside it when it differs. */
export function PlantTime({ iso, zone }: { iso: string; zone: string }) {
  const own = readerTime(iso, zone);
  return (
    <time dateTime={iso} title={`${zone}${own ? `; ${own}` : ''}`}>
      {formatPlant(iso, zone)}
      {own && <span className="muted"> ({own})</span>}
    </time>
  );
}

/** A period in plant time: "Tue 8 Dec 2026 22:00 – Wed 9 Dec 06:00 CST". */
export function PlantPeriod({ start, end, zone }: { start: string; end: string; zone: string }) {
  const a = DateTime.fromISO(start, { zone }).setLocale('en-GB');
  const b = DateTime.fromISO(end, { zone }).setLocale('en-GB');
  if (!a.isValid || !b.isValid)
    return (
      <span>
        {start} – {end}
      </span>
    );
  const text = `${a.toFormat('ccc d LLL yyyy HH:mm')} – ${b.toFormat(a.hasSame(b, 'day') ? 'HH:mm' : 'ccc d LLL HH:mm')} ${zoneAbbrev(b)}`;
  // The reader's own times, when their zone differs: each end dated unless both fall on the same day.
  const here = DateTime.local().zoneName ?? 'UTC';
  const ra = DateTime.fromISO(start).setZone(here).setLocale('en-GB');
  const rb = DateTime.fromISO(end).setZone(here).setLocale('en-GB');
  const own =
    ra.offset === a.offset && rb.offset === b.offset
      ? null
      : `${ra.toFormat('ccc d LLL HH:mm')} – ${rb.toFormat(ra.hasSame(rb, 'day') ? 'HH:mm' : 'ccc d LLL HH:mm')} ${zoneAbbrev(rb)} your time`;
  return (
    <span title={zone}>
      {text}
      {own && <span className="muted"> ({own})</span>}
    </span>
  );
}

/** A `datetime-local` value typed in plant time, as an ISO instant ('' when empty or not a time). */
export function plantInputToIso(local: string, zone: string): string {
  if (!local) return '';
  const t = DateTime.fromISO(local, { zone });
  return t.isValid ? (t.toUTC().toISO() ?? '') : '';
}

/** An ISO instant as a `datetime-local` value in plant time ('' when absent). */
export function isoToPlantInput(iso: string | undefined, zone: string): string {
  if (!iso) return '';
  const t = DateTime.fromISO(iso, { zone });
  return t.isValid ? t.toFormat("yyyy-LL-dd'T'HH:mm") : '';
}

/** "plant time, CST": what a typed time means. */
export function plantZoneLabel(zone: string): string {
  return `plant time, ${zoneAbbreviation(Date.now(), zone)}`;
}
