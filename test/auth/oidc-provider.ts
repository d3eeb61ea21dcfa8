import http from 'node:http';
import Provider from 'oidc-provider';
import type { Page } from 'playwright-core';
import { freePort } from '../support/net.ts';

export interface TestAccount {
  email?: string;
  email_verified?: boolean;
  name?: string;
}

export interface LocalProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  stop(): Promise<void>;
}

/**
 * A real OpenID provider (panva's oidc-provider, OpenID Certified) on 127.0.0.1, with its
 * development login and consent pages: whatever is typed as the login is the account id.
 * Claims come from `accounts`; scope `email` releases email and email_verified.
 */
export async function startOidcProvider(redirectUri: string, accounts: Record<string, TestAccount>): Promise<LocalProvider> {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const clientId = 'switchboard';
  const clientSecret = 'a-client-secret-for-tests-only-0123456789';
  const provider = new Provider(issuer, {
    clients: [{ client_id: clientId, client_secret: clientSecret, redirect_uris: [redirectUri], grant_types: ['authorization_code'], response_types: ['code'], token_endpoint_auth_method: 'client_secret_basic' }],
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    pkce: { required: () => true },
    cookies: { keys: ['test-cookie-key-0123456789'] },
    async findAccount(_ctx, id) {
      const account = accounts[id];
      if (!account) return undefined;
      return { accountId: id, claims: async () => ({ sub: id, ...account }) };
    },
  });
  // Quiet the "dev interactions" warning noise in test output.
  provider.on('server_error', (_ctx, error) => console.error('oidc-provider server_error', error));
  const server = http.createServer(provider.callback());
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    issuer,
    clientId,
    clientSecret,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * From the service's /login page: "Sign in with your company account", then the provider's
 * development pages (log in as `login`, consent), back on `serviceUrl`.
 */
export async function signInAtProvider(page: Page, provider: LocalProvider, serviceUrl: string, login: string): Promise<void> {
  await page.getByRole('button', { name: 'Sign in with your company account' }).click();
  await page.waitForURL((url) => url.origin === provider.issuer);
  await page.locator('input[name="login"]').fill(login);
  await page.locator('input[name="password"]').fill('any');
  await page.locator('button[type="submit"]').click();
  const consent = page.locator('button[type="submit"]', { hasText: /continue/i });
  if (await consent.count()) await consent.click();
  await page.waitForURL((url) => url.origin === serviceUrl);
}
