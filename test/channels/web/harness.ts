import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { startOidcProvider, type LocalProvider, type TestAccount } from '../../auth/oidc-provider.ts';
import { freePort } from '../../support/net.ts';
import { forSuite } from '../../support/suite.ts';
import { launchBrowser, startService, type Service, type ServiceOptions } from './browser.ts';

/** The running service and a headless Chromium next to it; each page in a fresh browser context. */
interface WebDesk extends Service {
  /** Run `run` on a new page in a context of its own (closed afterwards), at the suite's viewport. */
  withPage<T>(run: (page: Page, context: BrowserContext) => Promise<T>, options?: Pick<BrowserContextOptions, 'javaScriptEnabled' | 'bypassCSP'>): Promise<T>;
}

interface WebDeskOptions extends ServiceOptions {
  /** The window every page of the suite opens in (a phone's for the requester's pages). */
  viewport: { width: number; height: number };
  /** Added to the service's environment; a function is read when the service starts (after earlier hooks, e.g. an SMTP sink's, have run). */
  env?: Record<string, string> | (() => Record<string, string>);
}

/**
 * The web desk of the describe block it is called in: the service (startService) and Chromium
 * started together before its first story, both stopped after its last (see forSuite).
 */
export function webDeskForSuite(options: WebDeskOptions): WebDesk {
  const { viewport, env = {}, ...serviceOptions } = options;
  return forSuite(
    async () => {
      const [service, browser] = await Promise.all([startService(typeof env === 'function' ? env() : env, serviceOptions), launchBrowser()]);
      return withBrowser(service, browser, viewport);
    },
    async (desk) => {
      await desk.browser.close();
      await desk.stop();
    },
  );
}

function withBrowser(service: Service, browser: Browser, viewport: WebDeskOptions['viewport']): WebDesk & { browser: Browser } {
  return {
    ...service,
    browser,
    async withPage(run, options = {}) {
      const context = await browser.newContext({ ...options, viewport });
      try {
        return await run(await context.newPage(), context);
      } finally {
        await context.close();
      }
    },
  };
}

/** A desk that people sign in to with OIDC, and the browser they use. */
interface SignInDesk<S> {
  /** The local OIDC provider the service trusts; its accounts sign in by login name. */
  provider: LocalProvider;
  service: S;
  browser: Browser;
  /** http://127.0.0.1:port: the service's PUBLIC_URL, and the provider's redirect back to it. */
  url: string;
}

/**
 * For the describe block it is called in (see forSuite): a local OIDC provider with `accounts`,
 * the service started by `start` on a known free port with that provider configured (its env:
 * PORT, PUBLIC_URL, OIDC_*), and Chromium; stopped in the reverse order after the last story.
 */
export function signInDeskForSuite<S extends { stop(): Promise<void> }>(accounts: Record<string, TestAccount>, start: (env: Record<string, string>) => Promise<S>): SignInDesk<S> {
  return forSuite(
    async () => {
      const port = await freePort();
      const url = `http://127.0.0.1:${port}`;
      const provider = await startOidcProvider(`${url}/auth/callback`, accounts);
      const [service, browser] = await Promise.all([
        start({ PORT: String(port), PUBLIC_URL: url, OIDC_ISSUER: provider.issuer, OIDC_CLIENT_ID: provider.clientId, OIDC_CLIENT_SECRET: provider.clientSecret }),
        launchBrowser(),
      ]);
      return { provider, service, browser, url };
    },
    async ({ provider, service, browser }) => {
      await browser.close();
      await service.stop();
      await provider.stop();
    },
  );
}
