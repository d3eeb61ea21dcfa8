import fc from 'fast-check';
import { answerProblem, brokenBodies, encodeLoose, hostileString, jsonBody } from './arbitraries.ts';

/**
 * Fuzz cases for /api/v1, derived from its own OpenAPI document so a route added later is
 * fuzzed without touching this file: every operation gets hostile path parameters, query
 * parameters and (for POST/PUT/PATCH) bodies built by mutating a valid example.
 */
export interface ApiOperation {
  method: string;
  path: string;
  pathParams: string[];
  queryParams: string[];
  hasBody: boolean;
}

interface OpenApiDoc {
  paths: Record<string, Record<string, { parameters?: Array<{ name: string; in: string }>; requestBody?: unknown }>>;
}

export function apiOperations(doc: OpenApiDoc): ApiOperation[] {
  const ops: ApiOperation[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const params = op.parameters ?? [];
      ops.push({
        method: method.toUpperCase(),
        path,
        pathParams: params.filter((p) => p.in === 'path').map((p) => p.name),
        queryParams: params.filter((p) => p.in === 'query').map((p) => p.name),
        hasBody: op.requestBody !== undefined,
      });
    }
  }
  return ops;
}

export interface ApiSeeds {
  /** An existing ticket key. */
  ticketKey: string;
  /** A request type key of the catalog. */
  typeKey: string;
  /** Valid values for some query parameters. */
  query: Record<string, string>;
}

/** Known-good bodies, mutated by the fuzzer; an unknown route starts from `{}`. */
function validBody(op: ApiOperation, seeds: ApiSeeds): unknown {
  const person = { email: 'ada@example.test', name: 'Ada' };
  const byPath: Record<string, unknown> = {
    '/tickets': { type: seeds.typeKey, title: 'Printer on fire', description: 'Third floor', priority: 'P3', requester: person, fields: {} },
    '/tickets/{key}/comments': { body: 'Any update?', visibility: 'public', author: person },
    '/tickets/{key}/transition': { status: 'open', actor: person },
    '/tickets/{key}/assign': { assignee: { email: 'bob@example.test' }, actor: person },
    '/tickets/{key}/priority': { priority: 'P2', actor: person },
    '/tickets/{key}/approvals/{step}/decision': { decision: 'approve', comment: 'ok', approver: person },
    '/tickets/{key}/satisfaction': { rating: 5, comment: 'thanks', rater: person },
    '/webhooks': { url: 'https://example.test/hook', events: ['created'], includeInternal: false },
  };
  return byPath[op.path] ?? {};
}

function validParam(name: string, seeds: ApiSeeds): string {
  if (name === 'key') return seeds.ticketKey;
  if (name === 'id' || name === 'step') return '1';
  return 'x';
}

export interface ApiRequest {
  method: string;
  url: string;
  contentType: string | undefined;
  body: string | undefined;
  idempotencyKey: string | undefined;
}

/** Requests for one operation: hostile parameters, query strings and bodies. */
export function apiRequests(base: string, op: ApiOperation, seeds: ApiSeeds): fc.Arbitrary<ApiRequest> {
  const param = (name: string) => fc.oneof({ weight: 2, arbitrary: fc.constant(validParam(name, seeds)) }, { weight: 3, arbitrary: hostileString });
  const params = fc.tuple(...op.pathParams.map(param));
  const query = fc.dictionary(
    fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...(op.queryParams.length ? op.queryParams : ['q'])) }, { weight: 1, arbitrary: hostileString }),
    fc.oneof({ weight: 1, arbitrary: fc.constantFrom(...Object.values(seeds.query)) }, { weight: 3, arbitrary: hostileString }),
    { maxKeys: 3 },
  );
  const writes = ['POST', 'PUT', 'PATCH'].includes(op.method);
  const body: fc.Arbitrary<{ contentType: string | undefined; body: string | undefined }> = writes
    ? fc.oneof(
        { weight: 6, arbitrary: jsonBody(validBody(op, seeds)).map((value) => ({ contentType: 'application/json', body: JSON.stringify(value) ?? 'null' })) },
        { weight: 1, arbitrary: brokenBodies },
      )
    : fc.constant({ contentType: undefined, body: undefined });
  const idempotencyKey = writes ? fc.option(fc.constantFrom('k1', 'k2', 'fuzz-key'), { nil: undefined }) : fc.constant(undefined);
  return fc.record({ params, query, body, idempotencyKey }).map(({ params: values, query: q, body: b, idempotencyKey: key }) => {
    let path = op.path;
    for (const [i, name] of op.pathParams.entries()) path = path.replace(`{${name}}`, encodeLoose(values[i]!));
    const search = Object.entries(q).map(([k, v]) => `${encodeLoose(k)}=${encodeLoose(v)}`).join('&');
    return { method: op.method, url: `${base}/api/v1${path}${search ? `?${search}` : ''}`, contentType: b.contentType, body: b.body, idempotencyKey: key };
  });
}

/** Send one request; resolves to what is wrong with the answer, or null. */
export async function sendApi(request: ApiRequest, token: string): Promise<string | null> {
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (request.contentType) headers['content-type'] = request.contentType;
  if (request.idempotencyKey) headers['idempotency-key'] = request.idempotencyKey;
  const response = await fetch(request.url, { method: request.method, headers, ...(request.body !== undefined ? { body: request.body } : {}) });
  const text = await response.text();
  const problem = answerProblem(response.status, response.headers.get('content-type'), text, { jsonErrors: true });
  return problem ? `${request.method} ${request.url} ${request.contentType ?? ''} ${JSON.stringify(request.body)?.slice(0, 300)} → ${problem}` : null;
}

/** The property for one operation: no request gets a 5xx, every refusal is in the vocabulary. */
export function apiProperty(base: string, token: string, op: ApiOperation, seeds: ApiSeeds) {
  return fc.asyncProperty(apiRequests(base, op, seeds), async (request) => {
    const problem = await sendApi(request, token);
    if (problem) throw new Error(problem);
  });
}
