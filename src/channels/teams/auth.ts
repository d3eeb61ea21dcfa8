import { ConfigurationBotFrameworkAuthentication } from 'botbuilder';
import type { BotFrameworkAuthentication } from 'botframework-connector';
import type { Config } from '../../config.ts';

type TeamsConfig = NonNullable<Config['teams']>;

/**
 * How the bot proves who it is and checks who calls it.
 * - With TEAMS_APP_ID: inbound JWTs are validated against the Bot Framework OpenID
 *   metadata (aud = app id), outbound calls carry an AAD client-credentials token.
 *   A tenant id makes it a SingleTenant app (the default for new Azure Bot resources).
 * - Without an app id (TEAMS_ENABLED=1): the no-auth local mode of the Bot Framework
 *   Emulator: anonymous inbound identity, no Authorization header outbound.
 */
export function buildAuthentication(teams: TeamsConfig): BotFrameworkAuthentication {
  if (!teams.appId) return new ConfigurationBotFrameworkAuthentication({});
  return new ConfigurationBotFrameworkAuthentication({
    MicrosoftAppId: teams.appId,
    MicrosoftAppPassword: teams.appPassword,
    MicrosoftAppType: teams.tenantId ? 'SingleTenant' : 'MultiTenant',
    ...(teams.tenantId ? { MicrosoftAppTenantId: teams.tenantId } : {}),
  });
}

/** The app id proactive sends run under; any non-empty value in no-auth mode. */
export function botAppId(teams: TeamsConfig): string {
  return teams.appId ?? 'switchboard-local';
}
