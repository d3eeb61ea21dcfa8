import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { and, eq } from 'drizzle-orm';
import { loadConfig } from '../../../src/config.ts';
import { getTimeline } from '../../../src/core/tickets.ts';
import { anchors, deliveries, tickets } from '../../../src/db/schema.ts';
import type { KeptEventsOptions } from '../../../src/channels/slack/redo.ts';
import { startSwitchboard, type Running } from '../../../src/runtime.ts';
import { createThrowawayDatabase, dropDatabase, postgresUrl } from '../../support/db.ts';
import { blockActions, eventCallback, interactionBody, signedSlackRequest, startSlackFake, type SlackCall, type SlackFake } from '../../fakes/slack/index.ts';
import { forSuite } from '../../support/suite.ts';
import { optionValue } from './helpers.ts';

export const SIGNING_SECRET = 'slack-test-signing-secret';
/** Triage channels of the three test queues. */
export const IT_TRIAGE = 'C0ITDESK01';
export const HR_TRIAGE = 'C0HRDESK01';
export const FAC_TRIAGE = 'C0FACDESK1';
export const GENERAL = 'C0GENERAL1';

export const ada = { id: 'U0ADA00001', name: 'ada', email: 'ada@example.test', realName: 'Ada Lovelace' };
export const bob = { id: 'U0BOB00001', name: 'bob', email: 'bob@example.test', realName: 'Bob Agent' };
export const cyd = { id: 'U0CYD00001', name: 'cyd', email: 'cyd@example.test', realName: 'Cyd Agent' };
/** In the triage channels but on no queue's desk (a colleague from another team). */
export const eve = { id: 'U0EVE00001', name: 'eve', email: 'eve@example.test', realName: 'Eve Colleague' };

export const SLACK_TEST_CATALOG = `
calendars:
  always: { timezone: UTC, hours: 24x7 }
queues:
  IT: { name: IT Desk, calendar: always, slack_channel: ${IT_TRIAGE}, mailbox: it@example.test, agents: [${bob.email}, ${cyd.email}] }
  HR: { name: People Team, calendar: always, slack_channel: ${HR_TRIAGE}, agents: [${bob.email}] }
  FAC: { name: Facilities, calendar: always, slack_channel: ${FAC_TRIAGE}, leads: [${bob.email}] }
request_types:
  question:
    queue: IT
    name: IT question
    sla: { P3: { first_response: 4h, resolution: 24h } }
  laptop:
    queue: IT
    name: New laptop
    fields:
      - { id: model, label: Model, type: select, options: [13-inch, 15-inch], required: true }
      - { id: needed_by, label: Needed by, type: date }
  hr-question:
    queue: HR
    name: HR question
  facilities:
    queue: FAC
    name: Something broken
`;

export interface SlackDesk {
  sb: Running;
  fake: SlackFake;
  /** POST a body to /slack/events signed as Slack signs it (JSON object = event, string = form). */
  post(body: string | object, options?: { timestampSeconds?: number; retryNum?: number; signingSecret?: string }): Promise<Response>;
  /** Deliver a message event from a person. */
  say(event: Record<string, unknown>, eventId?: string): Promise<Response>;
  /** Until `check` returns a value (not undefined/false), polling; fails after `timeoutMs` (5 s). */
  until<T>(check: () => Promise<T | undefined | false | null> | T | undefined | false | null, what: string, timeoutMs?: number): Promise<T>;
  ticketKeys(): Promise<string[]>;
  timeline(key: string): ReturnType<typeof getTimeline>;
  anchorsOf(key: string): Promise<Array<typeof anchors.$inferSelect>>;
  deliveriesOf(key: string): Promise<Array<typeof deliveries.$inferSelect>>;
  /** Run the outbox until nothing is due. */
  drain(): Promise<void>;
  stop(): Promise<void>;
}

export interface SlackDeskOptions {
  /** The catalog (YAML); SLACK_TEST_CATALOG unless given. */
  catalogYaml?: string;
  /** How soon event work that failed after its ack is redone (the service's defaults unless given). */
  redo?: KeptEventsOptions;
}

