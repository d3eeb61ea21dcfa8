import fc from 'fast-check';
import { answerProblem, brokenBodies, encodeLoose, hostileString, mutated } from './arbitraries.ts';

/** Fuzz cases for the web door: the request form, the ticket page and its posts, the catalog search. */
export interface WebSeeds {
  base: string;
  /** Cookie header carrying the browser id the tokens are bound to. */
  cookie: string;
  tokens: string[];
  typeKey: string;
  /** Path + query of a signed ticket link (/t/IT-1?e=..&s=..). */
  ticketLink: string;
}

export interface WebRequest {
  method: 'GET' | 'POST';
  url: string;
  contentType: string | undefined;
  body: string | undefined;
}

const form = (fields: Record<string, unknown>) =>
  Object.entries(fields)
    .map(([k, v]) => `${encodeLoose(k)}=${encodeLoose(typeof v === 'string' ? v : JSON.stringify(v) ?? '')}`)
    .join('&');

function formBody(valid: Record<string, string>): fc.Arbitrary<{ contentType: string | undefined; body: string }> {
  return fc.oneof(
    { weight: 5, arbitrary: mutated(valid).map((value) => ({ contentType: 'application/x-www-form-urlencoded', body: form(value && typeof value === 'object' ? (value as Record<string, unknown>) : { value }) })) },
    { weight: 2, arbitrary: brokenBodies },
  );
}

export function webRequests(seeds: WebSeeds): fc.Arbitrary<WebRequest> {
  const token = fc.constantFrom(...seeds.tokens);
  const typeKey = fc.oneof({ weight: 3, arbitrary: fc.constant(seeds.typeKey) }, { weight: 1, arbitrary: hostileString });
  const [ticketPath, ticketQuery] = seeds.ticketLink.split('?') as [string, string];
  const ticketKey = ticketPath.slice('/t/'.length);
  const link = fc.oneof(
    { weight: 3, arbitrary: fc.constant({ key: ticketKey, query: ticketQuery }) },
    { weight: 1, arbitrary: fc.tuple(hostileString, hostileString, hostileString).map(([key, e, s]) => ({ key: encodeLoose(key), query: `e=${encodeLoose(e)}&s=${encodeLoose(s)}` })) },
  );
  const newForm = fc.tuple(typeKey, token).chain(([type, t]) =>
    formBody({ token: t, title: 'Broken chair', description: 'Leg fell off', requester_email: 'ada@example.test', requester_name: 'Ada' }).map(
      (b): WebRequest => ({ method: 'POST', url: `${seeds.base}/new/${encodeLoose(type)}`, ...b }),
    ),
  );
  const ticketPost = fc.tuple(link, fc.constantFrom('reply', 'resolve', 'reopen', 'link'), token).chain(([l, verb, t]) =>
    formBody({ token: t, body: 'Still broken' }).map((b): WebRequest => ({ method: 'POST', url: `${seeds.base}/t/${l.key}/${verb}?${l.query}`, ...b })),
  );
  const pages = fc.oneof(
    hostileString.map((q): WebRequest => ({ method: 'GET', url: `${seeds.base}/?q=${encodeLoose(q)}`, contentType: undefined, body: undefined })),
    typeKey.map((type): WebRequest => ({ method: 'GET', url: `${seeds.base}/new/${encodeLoose(type)}`, contentType: undefined, body: undefined })),
    fc.tuple(link, hostileString).map(([l, done]): WebRequest => ({ method: 'GET', url: `${seeds.base}/t/${l.key}?${l.query}&done=${encodeLoose(done)}`, contentType: undefined, body: undefined })),
  );
  return fc.oneof({ weight: 3, arbitrary: newForm }, { weight: 3, arbitrary: ticketPost }, { weight: 1, arbitrary: pages });
}

export async function sendWeb(request: WebRequest, seeds: WebSeeds): Promise<string | null> {
  const headers: Record<string, string> = { cookie: seeds.cookie, origin: seeds.base, accept: 'text/html' };
  if (request.contentType) headers['content-type'] = request.contentType;
  const response = await fetch(request.url, { method: request.method, headers, redirect: 'manual', ...(request.body !== undefined ? { body: request.body } : {}) });
  const text = await response.text();
  const problem = answerProblem(response.status, response.headers.get('content-type'), text, { jsonErrors: false });
  return problem ? `${request.method} ${request.url} ${request.contentType ?? ''} ${JSON.stringify(request.body)?.slice(0, 300)} → ${problem}` : null;
}

export function webProperty(seeds: WebSeeds) {
  return fc.asyncProperty(webRequests(seeds), async (request) => {
    const problem = await sendWeb(request, seeds);
    if (problem) throw new Error(problem);
  });
}

/** Tokens and the cookie they are bound to, read from the rendered form like a browser would. */
export async function webSeeds(base: string, typeKey: string, ticketLink: string): Promise<WebSeeds> {
  const first = await fetch(`${base}/new/${typeKey}`);
  const cookie = (first.headers.get('set-cookie') ?? '').split(';')[0]!;
  const tokens: string[] = [];
  for (let i = 0; i < 8; i++) {
    const page = await (await fetch(`${base}/new/${typeKey}`, { headers: { cookie } })).text();
    tokens.push(/name="token" value="([^"]+)"/.exec(page)![1]!);
  }
  return { base, cookie, tokens, typeKey, ticketLink };
}
