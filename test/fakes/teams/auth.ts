import { createServer } from 'node:http';
import { createRequire } from 'node:module';
// msal-node is CommonJS: its types are read in require mode (a type query, which Biome parses).
type MsalNode = typeof import('@azure/msal-node', { with: { 'resolution-mode': 'require' } });
import {
  CallerIdConstants,
  ConfigurationBotFrameworkAuthentication,
  type ConfigurationBotFrameworkAuthenticationOptions,
  type ConfigurationServiceClientCredentialFactoryOptions,
} from 'botbuilder';
import { MsalServiceClientCredentialsFactory } from 'botframework-connector';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWTPayload } from 'jose';
import { closeServer, listenLocally, readText, sendJson } from './http.ts';

/**
 * Both identity providers a Teams bot talks to, on one local port:
 *
 * - Inbound (channel → bot): the Bot Framework OpenID metadata + JWKS that botbuilder's
 *   JwtTokenExtractor fetches, and `signToken()` to mint the JWT Teams puts in
 *   `Authorization: Bearer …` when it POSTs an activity.
 * - Outbound (bot → channel): an AAD v2 tenant (discovery document + client-credentials
 *   token endpoint) that MSAL asks for the bearer token sent with every connector call.
 *
 * What botframework-connector 4.23 checks on an inbound channel token
 * (ParameterizedBotFrameworkAuthentication + JwtTokenExtractor):
 * - `iss` must equal the configured ToBotFromChannelTokenIssuer (else "No valid identity");
 * - the `kid` must be in the JWKS behind ToBotFromChannelOpenIdMetadataUrl
 *   (keys are cached per URL for 24 h, re-fetched at most hourly for an unknown kid);
 * - RS256/384/512 signature, `exp` with 5 minutes of clock tolerance;
 * - if the key lists `endorsements`, the activity's channelId must be one of them;
 * - `aud` must equal MicrosoftAppId; `serviceurl` must equal the activity's serviceUrl.
 */
export const FAKE_AAD_HOST = 'login.aad.test';

/** Bot Framework's own value; the scope the bot asks AAD for ("…/.default"). */
export const BOT_FRAMEWORK_SCOPE = 'https://api.botframework.com';

export type ChannelTokenClaims = {
  aud: string;
  iss?: string;
  serviceurl?: string;
  exp?: number;
  nbf?: number;
  iat?: number;
  [claim: string]: unknown;
};

export type SignTokenOptions = {
  /** exp 10 minutes ago: past botbuilder's 5-minute clock tolerance. */
  expired?: boolean;
  /** A forgery: the published kid, signed with some other private key. */
  wrongKey?: boolean;
  /** Signed with another key under a kid the JWKS does not list. */
  unknownKey?: boolean;
};

export type TokenRequest = {
  tenantId: string;
  grantType: string | null;
  clientId: string | null;
  clientSecret: string | null;
  scope: string | null;
  at: number;
};

export type BotAuthFake = {
  /** http://127.0.0.1:port (no trailing slash). */
  url: string;
  /** Where the Bot Framework OpenID metadata lives (the real one is login.botframework.com/v1/…). */
  metadataUrl: string;
  /** The `iss` of channel tokens; configure it as ToBotFromChannelTokenIssuer. */
  issuer: string;
  keyId: string;
  /** Every request the fake served: `GET /v1/.well-known/keys`, `POST /{tenant}/oauth2/v2.0/token`, … */
  readonly requests: { method: string; path: string; at: number }[];
  readonly tokenRequests: TokenRequest[];
  /** Access tokens handed out by the token endpoint, oldest first. */
  readonly issuedTokens: string[];
  signToken(claims: ChannelTokenClaims, options?: SignTokenOptions): Promise<string>;
  close(): Promise<void>;
};

export type BotAuthFakeOptions = {
  /** Channels the signing key is endorsed for; Bot Framework lists msteams among others. */
  endorsements?: string[];
};

const KEY_ID = 'fake-bot-framework-key-1';

// botframework-connector is CommonJS and types its factory with msal-node's CommonJS build;
// loading that same build keeps one ConfidentialClientApplication class (and one set of types).
const { ConfidentialClientApplication }: MsalNode = createRequire(import.meta.url)('@azure/msal-node');