export async function startSlackDesk(env: Record<string, string> = {}, options: SlackDeskOptions = {}): Promise<SlackDesk> {
  const fake = await startSlackFake();
  seed(fake);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-slack-'));
  const catalogFile = path.join(tmp, 'catalog.yaml');
  fs.writeFileSync(catalogFile, options.catalogYaml ?? SLACK_TEST_CATALOG);
  // No help articles unless a test asks for them (KNOWLEDGE_DIR): a DM goes straight to the type picker.
  const noArticles = path.join(tmp, 'knowledge');
  fs.mkdirSync(noArticles);
  const databaseUrl = postgresUrl ? await createThrowawayDatabase(postgresUrl) : undefined;
  const config = loadConfig({
    PORT: '0',
    DATA_DIR: path.join(tmp, 'data'),
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_BOT_TOKEN: 'xoxb-test',
    SLACK_API_URL: fake.apiUrl,
    API_TOKENS: 't',
    CATALOG_FILE: catalogFile,
    LINK_SECRET: 'slack-test-link-secret-0123456789',
    KNOWLEDGE_DIR: noArticles,
    ...env,
  });
  const sb = await startSwitchboard(config, { worker: { pollMs: 50, baseDelayMs: 50 }, ...(options.redo ? { slack: { redo: options.redo } } : {}) });
  const db = sb.database.db;
  const ticketId = async (key: string) => (await db.select({ id: tickets.id }).from(tickets).where(eq(tickets.key, key)))[0]!.id;
  const desk: SlackDesk = {
    sb,
    fake,
    post: (body, options = {}) =>
      fetch(signedSlackRequest(`${sb.url}/slack/events`, { signingSecret: options.signingSecret ?? SIGNING_SECRET, body, ...options })),
    say: (event, eventId) => desk.post(eventCallback({ type: 'message', ...event }, eventId ? { eventId } : {})),
    async until<T>(check: () => Promise<T | undefined | false | null> | T | undefined | false | null, what: string, timeoutMs = 5_000): Promise<T> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const value = await check();
        if (value !== undefined && value !== false && value !== null) return value as T;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    },
    async ticketKeys() {
      return (await db.select({ key: tickets.key }).from(tickets).orderBy(tickets.id)).map((r) => r.key);
    },
    timeline: (key) => getTimeline(sb.core, key, { includeInternal: true }),
    async anchorsOf(key) {
      return db.select().from(anchors).where(eq(anchors.ticketId, await ticketId(key))).orderBy(anchors.id);
    },
    async deliveriesOf(key) {
      return db.select().from(deliveries).where(and(eq(deliveries.ticketId, await ticketId(key)))).orderBy(deliveries.id);
    },
    async drain() {
      await sb.worker?.drain();
    },
    async stop() {
      await sb.stop();
      await fake.close();
      if (databaseUrl) await dropDatabase(postgresUrl!, databaseUrl);
      fs.rmSync(tmp, { recursive: true, force: true });
    },
  };
  return desk;
}

/**
 * The Slack desk of the file or describe block it is called in: started before its first
 * story, stopped after its last (see forSuite). `env` may be a function, read when the desk
 * starts (after the hooks registered before this one, e.g. an SMTP sink's, have run).
 */
export function slackDeskForSuite(env: Record<string, string> | (() => Record<string, string>) = {}, options: SlackDeskOptions = {}): SlackDesk {
  return forSuite(
    () => startSlackDesk(typeof env === 'function' ? env() : env, options),
    (desk) => desk.stop(),
  );
}

function seed(fake: SlackFake): void {
  for (const user of [ada, bob, cyd, eve]) fake.addUser(user);
  for (const [id, name] of [[IT_TRIAGE, 'it-desk'], [HR_TRIAGE, 'hr-desk'], [FAC_TRIAGE, 'fac-desk'], [GENERAL, 'general']] as const) fake.addChannel({ id, name });
}

/** Calls to a method in a channel (postMessage / update / postEphemeral). */
export function callsIn(fake: SlackFake, method: string, channel: string): SlackCall[] {
  return fake.callsTo(method).filter((call) => call.body.channel === channel && call.status === 200);
}

/** The blocks' text content, flattened (what a person reads on the card). */
export function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(textOf).join('\n');
  if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    return ['text', 'fields', 'elements', 'blocks'].map((k) => (k in record ? textOf(record[k]) : '')).filter(Boolean).join('\n');
  }
  return '';
}

/** Ada-style intake: a person DMs the bot and picks `typeLabel`; returns the ticket key and the threads. */
export async function fileViaDm(desk: SlackDesk, user: { id: string }, body: string, typeLabel = 'IT question', triage = IT_TRIAGE) {
  const dm = `D${user.id}`;
  const message = desk.fake.addMessage(dm, { user: user.id, text: body });
  await desk.say({ channel: dm, channel_type: 'im', user: user.id, text: body, ts: message.ts });
  const picker = await desk.fake.waitFor('chat.postMessage', (c) => c.body.channel === dm && c.body.thread_ts === message.ts);
  const pickerTs = (picker.response as { ts: string }).ts;
  const pickerMessage = desk.fake.messagesIn(dm).find((m) => m.ts === pickerTs)!;
  const value = optionValue(picker.body.blocks, typeLabel);
  await desk.post(interactionBody(blockActions({ user, channel: { id: dm }, message: { ...pickerMessage }, actions: [{ type: 'static_select', action_id: 'pick_type', selected: { value, text: typeLabel } }] })));
  const card = await desk.fake.waitFor('chat.postMessage', (c) => c.body.channel === triage && textOf(c.body.blocks).includes(asMrkdwn(body).slice(0, 30)), 8_000);
  const cardTs = (card.response as { ts: string }).ts;
  const key = /[A-Z]+-\d+/.exec(textOf(card.body.blocks))![0];
  await desk.until(async () => (await desk.anchorsOf(key)).find((a) => a.side === 'triage'), 'the triage anchor');
  return { key, dm, threadTs: message.ts, pickerTs, cardTs, triage };
}

/** What user text looks like once escaped for mrkdwn (&, <, >). */
export const asMrkdwn = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
