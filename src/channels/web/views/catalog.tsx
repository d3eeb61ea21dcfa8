import type { CatalogQueue } from '../catalog-view-model.ts';
import { Layout } from './layout.tsx';

export function CatalogPage({ queues, query }: { queues: CatalogQueue[]; query: string }) {
  const count = queues.reduce((n, q) => n + q.entries.length, 0);
  return (
    <Layout title="New request" filterScript>
      <h1>How can we help?</h1>
      <p class="lead">Pick the kind of request. You will get a link to follow it, and replies reach you where you asked.</p>
      <form class="search" method="get" action="/" role="search">
        <label for="q">Search request types</label>
        <div class="search-row">
          <input type="search" id="q" name="q" value={query} autocomplete="off" placeholder="e.g. laptop, badge, payslip" />
          <button type="submit">Search</button>
        </div>
      </form>
      <p id="result-count" class="muted" role="status">
        {query ? `${count} request type${count === 1 ? '' : 's'} match “${query}”.` : `${count} request types.`}
        {query ? (
          <>
            {' '}
            <a href="/">Show all</a>
          </>
        ) : null}
      </p>
      {count === 0 ? <p class="empty">Nothing matches. Try another word, or <a href="/">browse everything</a>.</p> : null}
      {queues.map((queue) => (
        <section class="queue" aria-labelledby={`queue-${queue.key}`} data-queue={queue.key}>
          <h2 id={`queue-${queue.key}`}>{queue.name}</h2>
          <ul class="types">
            {queue.entries.map((entry) => (
              <li class="type" data-search={entry.searchText}>
                <h3>
                  <a href={`/new/${entry.key}`}>{entry.name}</a>
                </h3>
                {entry.description ? <p>{entry.description}</p> : null}
                {entry.expected ? <p class="expected">{entry.expected}</p> : null}
              </li>
            ))}
          </ul>
        </section>
      ))}
    </Layout>
  );
}
