import { createWebChannel } from './web/index.ts';
import { createTeamsChannel } from './teams/index.ts';
import { createEmailChannel } from './email/index.ts';
import { createSlackChannel } from './slack/index.ts';
import { WebhookOutbound } from './webhook/outbound.ts';
import type { Channel, ChannelDeps } from './types.ts';

/** The outbound channels a config turns on (core uses this to plan deliveries). */
export function enabledOutbound(config: ChannelDeps['config']): Set<string> {
  const enabled = new Set<string>(['webhook']);
  if (config.slack) enabled.add('slack');
  if (config.teams) enabled.add('teams');
  if (config.email?.smtpUrl) enabled.add('email');
  return enabled;
}

/** Every channel this deployment runs. Adding a channel is adding a folder and a line here. */
export async function buildChannels(deps: ChannelDeps): Promise<Channel[]> {
  const channels: Channel[] = [{ name: 'webhook', outbound: new WebhookOutbound() }];
  if (deps.config.slack) channels.push(await createSlackChannel(deps));
  if (deps.config.email) channels.push(createEmailChannel(deps));
  channels.push(createWebChannel(deps));
  if (deps.config.teams) channels.push(await createTeamsChannel(deps, deps.teams));
  return channels;
}
