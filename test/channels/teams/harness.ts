import fs from 'node:fs';
import { expect } from 'vitest';
import os from 'node:os';
import path from 'node:path';
import type { TeamsAuthOverrides } from '../../../src/channels/teams/auth.ts';
import { and, eq, isNotNull } from 'drizzle-orm';
import { anchors, tickets } from '../../../src/db/schema.ts';
import { loadConfig } from '../../../src/config.ts';
import { sampleCatalogFile } from '../../../src/core/catalog.ts';
import { startSwitchboard, type Running } from '../../../src/runtime.ts';
import { createThrowawayDatabase, dropDatabase, postgresUrl } from '../../support/db.ts';
import { startConnectorFake, type ConnectorCall, type ConnectorFake } from '../../fakes/teams/connector.ts';
import { TEAMS_FAKE_DEFAULTS } from '../../fakes/teams/defaults.ts';
import { forSuite } from '../../support/suite.ts';
import { installed } from './activities.ts';

export const ada = TEAMS_FAKE_DEFAULTS.user;
/** An agent of the IT queue, a member of the triage team. */
export const bob = { id: '29:fake-user-bob', aadObjectId: 'b0b00000-0000-4000-8000-000000000002', name: 'Bob Agent', email: 'bob@example.test' } as const;
/** A member of the triage team who works no queue (a colleague from another department). */
export const eve = { id: '29:fake-user-eve', aadObjectId: 'e5e00000-0000-4000-8000-000000000005', name: 'Eve Colleague', email: 'eve@example.test' } as const;
export const triageChannel = TEAMS_FAKE_DEFAULTS.channelId;
/** Ada's personal chat with the bot. */
export const personalChat = TEAMS_FAKE_DEFAULTS.personalConversationId;

/** The sample catalog with the IT triage channel on the fake team and Bob on the IT desk. */
export function sampleForTeams(): string {
  return fs
    .readFileSync(sampleCatalogFile, 'utf8')
    .replace('"19:it-desk@thread.tacv2"', JSON.stringify(triageChannel))
    .replace('agents: [marta.lopez@example.com,', `agents: [${bob.email}, marta.lopez@example.com,`);
}

