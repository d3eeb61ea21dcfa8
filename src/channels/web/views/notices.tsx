import { Layout } from './layout.tsx';

/**
 * 403 for a missing, tampered or expired ticket link: offers a fresh link by email, only when
 * this desk sends email (else it says so, and where else the link is).
 */
export function LinkProblemPage({ ticketKey, reason, token, canEmail }: { ticketKey: string; reason: 'missing' | 'invalid' | 'expired'; token: string; canEmail: boolean }) {
  const why =
    reason === 'expired'
      ? 'This link has expired.'
      : reason === 'missing'
        ? 'This page needs the personal link we sent you.'
        : 'This link is not valid. It may have been cut short or changed.';
  return (
    <Layout title="Link not valid">
      <h1>We can’t show this request</h1>
      <p class="lead">{why}</p>
      {canEmail ? (
        <>
          <p>We can email a fresh link to the person who filed {ticketKey}.</p>
          <form method="post" action={`/t/${encodeURIComponent(ticketKey)}/link`}>
            <input type="hidden" name="token" value={token} />
            <button type="submit" class="primary">
              Email me a fresh link
            </button>
          </form>
        </>
      ) : (
        <NoEmail />
      )}
      <p class="muted">
        Or <a href="/">open a new request</a>.
      </p>
    </Layout>
  );
}

/** Where else the link is, on a desk that sends no email. */
function NoEmail() {
  return (
    <>
      <p class="no-email">This desk does not send email, so we cannot send you a fresh link.</p>
      <p>
        Every update we send you in Slack or Teams carries a link to your request. Or <a href="/login?next=/my">sign in</a> to see all your requests.
      </p>
    </>
  );
}

/** The same answer whether or not the ticket exists, and whether or not we sent anything. */
export function LinkRequestedPage() {
  return (
    <Layout title="Check your email">
      <h1>Check your email</h1>
      <p class="lead">If that request exists, a fresh link is on its way to the email address that filed it. It can take a few minutes.</p>
      <p class="muted">
        Updates in Slack or Teams carry a link too. <a href="/">Back to all requests</a>
      </p>
    </Layout>
  );
}

/** "Email me a fresh link" posted to a desk that sends no email (a page from before email was turned off): nothing was sent. */
export function LinkNotSentPage() {
  return (
    <Layout title="No link sent">
      <h1>No link was sent</h1>
      <NoEmail />
      <p class="muted">
        <a href="/">Back to all requests</a>
      </p>
    </Layout>
  );
}

export function NotFoundPage({ what }: { what: string }) {
  return (
    <Layout title="Not found">
      <h1>Not found</h1>
      <p class="lead">{what}</p>
      <p>
        <a href="/">See all request types</a>
      </p>
    </Layout>
  );
}

/** A POST that failed the CSRF checks (another site, or a form from an old session). */
export function ForbiddenPostPage() {
  return (
    <Layout title="Not sent">
      <h1>That was not sent</h1>
      <p class="lead">The form did not come from this site, or it is too old. Go back, reload the page and try again.</p>
      <p>
        <a href="/">All request types</a>
      </p>
    </Layout>
  );
}

export function UnreadableFormPage() {
  return (
    <Layout title="Not sent">
      <h1>That could not be read</h1>
      <p class="lead">What reached us was not a form this site sends, so nothing was saved. Go back, reload the page and try again.</p>
      <p>
        <a href="/">All request types</a>
      </p>
    </Layout>
  );
}

export function ServerErrorPage() {
  return (
    <Layout title="Something went wrong">
      <h1>Something went wrong on our side</h1>
      <p class="lead">Nothing you did. It has been logged; please try again in a minute.</p>
      <p>
        <a href="/">All request types</a>
      </p>
    </Layout>
  );
}
