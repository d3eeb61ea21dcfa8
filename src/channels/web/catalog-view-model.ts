import type { Catalog, RequestTypeDef } from '../../core/catalog.ts';
import { formatDuration } from '../../core/sla/business-time.ts';
import { targetsFor } from '../../core/sla/clocks.ts';
import { typePicker } from '../../present/forms.ts';

export interface CatalogEntry {
  key: string;
  name: string;
  description: string;
  /** "First reply within 4 h · resolved within 24 h (business hours)", or null without an SLA. */
  expected: string | null;
  /** Lower-cased text the search matches against. */
  searchText: string;
}

export interface CatalogQueue {
  key: string;
  name: string;
  entries: CatalogEntry[];
}

/** Request types grouped by queue, in catalog order (the picker of every door, present/forms.ts), filtered by a search query. */
export function catalogQueues(catalog: Catalog, query: string): CatalogQueue[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  return typePicker(catalog)
    .map((group) => ({
      key: group.queue,
      name: group.label,
      entries: group.types.flatMap(({ key }) => {
        const type = catalog.request_types[key]!;
        const searchText = `${type.name} ${type.description} ${group.label} ${type.fields.map((f) => f.label).join(' ')}`.toLowerCase();
        return words.every((word) => searchText.includes(word)) ? [{ key, name: type.name, description: type.description, expected: expectedTimes(type), searchText }] : [];
      }),
    }))
    .filter((q) => q.entries.length > 0);
}

/** The promise for a type's default priority, in business time. */
export function expectedTimes(type: RequestTypeDef): string | null {
  const targets = targetsFor(type.sla, type.default_priority);
  if (!targets) return null;
  return `First reply within ${formatDuration(targets.firstResponse)} · resolved within ${formatDuration(targets.resolution)} (business hours)`;
}
