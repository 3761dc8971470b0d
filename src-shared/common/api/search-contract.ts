/**
 * The header's global search (one file per domain; spread into OPERATIONS by contract.ts).
 */
import * as z from 'zod';

/** What a search found, by kind; each kind names the screen that shows it. */
export interface SearchResults {
  query: string;
  /** Changes by CR number or title: the Changes screen. */
  changes: { id: string; number: string; title: string; status: string }[];
  /** Controllers in service by name, address or line: the Controllers screen. */
  controllers: { id: string; name: string; description: string; lineId: string | null }[];
  /** Tags of the capture profiles of controllers in service: the controller's values on the Controllers screen. */
  tags: { controllerId: string; controller: string; tag: string; address: string }[];
  /** Further matching tags not listed. */
  moreTags: number;
  /** People on the roster or enrolled: the People screen. */
  people: { employeeId: string; name: string; roles: string[]; active: boolean }[];
}

/** Search operations. */
export const SEARCH_OPERATIONS = {
  'search.global': {
    request: z.object({ query: z.string().max(200) }).strict(),
    response: z.custom<SearchResults>(),
  },
} as const;
