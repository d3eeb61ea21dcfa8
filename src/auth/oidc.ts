import type * as OpenId from 'openid-client';
import { z } from 'zod';
import type { Logger } from '../logger.ts';

const SCOPE = 'openid email profile';

/** The PKCE verifier, state and nonce of one sign-in attempt, kept (signed) in a cookie until the callback. */
export const attemptSchema = z.object({ verifier: z.string().min(43), state: z.string().min(1), nonce: z.string().min(1), next: z.string().optional(), exp: z.number() });
export type Attempt = z.infer<typeof attemptSchema>;

/** Who the provider says signed in. `emailVerified` is undefined when the provider does not send the claim. */
export interface OidcIdentity {
  email: string | undefined;
  emailVerified: boolean | undefined;
  name: string | undefined;
  subject: string;
}

export class OidcError extends Error {
  override name = 'OidcError';
}

/**
 * OpenID Connect sign-in through openid-client: authorization code flow with PKCE (S256),
 * state and nonce, scope `openid email profile`, client_secret_basic (the spec's default).
 * The provider's metadata is discovered on first use and kept.
 */
/** openid-client (and jose under it) is loaded with the first sign-in, not at start. */
const openId = (): Promise<typeof OpenId> => import('openid-client');

export class OidcSignIn {
  private config: Promise<OpenId.Configuration> | null = null;
  readonly redirectUri: string;

  constructor(
    private readonly settings: { issuer: string; clientId: string; clientSecret: string },
    publicUrl: string,
    private readonly logger: Logger,
  ) {
    this.redirectUri = `${publicUrl}/auth/callback`;
  }

  private configuration(): Promise<OpenId.Configuration> {
    this.config ??= (async () => {
      const client = await openId();
      const issuer = new URL(this.settings.issuer);
      // Plain http only for a provider on this machine (a local test provider); never across a network.
      const local = issuer.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(issuer.hostname);
      return client.discovery(issuer, this.settings.clientId, undefined, client.ClientSecretBasic(this.settings.clientSecret), local ? { execute: [client.allowInsecureRequests] } : undefined);
    })().catch((error: unknown) => {
      this.config = null;
      this.logger.warn({ err: error, issuer: this.settings.issuer }, 'oidc: discovery failed');
      throw new OidcError(`the sign-in provider could not be reached (${error instanceof Error ? error.message : String(error)})`);
    });
    return this.config;
  }

  /** Where to send the browser, and what to remember for the callback. */
  async start(next: string | undefined, now: Date): Promise<{ url: string; attempt: Attempt }> {
    const [config, client] = await Promise.all([this.configuration(), openId()]);
    const verifier = client.randomPKCECodeVerifier();
    const attempt: Attempt = { verifier, state: client.randomState(), nonce: client.randomNonce(), ...(next ? { next } : {}), exp: Math.floor(now.getTime() / 1000) + 600 };
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: this.redirectUri,
      scope: SCOPE,
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state: attempt.state,
      nonce: attempt.nonce,
    });
    return { url: url.href, attempt };
  }

  /** Exchange the code (checking state, nonce and PKCE); the email from the ID token, else from userinfo. */
  async finish(search: string, attempt: Attempt): Promise<OidcIdentity> {
    const [config, client] = await Promise.all([this.configuration(), openId()]);
    let tokens;
    try {
      tokens = await client.authorizationCodeGrant(config, new URL(`${this.redirectUri}${search}`), {
        pkceCodeVerifier: attempt.verifier,
        expectedState: attempt.state,
        expectedNonce: attempt.nonce,
        idTokenExpected: true,
      });
    } catch (error) {
      throw new OidcError(error instanceof Error ? error.message : String(error));
    }
    const claims = tokens.claims();
    if (!claims) throw new OidcError('the provider sent no ID token');
    let email = typeof claims.email === 'string' ? claims.email : undefined;
    let verified = typeof claims.email_verified === 'boolean' ? claims.email_verified : undefined;
    let name = typeof claims.name === 'string' ? claims.name : undefined;
    if (!email && tokens.access_token) {
      // Many providers put scope claims only in userinfo (OIDC Core §5.4).
      const info = await client.fetchUserInfo(config, tokens.access_token, claims.sub).catch((error: unknown) => {
        throw new OidcError(`userinfo failed: ${error instanceof Error ? error.message : String(error)}`);
      });
      email = typeof info.email === 'string' ? info.email : undefined;
      verified = typeof info.email_verified === 'boolean' ? info.email_verified : verified;
      name ??= typeof info.name === 'string' ? info.name : undefined;
    }
    return { email: email?.trim().toLowerCase(), emailVerified: verified, name, subject: claims.sub };
  }
}
