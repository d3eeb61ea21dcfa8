import path from 'node:path';
import { z } from 'zod';

/** Thrown for a bad environment; main.ts prints `message` as one line and exits 1. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

const urlWithProtocols = (protocols: string[]) =>
  optionalString.pipe(
    z
      .string()
      .refine((v) => {
        try {
          return protocols.includes(new URL(v).protocol);
        } catch {
          return false;
        }
      }, `must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`)
      .optional(),
  );

const flag = optionalString.pipe(
  z
    .enum(['1', '0', 'true', 'false', 'yes', 'no'], { error: 'must be 1/0, true/false or yes/no' })
    .optional()
    .transform((v) => v === '1' || v === 'true' || v === 'yes'),
);

const positiveInt = (fallback: number, max = Number.MAX_SAFE_INTEGER, min = 1) =>
  optionalString.pipe(
    z
      .string()
      .regex(/^\d+$/, `must be a whole number between ${min} and ${max}`)
      .transform(Number)
      .refine((n) => n >= min && n <= max, `must be a whole number between ${min} and ${max}`)
      .optional()
      .transform((v) => v ?? fallback),
  );

/** "90s", "5m", "24h", "2d" (or "1500ms") → milliseconds, between min and max. */
const duration = (fallback: string, minMs: number, maxMs: number) =>
  optionalString.transform((v, ctx) => {
    const text = v ?? fallback;
    const match = /^(\d+)(ms|s|m|h|d)$/.exec(text);
    const ms = match ? Number(match[1]) * DURATION_UNITS[match[2] as keyof typeof DURATION_UNITS] : NaN;
    if (!(ms >= minMs && ms <= maxMs)) {
      ctx.addIssue({ code: 'custom', message: `must be a duration like 30s, 5m, 24h or 2d, from ${minMs / 1000} s to ${maxMs / 3_600_000} h` });
      return z.NEVER;
    }
    return ms;
  });
const DURATION_UNITS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

const envSchema = z.object({
  // 0 = any free port (tests).
  PORT: positiveInt(3000, 65535, 0),
  DATABASE_URL: urlWithProtocols(['postgres:', 'postgresql:']),
  DATA_DIR: optionalString.transform((v) => path.resolve(v ?? './data')),
  PUBLIC_URL: urlWithProtocols(['http:', 'https:']),
  CATALOG_FILE: optionalString,
  KNOWLEDGE_DIR: optionalString,
  API_TOKENS: optionalString.transform((v) =>
    v === undefined
      ? []
      : v
          .split(',')
          .map((t) => t.trim())
          .filter(Boolean),
  ),
  LINK_SECRET: optionalString.pipe(z.string().min(16, 'must be at least 16 characters').optional()),
  LOG_LEVEL: optionalString.pipe(
    z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { error: 'must be one of fatal, error, warn, info, debug, trace, silent' }).optional(),
  ),
  // 0 = no count limit (the default): DELIVERY_MAX_AGE decides when a delivery gives up.
  DELIVERY_MAX_ATTEMPTS: positiveInt(0, 10_000, 0),
  DELIVERY_MAX_AGE: duration('24h', 60_000, 30 * 86_400_000),
  DELIVERY_MAX_BACKOFF: duration('5m', 1_000, 24 * 3_600_000),
  // How long one request to a platform may take (Slack Web API, Teams Bot Connector, webhooks).
  DELIVERY_TIMEOUT: duration('10s', 1_000, 300_000),
  // The largest claim, reached by doubling from 32 while claims come back full (a backlog).
  DELIVERY_MAX_BATCH: positiveInt(32, 5_000, 32),
  WORKERS: optionalString.pipe(z.enum(['on', 'off']).optional().default('on')),
  SLACK_SIGNING_SECRET: optionalString,
  SLACK_BOT_TOKEN: optionalString.pipe(
    z.string().startsWith('xoxb-', 'must be a bot token starting with xoxb-').optional(),
  ),
  SLACK_APP_TOKEN: optionalString.pipe(
    z.string().startsWith('xapp-', 'must be an app-level token starting with xapp-').optional(),
  ),
  SLACK_API_URL: urlWithProtocols(['http:', 'https:']),
  SLACK_REQUEST_COMMAND: optionalString.pipe(
    z.string().regex(/^\/[a-z0-9_-]+$/, 'must look like /request').optional().default('/request'),
  ),
  SLACK_TICKET_EMOJI: optionalString.pipe(z.string().regex(/^[a-z0-9_+-]+$/).optional().default('ticket')),
  TEAMS_APP_ID: optionalString,
  TEAMS_APP_PASSWORD: optionalString,
  TEAMS_TENANT_ID: optionalString,
  TEAMS_ENABLED: flag,
  IMAP_URL: urlWithProtocols(['imap:', 'imaps:']),
  SMTP_URL: urlWithProtocols(['smtp:', 'smtps:']),
  MAIL_FROM: optionalString.pipe(z.email('must be an email address like desk@example.com').optional()),
  OIDC_ISSUER: urlWithProtocols(['http:', 'https:']),
  OIDC_CLIENT_ID: optionalString,
  OIDC_CLIENT_SECRET: optionalString,
  SCIM_TOKEN: optionalString.pipe(z.string().min(16, 'must be at least 16 characters').optional()),
});

