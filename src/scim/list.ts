import { filter as toPredicate, parse, type Filter } from 'scim2-parse-filter';
import { ScimError } from './errors.ts';
import { LIST_SCHEMA } from './schemas.ts';

const MAX_COUNT = 200;

export interface ListQuery {
  filter: Filter | null;
  /** 1-based (RFC 7644 §3.4.2.4); values below 1 are taken as 1. */
  startIndex: number;
  count: number;
  excluded: Set<string>;
}

/** filter, startIndex, count and excludedAttributes from the query string. */
export function listQuery(query: Record<string, string | undefined>): ListQuery {
  let filter: Filter | null = null;
  if (query.filter !== undefined && query.filter.trim() !== '') {
    try {
      filter = parse(query.filter);
    } catch (error) {
      throw new ScimError(400, `filter is not valid: ${error instanceof Error ? error.message : String(error)}`, 'invalidFilter');
    }
  }
  const whole = (name: string, fallback: number) => {
    const raw = query[name];
    if (raw === undefined || raw === '') return fallback;
    if (!/^-?\d{1,9}$/.test(raw)) throw new ScimError(400, `${name} must be a whole number`, 'invalidValue');
    return Number(raw);
  };
  const excluded = new Set((query.excludedAttributes ?? '').split(',').map((a) => a.trim().toLowerCase()).filter(Boolean));
  return { filter, startIndex: Math.max(1, whole('startIndex', 1)), count: Math.min(MAX_COUNT, Math.max(0, whole('count', 100))), excluded };
}

/** `attr eq "value"` on one of the given attributes (matched case-insensitively), for an indexed lookup. */
export function simpleEquality(filter: Filter | null, attributes: string[]): { attribute: string; value: string } | null {
  if (filter?.op !== 'eq' || !('compValue' in filter) || typeof filter.compValue !== 'string') return null;
  const attribute = attributes.find((a) => a.toLowerCase() === filter.attrPath.toLowerCase());
  return attribute ? { attribute, value: filter.compValue } : null;
}

/** Any other filter runs over the resources with scim2-parse-filter's evaluator. */
export function matches(filter: Filter | null): (resource: Record<string, unknown>) => boolean {
  return filter ? toPredicate(filter) : () => true;
}

export function listResponse(resources: Array<Record<string, unknown>>, totalResults: number, startIndex: number) {
  return { schemas: [LIST_SCHEMA], totalResults, startIndex, itemsPerPage: resources.length, Resources: resources };
}
