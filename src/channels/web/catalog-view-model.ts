import type { Catalog, RequestTypeDef } from '../../core/catalog.ts';
import { formatDuration } from '../../core/sla/business-time.ts';
import { targetsFor } from '../../core/sla/clocks.ts';

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

/** Request types grouped by queue, in catalog order, filtered by a search query. */
export function catalogQueues(catalog: Catalog, query: string): CatalogQueue[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  const grouped = new Map<string, CatalogQueue>();
  for (const [queueKey, queue] of Object.entries(catalog.queues)) grouped.set(queueKey, { key: queueKey, name: queue.name, entries: [] });
  for (const [key, type] of Object.entries(catalog.request_types)) {
    const queue = grouped.get(type.queue);
    if (!queue) continue;
    const searchText = `${type.name} ${type.description} ${queue.name} ${type.fields.map((f) => f.label).join(' ')}`.toLowerCase();
    if (!words.every((word) => searchText.includes(word))) continue;
    queue.entries.push({ key, name: type.name, description: type.description, expected: expectedTimes(type), searchText });
  }
  return [...grouped.values()].filter((q) => q.entries.length > 0);
}

/** The promise for a type's default priority, in business time. */
export function expectedTimes(type: RequestTypeDef): string | null {
  const targets = targetsFor(type.sla, type.default_priority);
  if (!targets) return null;
  return `First reply within ${formatDuration(targets.firstResponse)} · resolved within ${formatDuration(targets.resolution)} (business hours)`;
}
