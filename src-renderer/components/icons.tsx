/**
 * The app's icons, from one library (lucide, ISC licence), used sparingly and always the same way: one icon per
 * screen in the navigation, one per status (done, warning, failed), one on every button that signs, one on every
 * error. Icons are decoration beside words, hidden from screen readers; the words carry the meaning.
 */
import type { LucideIcon } from 'lucide-react';
import {
  CalendarDays,
  ChartColumn,
  CircleCheck,
  CircleX,
  Cpu,
  Factory,
  GitPullRequest,
  House,
  ScrollText,
  Signature,
  TriangleAlert,
  Users,
} from 'lucide-react';

/** The icon of each screen in the navigation. */
export const SCREEN_ICONS = {
  home: House,
  controllers: Cpu,
  changes: GitPullRequest,
  windows: CalendarDays,
  kpis: ChartColumn,
  plant: Factory,
  people: Users,
  audit: ScrollText,
} as const satisfies Record<string, LucideIcon>;

/** The icon of each status tone. */
export const STATUS_ICONS = { ok: CircleCheck, warn: TriangleAlert, bad: CircleX } as const satisfies Record<string, LucideIcon>;

/** An icon beside words: the app's size, hidden from assistive technology. */
export function Icon({ of: Glyph, size = 16 }: { of: LucideIcon; size?: number }) {
  return <Glyph className="icon" size={size} aria-hidden="true" focusable="false" />;
}

/** The icon on every button that gives a signature. */
export function SignIcon() {
  return <Icon of={Signature} />;
}

/** The icon on every error. */
export function WarningIcon() {
  return <Icon of={TriangleAlert} />;
}
