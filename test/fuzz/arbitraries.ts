import fc from 'fast-check';

/**
 * Hostile input for the fuzz suites (test/fuzz/*.test.ts, bench/fuzz.ts): the strings,
 * numbers and shapes that broke inbound routes before (NUL, lone surrogates, numbers past
 * the integer range, prototype keys, wrong types), mixed with fast-check's own.
 * No vitest import here: bench/fuzz.ts runs these without a test runner.
 */

const SPECIAL_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\ud800',
  '\udfff',
  'x\ud800y',
  '\ud83d\ude00',
  '\ufffe',
  '%00',
  '%',
  '%ZZ',
  '__proto__',
  'constructor',
  'hasOwnProperty',
  'toString',
  'null',
  'undefined',
  'NaN',
  '-1',
  '0',
  '1e309',
  '99999999999999999999',
  '2147483648',
  '-2147483649',
  '9007199254740993',
  'IT-99999999999',
  'IT-2147483648',
  'IT-1',
  "'; drop table tickets; --",
  '<script>alert(1)</script>',
  '{{ticket.key}}',
  'a'.repeat(5_000),
  'é'.repeat(300),
  'ada@example.test',
  'not-an-email',
  'http://127.0.0.1:1/\u0000',
  'https://example.test/hook',
  'laptop',
  'question',
  'open',
  'resolved',
  'P1',
  'public',
  'internal',
];

/** A string fast-check shrinks well, biased towards the ones that break things. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...SPECIAL_STRINGS) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.array(fc.integer({ min: 0, max: 0xffff }).map((u) => String.fromCharCode(u)), { maxLength: 12 }).map((units) => units.join('')) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...SPECIAL_STRINGS), fc.constantFrom(...SPECIAL_STRINGS)).map(([a, b]) => a + b) },
);

const SPECIAL_NUMBERS = [0, -1, 1, 2_147_483_647, 2_147_483_648, -2_147_483_649, Number.MAX_SAFE_INTEGER, 2 ** 63, 1e308, -1e308, 0.5, -0.0];

export const hostileNumber: fc.Arbitrary<number> = fc.oneof(fc.constantFrom(...SPECIAL_NUMBERS), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer());

/** Any JSON value with hostile leaves and keys. */
export const hostileJson: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    hostileString,
    hostileNumber,
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(hostileString, tie('value'), { maxKeys: 4 }),
  ),
})).value;

type Path = Array<string | number>;

function paths(value: unknown, prefix: Path = []): Path[] {
  if (value === null || typeof value !== 'object') return [prefix];
  const entries: Array<[string | number, unknown]> = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
  return [prefix, ...entries.flatMap(([k, v]) => paths(v, [...prefix, k]))];
}

function setAt(value: unknown, path: Path, replacement: unknown, remove: boolean): unknown {
  if (!path.length) return replacement;
  const [head, ...rest] = path;
  const copy = (Array.isArray(value) ? [...(value as unknown[])] : { ...(value as object) }) as Record<string | number, unknown>;
  if (remove && !rest.length) delete copy[head!];
  else copy[head!] = setAt(copy[head!], rest, replacement, remove);
  return copy;
}

/** A valid value with one part replaced by something hostile (or removed, or a key added). */
export function mutated(valid: unknown): fc.Arbitrary<unknown> {
  const where = paths(valid);
  return fc.oneof(
    { weight: 4, arbitrary: fc.tuple(fc.constantFrom(...where), hostileJson).map(([path, bad]) => setAt(valid, path, bad, false)) },
    { weight: 4, arbitrary: fc.tuple(fc.constantFrom(...where), hostileString).map(([path, bad]) => setAt(valid, path, bad, false)) },
    { weight: 1, arbitrary: fc.constantFrom(...where).map((path) => setAt(valid, path, undefined, true)) },
    { weight: 1, arbitrary: fc.tuple(hostileString, hostileJson).map(([key, bad]) => (valid && typeof valid === 'object' && !Array.isArray(valid) ? { ...valid, [key]: bad } : valid)) },
  );
}

/** A body for a JSON route: mostly near-valid (to reach deep code), sometimes anything at all. */
export function jsonBody(valid: unknown): fc.Arbitrary<unknown> {
  return fc.oneof({ weight: 5, arbitrary: mutated(valid) }, { weight: 1, arbitrary: hostileJson });
}

/** Percent-encode for a URL, keeping lone surrogates (encodeURIComponent throws on them). */
export function encodeLoose(value: string): string {
  let out = '';
  for (const ch of value) {
    const code = ch.codePointAt(0)!;
    if (code >= 0xd800 && code <= 0xdfff) out += `%${((code >> 12) | 0xe0).toString(16)}%${(((code >> 6) & 0x3f) | 0x80).toString(16)}%${((code & 0x3f) | 0x80).toString(16)}`;
    else out += encodeURIComponent(ch);
  }
  return out;
}

/** Raw request bodies whose content type lies or is broken. */
export const brokenBodies: fc.Arbitrary<{ contentType: string | undefined; body: string }> = fc.oneof(
  fc.record({ contentType: fc.constant('multipart/form-data'), body: fc.constant('--x\r\ncontent-disposition: form-data; name="title"\r\n\r\nhi\r\n--x--') }),
  fc.record({ contentType: fc.constant('multipart/form-data; boundary=x'), body: fc.constantFrom('garbage', '--x\r\n\r\n', '--y--') }),
  fc.record({ contentType: fc.constantFrom('application/json', 'application/json; charset=utf-8'), body: fc.constantFrom('{', '[]', 'null', '0', '"x"', '{"a":', '\u0000', '{"title":"\\u0000"}', '{"title":"\\ud800"}') }),
  fc.record({ contentType: fc.constantFrom('text/plain', 'application/xml', 'application/x-www-form-urlencoded', 'application/octet-stream'), body: fc.string({ unit: 'binary', maxLength: 60 }) }),
  fc.record({ contentType: fc.constant(undefined), body: fc.string({ maxLength: 40 }) }),
);

/** What every answer must be: never 5xx; a JSON error in the shared vocabulary when JSON. */
export function answerProblem(status: number, contentType: string | null, text: string, options: { jsonErrors: boolean }): string | null {
  if (status >= 500) return `answered ${status}: ${text.slice(0, 300)}`;
  if (options.jsonErrors && status >= 400) {
    if (!(contentType ?? '').includes('application/json')) return `a ${status} that is not JSON (${contentType}): ${text.slice(0, 200)}`;
    try {
      const error = (JSON.parse(text) as { error?: { code?: unknown; message?: unknown } }).error;
      if (typeof error?.code !== 'string' || typeof error.message !== 'string') return `a ${status} outside the error vocabulary: ${text.slice(0, 200)}`;
    } catch {
      return `a ${status} whose body is not JSON: ${text.slice(0, 200)}`;
    }
  }
  return null;
}