export async function startBotAuthFake(options: BotAuthFakeOptions = {}): Promise<BotAuthFake> {
  const endorsements = options.endorsements ?? ['msteams', 'webchat', 'directline', 'emulator'];
  const channelKeys = await generateKeyPair('RS256', { extractable: true });
  const requests: BotAuthFake['requests'] = [];
  const tokenRequests: TokenRequest[] = [];
  const issuedTokens: string[] = [];
  const publicJwk = await exportJWK(channelKeys.publicKey);
  let url = '';

  const server = createServer((req, res) => {
    void readText(req).then(async (text) => {
      const path = new URL(req.url ?? '/', 'http://auth.fake').pathname;
      const method = (req.method ?? 'GET').toUpperCase();
      requests.push({ method, path, at: Date.now() });
      const segments = path.split('/').filter((segment) => segment !== '');

      if (method === 'GET' && (path === '/v1/.well-known/openidconfiguration' || path === '/.well-known/openid-configuration')) {
        // Same fields as https://login.botframework.com/v1/.well-known/openidconfiguration.
        return sendJson(res, 200, {
          issuer: url,
          authorization_endpoint: `${url}/invalid`,
          jwks_uri: `${url}/v1/.well-known/keys`,
          id_token_signing_alg_values_supported: ['RS256'],
          token_endpoint_auth_methods_supported: ['private_key_jwt'],
        });
      }
      if (method === 'GET' && path === '/v1/.well-known/keys') {
        return sendJson(res, 200, { keys: [{ ...publicJwk, kid: KEY_ID, use: 'sig', alg: 'RS256', endorsements }] });
      }
      const [tenantId, first, second, third] = segments;
      if (method === 'GET' && tenantId && first === 'v2.0' && second === '.well-known' && third === 'openid-configuration') {
        return sendJson(res, 200, tenantDiscovery(tenantId));
      }
      if (method === 'POST' && tenantId && first === 'oauth2' && second === 'v2.0' && third === 'token') {
        const form = new URLSearchParams(text);
        const request: TokenRequest = {
          tenantId,
          grantType: form.get('grant_type'),
          clientId: form.get('client_id'),
          clientSecret: form.get('client_secret'),
          scope: form.get('scope'),
          at: Date.now(),
        };
        tokenRequests.push(request);
        if (request.grantType !== 'client_credentials' || !request.clientId || !request.clientSecret) {
          return sendJson(res, 400, { error: 'invalid_request', error_description: 'fake AAD: client credentials expected' });
        }
        const accessToken = await signAccessToken(channelKeys.privateKey, request);
        issuedTokens.push(accessToken);
        return sendJson(res, 200, { token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: accessToken });
      }
      return sendJson(res, 404, { error: 'not_found', error_description: `fake auth: no route for ${method} ${path}` });
    });
  });
  const port = await listenLocally(server);
  url = `http://127.0.0.1:${port}`;

  return {
    url,
    metadataUrl: `${url}/v1/.well-known/openidconfiguration`,
    issuer: url,
    keyId: KEY_ID,
    requests,
    tokenRequests,
    issuedTokens,
    async signToken(claims, signOptions = {}) {
      const now = Math.floor(Date.now() / 1000);
      const lifetime = signOptions.expired ? { iat: now - 4200, nbf: now - 4200, exp: now - 600 } : { iat: now, nbf: now, exp: now + 3600 };
      const payload: JWTPayload = { iss: url, ...lifetime, ...claims };
      const forged = signOptions.wrongKey || signOptions.unknownKey;
      const signingKey = forged ? (await generateKeyPair('RS256')).privateKey : channelKeys.privateKey;
      const kid = signOptions.unknownKey ? 'not-a-published-key' : KEY_ID;
      return new SignJWT(payload).setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid }).sign(signingKey);
    },
    close: () => closeServer(server),
  };
}

function tenantDiscovery(tenantId: string): Record<string, unknown> {
  const base = `https://${FAKE_AAD_HOST}/${tenantId}`;
  return {
    issuer: `${base}/v2.0`,
    authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
    token_endpoint: `${base}/oauth2/v2.0/token`,
    end_session_endpoint: `${base}/oauth2/v2.0/logout`,
    jwks_uri: `${base}/discovery/v2.0/keys`,
    token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
    response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
  };
}

async function signAccessToken(key: CryptoKey, request: TokenRequest): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({
    aud: (request.scope ?? '').replace(/\/\.default$/, ''),
    iss: `https://sts.windows.net/${request.tenantId}/`,
    appid: request.clientId,
    tid: request.tenantId,
    iat: now,
    nbf: now,
    exp: now + 3599,
  })
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: KEY_ID })
    .sign(key);
}

