import { eq } from 'drizzle-orm';
import fc from 'fast-check';
import { SESSION_COOKIE } from '../../src/auth/sessions.ts';
import { hashToken, newToken } from '../../src/auth/tokens.ts';
import { createTicket } from '../../src/core/tickets.ts';
import { people, sessions } from '../../src/db/schema.ts';
import type { Running } from '../../src/runtime.ts';
import { encodeLoose, hostileString } from './arbitraries.ts';
import { formBody, sendForm, type FormRequest } from './forms.ts';

/**
 * Fuzz cases for the signed-in desk: the queue overview, the ticket list with its filters and
 * search, the workspace and its posts (reply, status, assign, priority, watcher), availability,
 * reports and forecast, "My requests" and the live stream's handshake.
 */
export interface DeskSeeds {
  base: string;
  /** Cookie header: the agent's session and the browser id the tokens are bound to. */
  cookie: string;
  tokens: string[];
  ticketKey: string;
  queue: string;
}

type DeskRequest = FormRequest;

const get = (url: string): DeskRequest => ({ method: 'GET', url, contentType: undefined, body: undefined });

/** A query string from known names with valid, hostile or missing values, plus a stray one. */
function query(valid: Record<string, string>): fc.Arbitrary<string> {
  const names = Object.keys(valid);
  return fc
    .tuple(
      fc.array(fc.tuple(fc.constantFrom(...names), fc.oneof({ weight: 2, arbitrary: fc.constantFrom(...Object.values(valid)) }, { weight: 3, arbitrary: hostileString })), { maxLength: 5 }),
      fc.option(fc.tuple(hostileString, hostileString), { nil: undefined }),
    )
    .map(([pairs, stray]) => [...pairs, ...(stray ? [stray] : [])].map(([k, v]) => `${encodeLoose(k)}=${encodeLoose(v)}`).join('&'));
}

export function deskRequests(seeds: DeskSeeds): fc.Arbitrary<DeskRequest> {
  const token = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...seeds.tokens) }, { weight: 1, arbitrary: hostileString });
  const key = fc.oneof({ weight: 3, arbitrary: fc.constant(seeds.ticketKey) }, { weight: 1, arbitrary: hostileString.map(encodeLoose) });
  const list = query({ queue: seeds.queue, status: 'open,new', assignee: 'me', requester: 'ada@example.test', priority: 'P2', channel: 'web', q: 'laptop', sort: 'updated', due: 'soon', after: 'x' });
  const pages = fc.oneof(
    list.map((q) => get(`${seeds.base}/desk?${q}`)),
    list.map((q) => get(`${seeds.base}/desk/tickets?${q}`)),
    fc.tuple(key, query({ macro: 'need-asset-tag', done: 'reply' })).map(([k, q]) => get(`${seeds.base}/desk/t/${k}?${q}`)),
    query({ queue: seeds.queue, weeks: '12', from: '2026-01-01', to: '2026-02-01', interval: 'week' }).map((q) => get(`${seeds.base}/desk/reports?${q}`)),
    query({ queue: seeds.queue, serviceLevel: '0.9', weeks: '2' }).map((q) => get(`${seeds.base}/desk/forecast?${q}`)),
    query({ status: 'open', page: '2' }).map((q) => get(`${seeds.base}/my?${q}`)),
  );
  const verbs = fc.constantFrom('reply', 'status', 'assign', 'priority', 'watcher');
  const actions = fc.tuple(key, verbs, token).chain(([k, verb, t]) =>
    formBody({ token: t, body: 'Fixed it', visibility: 'public', status: 'resolved', assignee: 'marta.lopez@example.com', priority: 'P1', email: 'bo.chen@example.com' }).map(
      (b): DeskRequest => ({ method: 'POST', url: `${seeds.base}/desk/t/${k}/${verb}`, ...b }),
    ),
  );
  const availability = token.chain((t) => formBody({ token: t, away: 'true' }).map((b): DeskRequest => ({ method: 'POST', url: `${seeds.base}/desk/availability`, ...b })));
  return fc.oneof({ weight: 3, arbitrary: pages }, { weight: 3, arbitrary: actions }, { weight: 1, arbitrary: availability });
}

export function deskProperty(seeds: DeskSeeds) {
  return fc.asyncProperty(deskRequests(seeds), async (request) => {
    const problem = await sendForm(request, seeds);
    if (problem) throw new Error(problem);
  });
}

/**
 * A signed-in admin (the sample catalog's it-lead@example.com), an IT ticket, and form tokens
 * read from its workspace like a browser would. The session is seeded the way sign-in stores
 * one (a row holding the SHA-256 of the cookie's token); every request then goes through the
 * real session check, roles, form tokens and handlers. No vitest import: bench/fuzz.ts uses it.
 */
export async function deskSeeds(sb: Running): Promise<DeskSeeds> {
  const { db } = sb.core;
  const [admin] = await db.select().from(people).where(eq(people.email, 'it-lead@example.com'));
  if (!admin) throw new Error('the sample catalog names it-lead@example.com as admin; its person row is missing');
  const session = newToken();
  await db.insert(sessions).values({ tokenHash: hashToken(session), personId: admin.id, method: 'link', createdAt: new Date(), expiresAt: new Date(Date.now() + 3_600_000) });
  const typeKey = Object.entries(sb.catalog.request_types).find(([, t]) => t.queue === 'IT' && !t.fields.some((f) => f.required))![0];
  const { ticket } = await createTicket(sb.core, { type: typeKey, title: 'Desk fuzz seed', requester: { email: 'ada@example.test' }, channel: 'web' });

  const first = await fetch(`${sb.url}/desk/t/${ticket.key}`, { headers: { cookie: `${SESSION_COOKIE}=${session}` } });
  if (first.status !== 200) throw new Error(`the seeded session did not open the workspace: ${first.status}`);
  const browser = (first.headers.get('set-cookie') ?? '').split(';')[0]!;
  const cookie = `${SESSION_COOKIE}=${session}; ${browser}`;
  const tokens: string[] = [];
  for (let i = 0; i < 4; i++) {
    const page = await (await fetch(`${sb.url}/desk/t/${ticket.key}`, { headers: { cookie } })).text();
    for (const match of page.matchAll(/name="token" value="([^"]+)"/g)) tokens.push(match[1]!);
  }
  if (tokens.length < 4) throw new Error(`the workspace offered ${tokens.length} form tokens`);
  return { base: sb.url, cookie, tokens, ticketKey: ticket.key, queue: 'IT' };
}
