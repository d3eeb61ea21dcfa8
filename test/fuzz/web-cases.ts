import fc from 'fast-check';
import { encodeLoose, hostileString } from './arbitraries.ts';
import { formBody, sendForm, type FormRequest } from './forms.ts';

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

type WebRequest = FormRequest;

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

export function webProperty(seeds: WebSeeds) {
  return fc.asyncProperty(webRequests(seeds), async (request) => {
    const problem = await sendForm(request, seeds);
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
