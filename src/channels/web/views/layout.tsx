import type { Child } from 'hono/jsx';
import { catalogFilterScript, deskScript, kbSuggestScript, stylesheet } from '../assets.ts';

interface LayoutProps {
  title: string;
  children?: Child;
  /** Load the catalog's search-as-you-type script. */
  filterScript?: boolean;
  /** Load the request form's suggest-as-you-type script. */
  suggestScript?: boolean;
  /** Load the desk's live updates and j/k/r keys. */
  deskScript?: boolean;
}

/** The page frame: one stylesheet, no inline script or style. */
export function Layout({ title, children, filterScript, suggestScript, deskScript: desk }: LayoutProps) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="no-referrer" />
        <title>{`${title} · Switchboard`}</title>
        <link rel="stylesheet" href={stylesheet.href} />
        {filterScript ? <script src={catalogFilterScript.href} defer></script> : null}
        {suggestScript ? <script src={kbSuggestScript.href} defer></script> : null}
        {desk ? <script src={deskScript.href} defer></script> : null}
      </head>
      <body>
        <a class="skip" href="#main">
          Skip to content
        </a>
        <header class="top">
          <a class="brand" href="/">
            Switchboard
          </a>
          <span class="tagline">Service desk</span>
        </header>
        <main id="main" tabindex={-1}>
          {children}
        </main>
        <footer class="foot">
          <p>Every update on your request is also sent to you in Slack, Teams or email — whichever you used last.</p>
        </footer>
      </body>
    </html>
  );
}