/**
 * The configuration for `new ConfigurationBotFrameworkAuthentication(settings, factory)`.
 * Setting ANY of the To…/OAuthUrl/CallerId keys switches botbuilder to its fully
 * parameterized mode (BotFrameworkAuthenticationFactory.create): no public-cloud
 * default fills the others in, so all of them are given here.
 *
 *   MicrosoftAppId, MicrosoftAppPassword, MicrosoftAppType 'SingleTenant', MicrosoftAppTenantId
 *   ToBotFromChannelOpenIdMetadataUrl   inbound JWKS source              → fake.metadataUrl
 *   ToBotFromChannelTokenIssuer         the only accepted channel `iss`  → fake.issuer
 *   ToBotFromEmulatorOpenIdMetadataUrl  emulator/skill tokens            → fake.metadataUrl
 *   ToChannelFromBotLoginUrl            AAD authority for outbound tokens → https://login.aad.test/{tenant}
 *   ToChannelFromBotOAuthScope          token audience / scope           → https://api.botframework.com
 *   OAuthUrl                            user-token (SSO) service, unused  → fake.url
 *   CallerId                            stamped on authenticated activities → urn:botframework:azure
 *
 * Settings alone cannot route the OUTBOUND token to a local server: MSAL (which
 * PasswordServiceClientCredentialFactory uses) refuses a non-https authority
 * ("authority_uri_insecure") and runs instance discovery against login.microsoftonline.com
 * for hosts it does not know. Pass `aadCredentialsFactory()` as the second argument.
 */
export function authSettings(
  fake: BotAuthFake,
  appId: string,
  password: string,
  tenantId: string,
): ConfigurationBotFrameworkAuthenticationOptions & ConfigurationServiceClientCredentialFactoryOptions {
  return {
    MicrosoftAppId: appId,
    MicrosoftAppPassword: password,
    MicrosoftAppType: 'SingleTenant',
    MicrosoftAppTenantId: tenantId,
    ToBotFromChannelOpenIdMetadataUrl: fake.metadataUrl,
    ToBotFromChannelTokenIssuer: fake.issuer,
    ToBotFromEmulatorOpenIdMetadataUrl: fake.metadataUrl,
    ToChannelFromBotLoginUrl: `https://${FAKE_AAD_HOST}/${tenantId}`,
    ToChannelFromBotOAuthScope: BOT_FRAMEWORK_SCOPE,
    OAuthUrl: fake.url,
    CallerId: CallerIdConstants.PublicAzureChannel,
    ValidateAuthority: true,
  };
}

/**
 * The real MSAL client-credentials flow, with its network pointed at the fake: the
 * authority is https://login.aad.test/{tenant} (listed in knownAuthorities, so no
 * instance discovery) and MSAL's networkClient rewrites that host to the fake's URL.
 * With this factory the authority comes from the MSAL client; ToChannelFromBotLoginUrl
 * must still be a non-empty string (MsalServiceClientCredentialsFactory lower-cases it).
 *
 * botbuilder caches access tokens process-wide (AppCredentials.cache, keyed by app id +
 * scope, ~55 min): a second adapter with the same app id reuses the first one's token.
 */
export function aadCredentialsFactory(
  fake: BotAuthFake,
  appId: string,
  password: string,
  tenantId: string,
): MsalServiceClientCredentialsFactory {
  const clientApplication = new ConfidentialClientApplication({
    auth: {
      clientId: appId,
      clientSecret: password,
      authority: `https://${FAKE_AAD_HOST}/${tenantId}`,
      knownAuthorities: [FAKE_AAD_HOST],
    },
    system: { networkClient: fakeAadNetwork(fake.url) },
  });
  return new MsalServiceClientCredentialsFactory(appId, clientApplication);
}

/** Both halves together: what an authenticated CloudAdapter under test is built with. */
export function fakeBotFrameworkAuthentication(
  fake: BotAuthFake,
  appId: string,
  password: string,
  tenantId: string,
): ConfigurationBotFrameworkAuthentication {
  return new ConfigurationBotFrameworkAuthentication(
    authSettings(fake, appId, password, tenantId),
    aadCredentialsFactory(fake, appId, password, tenantId),
  );
}

function fakeAadNetwork(baseUrl: string): import('@azure/msal-node', { with: { 'resolution-mode': 'require' } }).INetworkModule {
  const toLocal = (url: string): string => {
    const target = new URL(url);
    if (target.host !== FAKE_AAD_HOST) throw new Error(`fake AAD network: refusing to call ${url}`);
    return `${baseUrl}${target.pathname}${target.search}`;
  };
  async function send<T>(url: string, init: RequestInit): Promise<import('@azure/msal-node', { with: { 'resolution-mode': 'require' } }).NetworkResponse<T>> {
    const response = await fetch(toLocal(url), init);
    return { status: response.status, headers: Object.fromEntries(response.headers), body: await response.json() };
  }
  return {
    sendGetRequestAsync: (url, options) => send(url, { method: 'GET', headers: options?.headers }),
    sendPostRequestAsync: (url, options) => send(url, { method: 'POST', headers: options?.headers, body: options?.body }),
  };
}
