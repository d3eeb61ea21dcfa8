import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { createSlackChannel } from '../../../src/channels/slack/index.ts';
import type { ChannelDeps } from '../../../src/channels/types.ts';
import { loadConfig } from '../../../src/config.ts';
import { loadCatalogFile } from '../../../src/core/catalog.ts';
import { TicketLinks } from '../../../src/core/links.ts';
import { logger } from '../../../src/logger.ts';
import { startSlackFake, type SlackFake } from '../../fakes/slack/index.ts';

const manifest = YAML.parse(fs.readFileSync(new URL('../../../manifests/slack.yaml', import.meta.url), 'utf8'));

let fake: SlackFake;
beforeAll(async () => {
  fake = await startSlackFake();
});
afterAll(async () => {
  await fake.close();
});

describe('the Slack app manifest', () => {
  it('points every request URL at /slack/events and names the shortcuts and command the code listens for', () => {
    const urls = [manifest.settings.event_subscriptions.request_url, manifest.settings.interactivity.request_url, ...manifest.features.slash_commands.map((c: { url: string }) => c.url)];
    expect(new Set(urls)).toEqual(new Set(['https://YOUR-HOST/slack/events']));
    expect(manifest.features.shortcuts.map((s: { callback_id: string; type: string }) => `${s.type}:${s.callback_id}`).sort()).toEqual(['message:create_request', 'message:send_to_requester']);
    expect(manifest.features.slash_commands.map((c: { command: string }) => c.command)).toEqual([loadConfig({}).slack?.requestCommand ?? '/request']);
    expect(manifest.settings.event_subscriptions.bot_events.sort()).toEqual(['message.channels', 'message.groups', 'message.im', 'reaction_added']);
    expect(manifest.oauth_config.scopes.bot.sort()).toEqual(['channels:history', 'chat:write', 'commands', 'groups:history', 'im:history', 'im:write', 'reactions:read', 'users:read', 'users:read.email']);
    expect(manifest.features.app_home.messages_tab_enabled).toBe(true);
  });

  it('with SLACK_APP_TOKEN the channel is built on Socket Mode: no HTTP route, a socket to start', async () => {
    const config = loadConfig({ SLACK_SIGNING_SECRET: 's', SLACK_BOT_TOKEN: 'xoxb-test', SLACK_APP_TOKEN: 'xapp-test', SLACK_API_URL: fake.apiUrl });
    const deps = { config, logger, catalog: loadCatalogFile(undefined), links: new TicketLinks('link-secret-for-the-socket-test', 'http://localhost') } as Omit<ChannelDeps, 'database' | 'core'>;
    // Never queried here: Socket Mode is only being built, not started.
    Object.assign(deps, { database: { db: undefined }, core: { now: () => new Date() } });
    const channel = await createSlackChannel(deps as ChannelDeps);
    expect(channel.name).toBe('slack');
    expect(channel.routes).toBeUndefined();
    expect(channel.outbound?.channel).toBe('slack');
    expect(typeof channel.start).toBe('function');
  });
});
