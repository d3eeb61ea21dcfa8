import type { CatalogQueue } from '../catalog-view-model.ts';
import type { KnowledgeHit } from '../../../knowledge/search.ts';
import { Highlighted } from './knowledge.tsx';
import { Layout } from './layout.tsx';

export function CatalogPage({ queues, query, articles = [], fallbacks = [] }: { queues: CatalogQueue[]; query: string; articles?: KnowledgeHit[]; fallbacks?: Array<{ key: string; name: string }> }) {
  const count = queues.reduce((n, q) => n + q.entries.length, 0);
  return (
    <Layout title="New request" filterScript>
      <h1>How can we help?</h1>
      <p class="lead">Pick the kind of request. You will get a link to follow it, and replies reach you where you asked.</p>
      {/* biome-ignore lint/a11y/useSemanticElements: role=search on the form is the search landmark every screen reader knows; <search> is too new for some. */}
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
      {articles.length ? (
        <section class="suggestions" aria-labelledby="catalog-articles">
          <h2 id="catalog-articles">Help articles that may answer it</h2>
          <ul class="types">
            {articles.map((hit) => (
              <li class="type" lang={hit.lang}>
                <h3>
                  <a href={`/kb/${hit.slug}?from=web`}>{hit.title}</a>
                </h3>
                <p>
                  <Highlighted text={hit.marked} />
                </p>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {count === 0 && query ? (
        <div class="empty">
          <p>
            No request type matches “{query}”{articles.length ? '' : ', and no help article either'}. Something else? Ask the team that fits:
          </p>
          <ul>
            {fallbacks.map((f) => (
              <li>
                <a href={`/new/${f.key}`}>{f.name}</a>
              </li>
            ))}
          </ul>
          <p>
            Or <a href="/">browse everything</a>.
          </p>
        </div>
      ) : null}
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