export interface Desk {
  sb: Running;
  /** The throwaway Postgres database when TEST_DATABASE_URL is set (PGlite otherwise). */
  databaseUrl: string | undefined;
  connector: ConnectorFake;
  /** POST an activity to /api/messages as Teams would. */
  post(activity: unknown, authorization?: string): Promise<Response>;
  api(method: string, path: string, body?: unknown): Promise<Response>;
  /** Resolves once the ticket's anchor on `channel`/`side` is stored with its card id (the worker records it after the post). */
  anchored(key: string, channel: string, side: 'triage' | 'requester'): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The real service in-process with Teams on (no-auth local mode unless `auth` is given),
 * the sample catalog with the IT queue's triage channel set to the fake team's channel,
 * and a Bot Connector fake that Ada (requester) and Bob (agent) are members of.
 */
export async function startDesk(options: { auth?: TeamsAuthOverrides; env?: Record<string, string>; catalogYaml?: string; now?: () => Date } = {}): Promise<Desk> {
  const connector = await startConnectorFake();
  connector.addMember({ ...ada });
  connector.addMember({ ...bob });
  connector.addMember({ ...eve });
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-teams-'));
  const catalogFile = path.join(tmp, 'catalog.yaml');
  fs.writeFileSync(catalogFile, options.catalogYaml ?? sampleForTeams());
  // No help articles unless a test asks for them (KNOWLEDGE_DIR): a chat message goes straight to the type picker.
  const noArticles = path.join(tmp, 'knowledge');
  fs.mkdirSync(noArticles);
  const databaseUrl = postgresUrl ? await throwawayDatabase(postgresUrl) : undefined;
  const config = loadConfig({
    PORT: '0',
    DATA_DIR: path.join(tmp, 'data'),
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    TEAMS_ENABLED: '1',
    API_TOKENS: 't',
    CATALOG_FILE: catalogFile,
    LINK_SECRET: 'teams-test-link-secret-0123456789',
    KNOWLEDGE_DIR: noArticles,
    ...options.env,
  });
  const sb = await startSwitchboard(config, { worker: { pollMs: 50, baseDelayMs: 50 }, teams: { auth: options.auth }, ...(options.now ? { now: options.now } : {}) });
  return {
    sb,
    databaseUrl,
    connector,
    post: (activity, authorization) =>
      fetch(`${sb.url}/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
        body: JSON.stringify(activity),
      }),
    api: (method, route, body) =>
      fetch(`${sb.url}/api/v1${route}`, {
        method,
        headers: { authorization: 'Bearer t', 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      }),
    async anchored(key, channel, side) {
      await eventually(async () => {
        const [row] = await sb.database.db
          .select({ id: anchors.id })
          .from(anchors)
          .innerJoin(tickets, eq(tickets.id, anchors.ticketId))
          .where(and(eq(tickets.key, key), eq(anchors.channel, channel), eq(anchors.side, side), isNotNull(anchors.cardRef)));
        return row;
      }, 8_000);
    },
    async stop() {
      await sb.stop();
      await connector.close();
      if (databaseUrl) await dropDatabase(postgresUrl!, databaseUrl);
      fs.rmSync(tmp, { recursive: true, force: true });
    },
  };
}

type Account = { id: string; name: string; aadObjectId?: string };

/**
 * The desk of the describe block it is called in (started before its first story, stopped
 * after its last; see forSuite), with the app installed for `installedFor` first (so the desk
 * knows the tenant's Bot Connector and their personal chats), then `prepare` run on it.
 */
export function deskForSuite(options: Parameters<typeof startDesk>[0] & { installedFor?: Account[]; prepare?: (desk: Desk) => Promise<void> } = {}): Desk {
  const { installedFor = [], prepare, ...start } = options;
  return forSuite(
    async () => {
      const desk = await startDesk(start);
      for (const person of installedFor) expect((await desk.post(installed(desk.connector.url, person))).status).toBe(200);
      await prepare?.(desk);
      return desk;
    },
    (desk) => desk.stop(),
  );
}

/** A ticket for Ada filed through the API; resolves once its triage chain exists (with the chain's root card). */
export async function ticketWithChain<Card = Record<string, unknown>>(desk: Desk, title: string) {
  const created = await desk.api('POST', '/tickets', { type: 'password-reset', title, requester: { email: ada.email, name: ada.name }, fields: { account: 'VPN' } });
  const { key } = (await created.json()) as { key: string };
  const chain = await desk.connector.waitFor((c) => c.route === 'createConversation' && cardText(cardOf((c.body as { activity?: unknown }).activity)).includes(title), 5_000);
  const { id: threadId, activityId: rootId } = chain.response as { id: string; activityId: string };
  await desk.anchored(key, 'teams', 'triage');
  return { key, threadId, rootId, card: cardOf((chain.body as { activity?: unknown }).activity) as Card };
}

/** The same, and also once Ada's own card for it is in her chat (its id is `requesterCardId`). */
export async function ticketWithBothCards(desk: Desk, title: string) {
  const { key, threadId, rootId } = await ticketWithChain(desk, title);
  const mine = await desk.connector.waitFor((c) => c.route === 'replyToActivity' && c.conversationId === personalChat && cardText(cardOf(c.body)).includes(title), 5_000);
  await desk.anchored(key, 'teams', 'requester');
  return { key, threadId, rootId, requesterCardId: (mine.response as { id: string }).id };
}

/** One entry of GET /tickets/:key/events. */
export type TimelineItem = { id: number; type: string; visibility: string; body: string; channel: string; data: Record<string, unknown>; actor: { email: string } | null };

export async function timeline(desk: Desk, key: string): Promise<TimelineItem[]> {
  return ((await (await desk.api('GET', `/tickets/${key}/events`)).json()) as { items: TimelineItem[] }).items;
}

export async function ticketCount(desk: Desk): Promise<number> {
  return ((await (await desk.api('GET', '/tickets')).json()) as { items: unknown[] }).items.length;
}

/** The text of a message the bot sent. */
export const textOf = (call: ConnectorCall): string => String((call.body as { text?: string } | undefined)?.text ?? '');

/**
 * CREATE DATABASE copies template1 and fails when another session is copying it at the
 * same moment (parallel test files): try again shortly.
 */
async function throwawayDatabase(baseUrl: string): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await createThrowawayDatabase(baseUrl);
    } catch (error) {
      if (attempt >= 5 || !/being accessed by other users/.test(String(error))) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
    }
  }
}


/** The Adaptive Card content of an activity body (first attachment). */
export function cardOf(body: unknown): Record<string, unknown> | undefined {
  const attachments = (body as { attachments?: Array<{ contentType?: string; content?: Record<string, unknown> }> } | undefined)?.attachments;
  return attachments?.find((a) => a.contentType === 'application/vnd.microsoft.card.adaptive')?.content;
}

/** All text in a card, flattened, for "the card says X" assertions. */
export function cardText(card: unknown): string {
  const out: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        if ((key === 'text' || key === 'value' || key === 'title') && typeof value === 'string') out.push(value);
        else walk(value);
      }
    }
  };
  walk(card);
  return out.join('\n');
}

/** Poll until `check` returns a value (the worker delivers asynchronously). */
export async function eventually<T>(check: () => Promise<T | undefined> | T | undefined, timeoutMs = 5_000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() - started > timeoutMs) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
