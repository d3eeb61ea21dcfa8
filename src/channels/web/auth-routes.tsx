import { timingSafeEqual } from 'node:crypto';
import type { Context, Hono } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { secureHeaders } from 'hono/secure-headers';
import { z } from 'zod';
import { authOf } from '../../auth/index.ts';
import { attemptSchema, OidcError, type Attempt } from '../../auth/oidc.ts';
import { redeemSignInLink, requestSignInLink } from '../../auth/sign-in-links.ts';
import { safeNext, TOKEN_PATTERN } from '../../auth/tokens.ts';
import { findPersonByEmail, resolvePerson } from '../../core/people.ts';
import { people } from '../../db/schema.ts';
import { eq } from 'drizzle-orm';
import { readPostedForm } from './form-values.ts';
import { UnreadableFormPage } from './views/notices.tsx';
import { render, type WebContext } from './render.tsx';
import { ConfirmLinkPage, LinkSentPage, LoginPage, SignInProblemPage, UnreachablePage } from './auth-views.tsx';

const ATTEMPT_COOKIE = 'sb_oidc';
const emailSchema = z.email();

/** GET/POST /login, GET /auth/callback, POST /logout. */
export function authRoutes(app: Hono, web: WebContext): void {
  const { deps } = web;
  const auth = authOf(deps);
  const secure = deps.config.publicUrl.startsWith('https:');
  const mode = auth.oidc ? 'oidc' : 'link';
  // The web pages' policy, except that the sign-in form may lead on to the OpenID provider
  // (browsers apply form-action to the redirect after a form POST).
  app.use(
    '/login',
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'none'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'"],
        formAction: ["'self'", ...(deps.config.oidc ? [new URL(deps.config.oidc.issuer).origin] : [])],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
      },
      xFrameOptions: 'DENY',
      // A sign-in link carries its token in the query string: never send it as a Referer.
      referrerPolicy: 'no-referrer',
    }),
  );

  const signIn = async (c: Context, personId: number, method: 'oidc' | 'link', next: string | undefined) => {
    await auth.sessions.start(c, personId, method);
    return c.redirect(next ?? (await auth.landing(personId)), 303);
  };

  app.get('/login', (c) => {
    const token = c.req.query('t');
    if (token !== undefined) return render(c, <ConfirmLinkPage token={TOKEN_PATTERN.test(token) ? token : ''} />);
    const notice = c.req.query('out') === '1' ? 'You are signed out.' : undefined;
    return render(c, <LoginPage mode={mode} next={safeNext(c.req.query('next'))} notice={notice} />);
  });

  app.post('/login', async (c) => {
    const values = await readPostedForm(c);
    if (!values) return render(c, <UnreadableFormPage />, 400);
    const next = safeNext(values.next);
    if (values.t !== undefined) {
      const redeemed = await redeemSignInLink(deps.core.db, values.t, deps.core.now());
      const [person] = redeemed ? await deps.core.db.select().from(people).where(eq(people.id, redeemed.personId)) : [];
      if (!redeemed || !person?.active) {
        return render(c, <SignInProblemPage title="This link does not work" message="Sign-in links work once, within 15 minutes. This one was used already, has expired, or was cut short." />, 400);
      }
      return signIn(c, person.id, 'link', redeemed.next);
    }
    if (auth.oidc) {
      try {
        const { url, attempt } = await auth.oidc.start(next, deps.core.now());
        setCookie(c, ATTEMPT_COOKIE, sealAttempt(web, attempt), { httpOnly: true, sameSite: 'Lax', secure, path: '/auth/callback', maxAge: 600 });
        return c.redirect(url, 303);
      } catch (error) {
        if (!(error instanceof OidcError)) throw error;
        return render(c, <SignInProblemPage title="Sign-in is unavailable" message="The company sign-in service did not answer. Try again in a minute." />, 503);
      }
    }
    const email = (values.email ?? '').trim().toLowerCase();
    if (!emailSchema.safeParse(email).success) {
      return render(c, <LoginPage mode="link" next={next} email={values.email} error="Enter your work email, like ana@example.com." />, 400);
    }
    const result = await requestSignInLink(deps.core.db, deps.core.enabled, email, next, deps.core.now());
    if (result.outcome === 'unreachable') return render(c, <UnreachablePage email={email} />, 200);
    return render(c, <LinkSentPage email={email} />);
  });

  app.get('/auth/callback', async (c) => {
    const attempt = openAttempt(web, getCookie(c, ATTEMPT_COOKIE), deps.core.now());
    deleteCookie(c, ATTEMPT_COOKIE, { path: '/auth/callback', secure, httpOnly: true, sameSite: 'Lax' });
    if (!auth.oidc) return c.text('Not found', 404);
    if (!attempt) return render(c, <SignInProblemPage title="Sign-in did not complete" message="This sign-in started too long ago or in another browser." />, 400);
    const search = new URL(c.req.url).search;
    let identity;
    try {
      identity = await auth.oidc.finish(search, attempt);
    } catch (error) {
      if (!(error instanceof OidcError)) throw error;
      deps.logger.warn({ err: error }, 'oidc: callback refused');
      return render(c, <SignInProblemPage title="Sign-in did not complete" message="The sign-in service did not confirm who you are. Try again." />, 400);
    }
    // The person is found by email, never by the provider's subject alone.
    if (!identity.email || !emailSchema.safeParse(identity.email).success) {
      return render(c, <SignInProblemPage title="We could not sign you in" message="Your company account did not share an email address with Switchboard." />, 403);
    }
    if (identity.emailVerified === false) {
      return render(c, <SignInProblemPage title="We could not sign you in" message="Your company account says your email address is not verified." />, 403);
    }
    const known = await findPersonByEmail(deps.core.db, identity.email);
    if (known && !known.active) return render(c, <SignInProblemPage title="We could not sign you in" message="Your account is deactivated." />, 403);
    const person = known ?? (await resolvePerson(deps.core.db, { email: identity.email, name: identity.name }));
    return signIn(c, person.id, 'oidc', attempt.next);
  });

  app.post('/logout', async (c) => {
    await auth.sessions.end(c);
    return c.redirect('/login?out=1', 303);
  });
}

/** The attempt, signed with the link secret (the browser holds it; it cannot change it). */
function sealAttempt(web: WebContext, attempt: Attempt): string {
  const body = Buffer.from(JSON.stringify(attempt)).toString('base64url');
  return `${body}.${web.deps.links.signValue('oidc-attempt', body)}`;
}

function openAttempt(web: WebContext, cookie: string | undefined, now: Date): Attempt | null {
  if (!cookie) return null;
  const [body, signature, extra] = cookie.split('.');
  if (!body || !signature || extra !== undefined) return null;
  const expected = Buffer.from(web.deps.links.signValue('oidc-attempt', body));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
  let parsed;
  try {
    parsed = attemptSchema.safeParse(JSON.parse(Buffer.from(body, 'base64url').toString()));
  } catch {
    return null;
  }
  if (!parsed.success || parsed.data.exp * 1000 < now.getTime()) return null;
  return parsed.data;
}