export type Env = z.infer<typeof envSchema>;

export interface Config {
  port: number;
  /** Interface to listen on: all of them, or 127.0.0.1 only when a channel runs without authentication. */
  host: string;
  /** Unsafe-but-allowed settings, said loudly at start (runtime.ts logs them). */
  warnings: string[];
  databaseUrl: string | undefined;
  dataDir: string;
  publicUrl: string;
  catalogFile: string | undefined;
  /** Folder of Markdown knowledge articles; undefined = the built-in sample. */
  knowledgeDir: string | undefined;
  apiTokens: string[];
  linkSecret: string | undefined;
  /** Unset = the logger's default (info; silent under vitest). */
  logLevel: Env['LOG_LEVEL'];
  /** Failed attempts (Retry-After waits not counted) before a delivery is dead-lettered; 0 = no limit. */
  deliveryMaxAttempts: number;
  deliveryMaxBatch: number;
  /** A delivery still failing this long after it was created (or re-queued) is dead-lettered. */
  deliveryMaxAgeMs: number;
  /** Cap of the exponential backoff between delivery attempts. */
  deliveryMaxBackoffMs: number;
  /**
   * How long one send to a platform may take before it fails and is retried: a receiver that
   * hangs holds its own deliveries that long, and the outbox's loops move on sooner (releaseAfterMs).
   */
  deliveryTimeoutMs: number;
  workers: boolean;
  slack:
    | {
        signingSecret: string;
        botToken: string;
        appToken: string | undefined;
        apiUrl: string | undefined;
        requestCommand: string;
        ticketEmoji: string;
      }
    | undefined;
  teams: { appId: string | undefined; appPassword: string | undefined; tenantId: string | undefined } | undefined;
  email: { imapUrl: string | undefined; smtpUrl: string | undefined; mailFrom: string } | undefined;
  /** OpenID Connect sign-in; unset = one-time sign-in links. */
  oidc: { issuer: string; clientId: string; clientSecret: string } | undefined;
  /** Bearer token of the SCIM 2.0 directory endpoint; unset = SCIM off. */
  scimToken: string | undefined;
}

