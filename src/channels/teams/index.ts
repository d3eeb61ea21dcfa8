import { TeamsPlatform } from './adapter.ts';
import type { Channel, ChannelDeps } from '../types.ts';
import { appOptions, botAppId } from './auth.ts';
import type { TeamsOptions } from './options.ts';
import { SwitchboardBot } from './bot.ts';
import { PersonalChat } from './chat.ts';
import { mountEndpoint } from './endpoint.ts';
import { MessageEdits } from './edits.ts';
import { MessageExtension } from './extension.ts';
import { TeamsIdentity } from './identity.ts';
import { TeamsOutbound } from './outbound.ts';
import { SharedPace } from '../../outbox/pace.ts';
import { TEAMS_PACE } from './pace.ts';
import { PeopleSearch } from './people-search.ts';
import { TenantDirectory } from './tenant.ts';
import { TriageThread } from './triage.ts';
import { TeamsDecisions } from './approval-actions.ts';

/** Microsoft Teams: the bot endpoint (inbound) and the 'teams' outbound adapter. */
export async function createTeamsChannel(deps: ChannelDeps, options: TeamsOptions = {}): Promise<Channel> {
  const teams = deps.config.teams;
  if (!teams) throw new Error('Teams is not configured');
  const platform = await TeamsPlatform.create(appOptions(teams, deps.logger, options.auth, deps.config.deliveryTimeoutMs));
  const appId = botAppId(teams);
  const tenant = new TenantDirectory(deps.database.db, teams.tenantId);
  const identity = new TeamsIdentity(deps.database.db);
  // A refused card action shows the card again with the reason (built like the outbox's card).
  const triage = new TriageThread(deps.core, identity, { refused: (ticket, reason) => outbound.refusedCard(ticket, reason) }, { catalog: deps.catalog, publicUrl: deps.links.publicUrl });
  const bot = new SwitchboardBot({
    chat: new PersonalChat(deps.core, deps.catalog, identity, deps.links.publicUrl),
    triage,
    extension: new MessageExtension(deps.core, deps.catalog, identity, triage),
    edits: new MessageEdits(deps.core, identity),
    people: new PeopleSearch(deps.database.db),
    identity,
    db: deps.database.db,
    tenant,
    logger: deps.logger,
    decisions: new TeamsDecisions(deps.core, identity, deps.links),
  });
  const outbound = new TeamsOutbound({ platform, appId, catalog: deps.catalog, links: deps.links, now: deps.core.now, pace: SharedPace.of(deps.database.db, TEAMS_PACE), tenant, db: deps.database.db });
  return {
    name: 'teams',
    routes: (app) => mountEndpoint(app, { platform, logic: (turn) => bot.run(turn), logger: deps.logger, db: deps.database.db }),
    outbound,
  };
}
