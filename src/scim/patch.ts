import { scimPatch, type ScimPatchOperation } from 'scim-patch';
import { ScimError } from './errors.ts';
import { firstIssue, patchSchema } from './schemas.ts';

/**
 * Apply a PatchOp body (RFC 7644 §3.5.2) to a resource with scim-patch. Entra ID's quirks are
 * smoothed first: op names in any case ("Replace"), and ops without `path` whose value is an
 * object of attributes (scim-patch takes those, including "name.givenName" and URN keys).
 * The caller validates the result like a PUT body, which also turns "False" into false.
 */
export function applyPatch<T extends Record<string, unknown>>(resource: T, body: unknown): T {
  const parsed = patchSchema.safeParse(body);
  if (!parsed.success) throw new ScimError(400, firstIssue(parsed.error), 'invalidSyntax');
  const operations = parsed.data.Operations.flatMap(removeByValue).map((o) => {
    if (o.op !== 'remove' && !('value' in o)) throw new ScimError(400, `a ${o.op} operation needs a value`, 'invalidValue');
    if (o.op !== 'remove' && o.path === undefined && (typeof o.value !== 'object' || o.value === null || Array.isArray(o.value))) {
      throw new ScimError(400, `a ${o.op} without path needs an object value`, 'invalidValue');
    }
    if (o.op === 'remove' && !o.path) throw new ScimError(400, 'remove needs a path', 'noTarget');
    return { op: o.op, ...(o.path !== undefined ? { path: o.path } : {}), ...('value' in o ? { value: o.value } : {}) } as ScimPatchOperation;
  });
  try {
    return scimPatch(structuredClone(resource) as never, operations, { mutateDocument: true, treatMissingAsAdd: true }) as unknown as T;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new ScimError(400, `the patch cannot be applied: ${message}`, /path|target/i.test(message) ? 'invalidPath' : 'invalidValue');
  }
}

/**
 * Entra removes group members as `{op: Remove, path: members, value: [{$ref: null, value: id}]}`:
 * match them by `value` alone (scim-patch would compare whole objects), one filtered remove each.
 */
function removeByValue<T extends { op: string; path?: string | undefined; value?: unknown }>(o: T): T[] {
  if (o.op !== 'remove' || !o.path || /[[\]]/.test(o.path) || !Array.isArray(o.value)) return [o];
  const values = o.value.map((v) => (typeof v === 'object' && v !== null ? (v as { value?: unknown }).value : undefined));
  if (!values.length || !values.every((v) => typeof v === 'string')) return [o];
  return values.map((v) => ({ op: 'remove', path: `${o.path}[value eq ${JSON.stringify(v)}]` }) as T);
}