/** Parse the environment; throws ConfigError with one line naming the variable and the problem. */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const name = String(issue.path[0] ?? 'environment');
    const got = source[name];
    const shown = got === undefined ? '' : ` (got ${JSON.stringify(redact(name, got))})`;
    throw new ConfigError(`invalid configuration: ${name} ${issue.message}${shown}`);
  }
  const env = parsed.data;
  const publicUrl = (env.PUBLIC_URL ?? `http://localhost:${env.PORT}`).replace(/\/+$/, '');

  const slackParts = [env.SLACK_SIGNING_SECRET, env.SLACK_BOT_TOKEN];
  if (slackParts.some(Boolean) && !slackParts.every(Boolean)) {
    throw new ConfigError(
      'invalid configuration: SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN must be set together to turn Slack on',
    );
  }
  const teamsOn = env.TEAMS_ENABLED || Boolean(env.TEAMS_APP_ID);
  if (env.TEAMS_APP_ID && !env.TEAMS_APP_PASSWORD) {
    throw new ConfigError('invalid configuration: TEAMS_APP_PASSWORD is required when TEAMS_APP_ID is set');
  }
  const emailOn = Boolean(env.IMAP_URL || env.SMTP_URL);
  if (emailOn && !env.MAIL_FROM) {
    throw new ConfigError('invalid configuration: MAIL_FROM is required when IMAP_URL or SMTP_URL is set');
  }

  const oidcParts = [env.OIDC_ISSUER, env.OIDC_CLIENT_ID, env.OIDC_CLIENT_SECRET];
  if (oidcParts.some(Boolean) && !oidcParts.every(Boolean)) {
    throw new ConfigError('invalid configuration: OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET must be set together to turn OpenID Connect sign-in on');
  }

  const warnings: string[] = [];
  let host = '0.0.0.0';
  if (teamsOn && !env.TEAMS_APP_ID) {
    // No app id = the Teams SDK's no-auth local mode (dangerouslyAllowUnauthenticatedRequests): anyone who reaches /api/messages can act as anyone.
    host = '127.0.0.1';
    warnings.push('TEAMS_ENABLED=1 without TEAMS_APP_ID: Teams runs WITHOUT authentication (no-auth local mode); listening on 127.0.0.1 only. Set TEAMS_APP_ID and TEAMS_APP_PASSWORD for a real bot.');
  }
  const chat = [env.SLACK_SIGNING_SECRET ? 'Slack' : null, teamsOn ? 'Teams' : null].filter(Boolean).join(' and ');
  if (chat && isLocalUrl(publicUrl)) {
    warnings.push(`${chat} on, but PUBLIC_URL is ${env.PUBLIC_URL ? publicUrl : 'unset'} (${publicUrl}): links in chat messages will not open for anyone else. Set PUBLIC_URL to the address people reach.`);
  }

  return {
    port: env.PORT,
    host,
    warnings,
    databaseUrl: env.DATABASE_URL,
    dataDir: env.DATA_DIR,
    publicUrl,
    catalogFile: env.CATALOG_FILE,
    knowledgeDir: env.KNOWLEDGE_DIR,
    apiTokens: env.API_TOKENS,
    linkSecret: env.LINK_SECRET,
    logLevel: env.LOG_LEVEL,
    deliveryMaxAttempts: env.DELIVERY_MAX_ATTEMPTS,
    deliveryMaxBatch: env.DELIVERY_MAX_BATCH,
    deliveryMaxAgeMs: env.DELIVERY_MAX_AGE,
    deliveryMaxBackoffMs: env.DELIVERY_MAX_BACKOFF,
    deliveryTimeoutMs: env.DELIVERY_TIMEOUT,
    workers: env.WORKERS === 'on',
    slack:
      env.SLACK_SIGNING_SECRET && env.SLACK_BOT_TOKEN
        ? {
            signingSecret: env.SLACK_SIGNING_SECRET,
            botToken: env.SLACK_BOT_TOKEN,
            appToken: env.SLACK_APP_TOKEN,
            apiUrl: env.SLACK_API_URL,
            requestCommand: env.SLACK_REQUEST_COMMAND,
            ticketEmoji: env.SLACK_TICKET_EMOJI,
          }
        : undefined,
    teams: teamsOn
      ? { appId: env.TEAMS_APP_ID, appPassword: env.TEAMS_APP_PASSWORD, tenantId: env.TEAMS_TENANT_ID }
      : undefined,
    email: emailOn ? { imapUrl: env.IMAP_URL, smtpUrl: env.SMTP_URL, mailFrom: env.MAIL_FROM! } : undefined,
    oidc: env.OIDC_ISSUER && env.OIDC_CLIENT_ID && env.OIDC_CLIENT_SECRET ? { issuer: env.OIDC_ISSUER, clientId: env.OIDC_CLIENT_ID, clientSecret: env.OIDC_CLIENT_SECRET } : undefined,
    scimToken: env.SCIM_TOKEN,
  };
}

function isLocalUrl(url: string): boolean {
  const hostname = new URL(url).hostname;
  return hostname === 'localhost' || hostname.endsWith('.localhost') || /^127\./.test(hostname) || hostname === '[::1]' || hostname === '0.0.0.0';
}

function redact(name: string, value: string): string {
  if (/SECRET|TOKEN|PASSWORD/.test(name)) return '***';
  try {
    const url = new URL(value);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return value;
  }
}
