/**
 * Text that cannot be stored: Postgres refuses NUL (U+0000) in `text` and `jsonb`, and a
 * lone UTF-16 surrogate has no UTF-8 form (jsonb refuses `\ud800`; a text column would
 * silently get U+FFFD). Every inbound door uses these at its boundary, once for the whole
 * parsed input: the API and the web form refuse or clean before zod's result reaches
 * core, Slack and Teams events are cleaned after their signature is checked.
 */

// biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is exactly what these refuse and strip.
const NUL = /\u0000/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is exactly what these refuse and strip.
const NUL_ALL = /\u0000/g;
/** A high surrogate not followed by a low one, or a low one not preceded by a high one. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const LONE_SURROGATE_ALL = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Why a string cannot be taken as text, or null when it can. */
export function textProblem(value: string): string | null {
  if (NUL.test(value)) return 'must not contain the NUL character (U+0000)';
  if (LONE_SURROGATE.test(value)) return 'must be valid Unicode (it has a lone surrogate)';
  return null;
}

/** The first string (or object key) anywhere in `value` that cannot be stored, with its path. */
export function findBadText(value: unknown, path: Array<string | number> = [], depth = 0): { path: string; message: string } | null {
  if (typeof value === 'string') {
    const problem = textProblem(value);
    return problem ? { path: path.join('.') || '(value)', message: problem } : null;
  }
  if (depth > 64 || value === null || typeof value !== 'object') return null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findBadText(value[i], [...path, i], depth + 1);
      if (found) return found;
    }
    return null;
  }
  for (const [key, child] of Object.entries(value)) {
    const keyProblem = textProblem(key);
    if (keyProblem) return { path: [...path, key.replace(NUL_ALL, '\\u0000')].join('.'), message: `(a key) ${keyProblem}` };
    const found = findBadText(child, [...path, key], depth + 1);
    if (found) return found;
  }
  return null;
}

/** The string made storable: NUL removed, lone surrogates replaced by U+FFFD (what a UTF-8 decoder shows). */
export function cleanText(value: string): string {
  return value.replace(NUL_ALL, '').replace(LONE_SURROGATE_ALL, '\ufffd');
}

/** A JSON-like value with every string (and key) cleaned; for platform events, which are ignored in part rather than refused. */
export function cleanDeep<T>(value: T, depth = 0): T {
  if (typeof value === 'string') return cleanText(value) as T;
  if (depth > 64 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => cleanDeep(item, depth + 1)) as T;
  const out: Record<string, unknown> = {};
  // defineProperty: a "__proto__" key in parsed JSON stays a plain key, never a prototype.
  for (const [key, child] of Object.entries(value)) Object.defineProperty(out, cleanText(key), { value: cleanDeep(child, depth + 1), enumerable: true, writable: true, configurable: true });
  return out as T;
}

/** The largest value a Postgres `integer` column holds: ids in paths and cursors above it are not ours. */
export const MAX_INT4 = 2_147_483_647;
