import fc from 'fast-check';
import { answerProblem, brokenBodies, encodeLoose, mutated } from './arbitraries.ts';

/**
 * What the HTML doors (the request form and ticket page, the signed-in desk) are sent: a page
 * GET or a form POST, as a browser sends them. No vitest import: bench/fuzz.ts uses it too.
 */
export interface FormRequest {
  method: 'GET' | 'POST';
  url: string;
  contentType: string | undefined;
  body: string | undefined;
}

/** Where to send, and the cookie header a browser would carry there (the browser id the form tokens are bound to, a session). */
interface BrowserSeeds {
  base: string;
  cookie: string;
}

const form = (fields: Record<string, unknown>) =>
  Object.entries(fields)
    .map(([k, v]) => `${encodeLoose(k)}=${encodeLoose(typeof v === 'string' ? v : JSON.stringify(v) ?? '')}`)
    .join('&');

/** A form body: mostly the valid fields mutated (urlencoded), sometimes a broken body of any type. */
export function formBody(valid: Record<string, string>): fc.Arbitrary<{ contentType: string | undefined; body: string }> {
  return fc.oneof(
    { weight: 5, arbitrary: mutated(valid).map((value) => ({ contentType: 'application/x-www-form-urlencoded', body: form(value && typeof value === 'object' ? (value as Record<string, unknown>) : { value }) })) },
    { weight: 2, arbitrary: brokenBodies },
  );
}

/** Send it as a browser on the same origin would (no redirects followed); the problem with the answer, or null. */
export async function sendForm(request: FormRequest, seeds: BrowserSeeds): Promise<string | null> {
  const headers: Record<string, string> = { cookie: seeds.cookie, origin: seeds.base, accept: 'text/html' };
  if (request.contentType) headers['content-type'] = request.contentType;
  const response = await fetch(request.url, { method: request.method, headers, redirect: 'manual', ...(request.body !== undefined ? { body: request.body } : {}) });
  const text = await response.text();
  const problem = answerProblem(response.status, response.headers.get('content-type'), text, { jsonErrors: false });
  return problem ? `${request.method} ${request.url} ${request.contentType ?? ''} ${JSON.stringify(request.body)?.slice(0, 300)} → ${problem}` : null;
}
