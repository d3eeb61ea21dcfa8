import type { FieldDef } from '../core/catalog.ts';
import { humanize } from './labels.ts';

/** One custom field as shown: its catalog label and its value in words. */
export interface FieldFact {
  id: string;
  label: string;
  value: string;
  /** The catalog's input type ('textarea' keeps its line breaks); 'unknown' for a field the catalog no longer lists. */
  type: string;
}

function display(value: unknown): string {
  if (typeof value === 'boolean') return value ? 'Yes' : 'No';
  if (value !== null && typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

const blank = (value: unknown) => value === undefined || value === null || (typeof value === 'string' && value.trim() === '');

/**
 * Custom fields in the catalog's order (the jsonb column hands keys back in its own order:
 * shorter keys first), then any field the catalog does not list any more, by id.
 */
export function fieldFacts(fields: Record<string, unknown>, defs: readonly FieldDef[]): FieldFact[] {
  const known = new Set(defs.map((d) => d.id));
  const listed = defs.filter((d) => Object.hasOwn(fields, d.id) && !blank(fields[d.id])).map((d) => ({ id: d.id, label: d.label, value: display(fields[d.id]), type: d.type }));
  const leftovers = Object.keys(fields)
    .filter((id) => !known.has(id) && !blank(fields[id]))
    .sort()
    .map((id) => ({ id, label: humanize(id), value: display(fields[id]), type: 'unknown' }));
  return [...listed, ...leftovers];
}
