import { createWebChannel } from './web/index.ts';
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
  const channels: Channel[] = [{ name: 'webhook', outbound: new WebhookOutbound(deps.catalog, deps.config.deliveryTimeoutMs) }];
  // Platform SDKs are loaded only when their channel is on: start-up stays quick without them.
  if (deps.config.slack) channels.push(await (await import('./slack/index.ts')).createSlackChannel(deps));
  if (deps.config.email) channels.push((await import('./email/index.ts')).createEmailChannel(deps));
  channels.push(createWebChannel(deps));
  if (deps.config.teams) channels.push(await (await import('./teams/index.ts')).createTeamsChannel(deps, deps.teams));
  return channels;
}
