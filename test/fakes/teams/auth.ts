import { createServer } from 'node:http';
import { ConfidentialClientApplication, type INetworkModule, type NetworkResponse } from '@azure/msal-node';
import type { TeamsAuthOverrides } from '../../../src/channels/teams/auth.ts';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWTPayload } from 'jose';
import { closeServer, listenLocally, readText, sendJson } from './http.ts';

/**
 * Both identity providers a Teams bot talks to, on one local port:
 *
 * - Inbound (channel → bot): the Bot Framework OpenID metadata + JWKS that the Teams
 *   SDK's token validator fetches, and `signToken()` to mint the JWT Teams puts in
 *   `Authorization: Bearer …` when it POSTs an activity.
 * - Outbound (bot → channel): an AAD v2 tenant (discovery document + client-credentials
 *   token endpoint) that MSAL asks for the bearer token sent with every connector call.
 *
 * What the Teams SDK 2.x checks on an inbound channel token (HttpServer →
 * InboundActivityTokenValidator → JwtValidator), and what our endpoint adds:
 * - `iss` must equal the cloud environment's tokenIssuer;
 * - the `kid` must be in the JWKS beside its openIdMetadataUrl (`…/openidconfiguration`
 *   → `…/keys`, jwks-rsa: cached, rate-limited re-fetch for an unknown kid);
 * - RS256 signature, `exp` with 5 minutes of clock tolerance;
 * - `aud` must be the app id (or api://botid-<app id>, api://<app id>); `serviceurl`
 *   must equal the activity's serviceUrl;
 * - if the key lists `endorsements`, the activity's channelId must be one of them
 *   (the SDK does not check this; src/channels/teams/auth.ts does).
 */
export const FAKE_AAD_HOST = 'login.aad.test';

/** Bot Framework's own value; the scope the bot asks AAD for is "…/.default" of it. */
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
  /** exp 10 minutes ago: past the SDK's 5-minute clock tolerance. */
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
 * The Teams SDK configured against this fake (src/channels/teams/auth.ts → App options):
 *
 *   cloud.openIdMetadataUrl  inbound OpenID metadata; the JWKS is beside it  → fake.metadataUrl
 *   cloud.tokenIssuer        the only accepted channel `iss`                 → fake.issuer
 *   cloud.loginEndpoint      AAD authority host for outbound tokens         → https://login.aad.test
 *   cloud.botScope           the scope the bot asks AAD for                 → https://api.botframework.com/.default
 *   token                    the outbound token provider                    → MSAL against the fake
 *
 * Settings alone cannot route the OUTBOUND token to a local server: MSAL (which the SDK's
 * TokenManager uses) refuses a non-https authority ("authority_uri_insecure") and runs
 * instance discovery against login.microsoftonline.com for hosts it does not know. So the
 * token provider is the real MSAL client-credentials flow with its network pointed at the
 * fake: the authority is https://login.aad.test/{tenant} (listed in knownAuthorities, so no
 * instance discovery) and MSAL's networkClient rewrites that host to the fake's URL. MSAL
 * caches the token per client (one per tenant here) until shortly before it expires.
 */
export function fakeBotFrameworkAuthentication(fake: BotAuthFake, appId: string, password: string, tenantId: string): TeamsAuthOverrides {
  const clients = new Map<string, ConfidentialClientApplication>();
  const clientFor = (tenant: string): ConfidentialClientApplication => {
    let client = clients.get(tenant);
    if (!client) {
      client = new ConfidentialClientApplication({
        auth: { clientId: appId, clientSecret: password, authority: `https://${FAKE_AAD_HOST}/${tenant}`, knownAuthorities: [FAKE_AAD_HOST] },
        system: { networkClient: fakeAadNetwork(fake.url) },
      });
      clients.set(tenant, client);
    }
    return client;
  };
  return {
    cloud: { openIdMetadataUrl: fake.metadataUrl, tokenIssuer: fake.issuer, loginEndpoint: `https://${FAKE_AAD_HOST}`, botScope: `${BOT_FRAMEWORK_SCOPE}/.default` },
    token: async (scope, tenant) => {
      const result = await clientFor(tenant && tenant !== 'botframework.com' ? tenant : tenantId).acquireTokenByClientCredential({ scopes: Array.isArray(scope) ? scope : [scope] });
      if (!result?.accessToken) throw new Error('fake AAD: no access token');
      return result.accessToken;
    },
  };
}

function fakeAadNetwork(baseUrl: string): INetworkModule {
  const toLocal = (url: string): string => {
    const target = new URL(url);
    if (target.host !== FAKE_AAD_HOST) throw new Error(`fake AAD network: refusing to call ${url}`);
    return `${baseUrl}${target.pathname}${target.search}`;
  };
  async function send<T>(url: string, init: RequestInit): Promise<NetworkResponse<T>> {
    const response = await fetch(toLocal(url), init);
    return { status: response.status, headers: Object.fromEntries(response.headers), body: (await response.json()) as T };
  }
  return {
    sendGetRequestAsync: (url, options) => send(url, { method: 'GET', headers: options?.headers }),
    sendPostRequestAsync: (url, options) => send(url, { method: 'POST', headers: options?.headers, body: options?.body }),
  };
}
