import { PUBLIC, withOverrides, type CloudEnvironment, type TokenProvider } from '@microsoft/teams.api';
import type { AppOptions, IPlugin } from '@microsoft/teams.apps';
import { z } from 'zod';
import type { Config } from '../../config.ts';
import type { Logger } from '../../logger.ts';

type TeamsConfig = NonNullable<Config['teams']>;
type SdkLogger = NonNullable<AppOptions<IPlugin>['logger']>;

/**
 * Where the bot's identity lives, when not Microsoft's public cloud: tests point the
 * OpenID metadata, token issuer and AAD login at local fakes, and hand in the token
 * provider that gets the outbound bearer from their AAD fake.
 */
export interface TeamsAuthOverrides {
  cloud?: Partial<CloudEnvironment>;
  token?: TokenProvider;
}

/**
 * How the bot proves who it is and checks who calls it (Teams SDK App options).
 * - With TEAMS_APP_ID: inbound JWTs are validated against the Bot Framework OpenID
 *   metadata of the cloud environment (aud = app id, iss = the channel's issuer,
 *   serviceurl = the activity's); outbound calls carry an AAD client-credentials token.
 *   A tenant id makes it a SingleTenant app (the default for new Azure Bot resources);
 *   without one the token comes from the Bot Framework's own tenant (MultiTenant).
 * - Without an app id (TEAMS_ENABLED=1): the no-auth local mode of the Bot Framework
 *   Emulator and Agents Playground: no token checked inbound, no Authorization outbound.
 */
export function appOptions(teams: TeamsConfig, logger: Logger, overrides: TeamsAuthOverrides = {}, timeoutMs = 10_000): AppOptions<IPlugin> {
  const cloud = overrides.cloud ? withOverrides(PUBLIC, overrides.cloud) : PUBLIC;
  // The SDK's HTTP client (the Bot Connector, Graph) gives up on a call after timeoutMs (DELIVERY_TIMEOUT):
  // a hanging call fails and the outbox retries it, instead of holding its delivery for ever.
  const base = { cloud, logger: sdkLogger(logger.child({ channel: 'teams', sdk: '@microsoft/teams.apps' })), client: { timeout: timeoutMs } };
  if (!teams.appId) return { ...base, dangerouslyAllowUnauthenticatedRequests: true };
  return {
    ...base,
    clientId: teams.appId,
    ...(overrides.token ? { token: overrides.token } : { clientSecret: teams.appPassword }),
    ...(teams.tenantId ? { tenantId: teams.tenantId } : {}),
    dangerouslyAllowUnauthenticatedRequests: false,
  };
}

/** The app id proactive sends run under; any non-empty value in no-auth mode. */
export function botAppId(teams: TeamsConfig): string {
  return teams.appId ?? 'switchboard-local';
}

/**
 * The SDK's log lines, one level below ours: it reports every refused token as an error
 * (the endpoint already logs the refusal), so error and warn become warn, info becomes debug.
 */
function sdkLogger(log: Logger, name = 'teams'): SdkLogger {
  const at = (level: 'warn' | 'debug' | 'trace') => (...msg: unknown[]) => {
    if (log.isLevelEnabled(level)) log[level]({ sdkLogger: name }, msg.map(part).join(' '));
  };
  const logger: SdkLogger = {
    error: at('warn'),
    warn: at('warn'),
    info: at('debug'),
    debug: at('trace'),
    trace: at('trace'),
    log: (level, ...msg) => logger[level](...msg),
    child: (child) => sdkLogger(log, `${name}/${child}`),
  };
  return logger;
}

function part(value: unknown): string {
  if (value instanceof Error) return value.message;
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

const KEYS_TTL_MS = 60 * 60_000;
const UNKNOWN_KID_REFETCH_MS = 5 * 60_000;
const jwksSchema = z.object({ keys: z.array(z.looseObject({ kid: z.string().optional(), endorsements: z.array(z.string()).optional() })) });
const metadataSchema = z.looseObject({ jwks_uri: z.string().url() });
const headerSchema = z.looseObject({ kid: z.string() });

/**
 * The Bot Framework's key endorsements: a signing key that lists channels may sign only
 * for those (a key endorsed for webchat cannot vouch for an msteams activity). botbuilder
 * checked this; the Teams SDK 2.x validator does not, so we do, after it has checked the
 * signature, on the same JWKS (the `jwks_uri` of the cloud's OpenID metadata).
 */
export class KeyEndorsements {
  private keys: { at: number; byKid: Map<string, string[] | undefined> } | undefined;

  constructor(private readonly openIdMetadataUrl: string) {}

  /** Whether the token's signing key may sign for `channelId` (no endorsements listed: any channel). */
  async allow(authorization: string | undefined, channelId: string): Promise<boolean> {
    const kid = kidOf(authorization);
    if (!kid) return false;
    let keys = await this.current(false);
    if (!keys.has(kid)) keys = await this.current(true);
    if (!keys.has(kid)) return false;
    const endorsements = keys.get(kid);
    return endorsements === undefined || endorsements.includes(channelId);
  }

  private async current(unknownKid: boolean): Promise<Map<string, string[] | undefined>> {
    const age = this.keys ? Date.now() - this.keys.at : Infinity;
    if (this.keys && age < KEYS_TTL_MS && (!unknownKid || age < UNKNOWN_KID_REFETCH_MS)) return this.keys.byKid;
    const metadata = metadataSchema.parse(await (await fetch(this.openIdMetadataUrl)).json());
    const jwks = jwksSchema.parse(await (await fetch(metadata.jwks_uri)).json());
    const byKid = new Map(jwks.keys.flatMap((key) => (key.kid ? [[key.kid, key.endorsements] as const] : [])));
    this.keys = { at: Date.now(), byKid };
    return byKid;
  }
}

function kidOf(authorization: string | undefined): string | undefined {
  const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
  const header = token?.split('.')[0];
  if (!header) return undefined;
  try {
    return headerSchema.safeParse(JSON.parse(Buffer.from(header, 'base64url').toString('utf8'))).data?.kid;
  } catch {
    return undefined;
  }
}
