import { Flash } from './views/flash.tsx';
import { Layout } from './views/layout.tsx';

/** The sign-in page: a button to the company's OpenID provider, or the one-time link form. */
export function LoginPage(props: { mode: 'oidc' | 'link'; next: string | undefined; notice?: string | undefined; error?: string | undefined; email?: string | undefined }) {
  return (
    <Layout title="Sign in">
      <h1>Sign in</h1>
      <Flash ok={props.notice} error={props.error} />
      {props.mode === 'oidc' ? (
        <form method="post" action="/login">
          {props.next ? <input type="hidden" name="next" value={props.next} /> : null}
          <p class="lead">Use your company account.</p>
          <button type="submit" class="primary">
            Sign in with your company account
          </button>
        </form>
      ) : (
        <form method="post" action="/login" novalidate>
          {props.next ? <input type="hidden" name="next" value={props.next} /> : null}
          <p class="lead">We send you a one-time sign-in link in Slack, Teams or email — wherever you last talked to us.</p>
          <div class={`field${props.error ? ' has-error' : ''}`}>
            <label for="login-email">Your work email</label>
            <input id="login-email" type="email" name="email" autocomplete="email" required value={props.email ?? ''} />
          </div>
          <button type="submit" class="primary">
            Send me a sign-in link
          </button>
        </form>
      )}
    </Layout>
  );
}

/** The same answer for a known, an unknown and a deactivated address. */
export function LinkSentPage({ email }: { email: string }) {
  return (
    <Layout title="Check your messages">
      <h1>Check your messages</h1>
      <p class="lead">If {email} belongs to someone here, a sign-in link is on its way to where they last talked to us: a Slack or Teams message from Switchboard, or an email.</p>
      <p>The link works once, within 15 minutes. You can close this page.</p>
      <p class="muted">
        Nothing arrived? <a href="/login">Ask for another link</a> in a minute.
      </p>
    </Layout>
  );
}

export function UnreachablePage({ email }: { email: string }) {
  return (
    <Layout title="We cannot reach you">
      <h1>We cannot send you a link</h1>
      <p class="lead" role="alert">
        Switchboard has no way to reach {email}: no Slack or Teams conversation with you, and email is not set up here.
      </p>
      <p>Write to the service desk once from Slack or Teams (or ask them to connect email), then try again.</p>
      <p>
        <a href="/login">Back to sign-in</a>
      </p>
    </Layout>
  );
}

/** A sign-in link opens this page; only the button (a POST) uses it, so link scanners cannot. */
export function ConfirmLinkPage({ token }: { token: string }) {
  return (
    <Layout title="Sign in">
      <h1>Sign in to Switchboard</h1>
      <form method="post" action="/login">
        <input type="hidden" name="t" value={token} />
        <button type="submit" class="primary">
          Sign in
        </button>
      </form>
    </Layout>
  );
}

export function SignInProblemPage({ title, message }: { title: string; message: string }) {
  return (
    <Layout title={title}>
      <h1>{title}</h1>
      <p class="lead" role="alert">
        {message}
      </p>
      <p>
        <a href="/login">Sign in again</a>
      </p>
    </Layout>
  );
}

/** The signed-in person and a sign-out button (a POST with the page's origin). */
export function SignedInBar({ who, desk }: { who: string; desk?: boolean }) {
  return (
    <div class="signed-in">
      <span class="muted small">Signed in as {who}</span>
      {desk ? (
        <>
          {' · '}
          <a href="/desk">Desk</a>
        </>
      ) : null}
      {' · '}
      <a href="/my">My requests</a>
      <form method="post" action="/logout" class="inline">
        <button type="submit">Sign out</button>
      </form>
    </div>
  );
}
