import { raw } from 'hono/html';
import { MARK_END, MARK_START, type KnowledgeHit } from '../../../knowledge/search.ts';
import { Layout } from './layout.tsx';

export interface ArticleView {
  slug: string;
  title: string;
  lang: string;
  html: string;
  updatedAt: Date;
}

/** A snippet with the matching words in <mark>, everything else as escaped text. */
export function Highlighted({ text }: { text: string }) {
  const parts: unknown[] = [];
  let rest = text;
  while (rest.length) {
    const start = rest.indexOf(MARK_START);
    if (start < 0) {
      parts.push(rest);
      break;
    }
    const end = rest.indexOf(MARK_END, start);
    if (end < 0) {
      parts.push(rest.replace(MARK_START, ''));
      break;
    }
    parts.push(rest.slice(0, start), <mark>{rest.slice(start + 1, end)}</mark>);
    rest = rest.slice(end + 1);
  }
  return <>{parts}</>;
}

export function KnowledgeSearchPage({ query, hits }: { query: string; hits: KnowledgeHit[] }) {
  return (
    <Layout title={query ? `“${query}” in the help articles` : 'Help articles'}>
      <h1>Help articles</h1>
      <p class="lead">Answers the service teams wrote for the questions they get most.</p>
      {/* biome-ignore lint/a11y/useSemanticElements: role=search on the form is the search landmark every screen reader knows; <search> is too new for some. */}
      <form class="search" method="get" action="/kb" role="search">
        <label for="kbq">Search the help articles</label>
        <div class="search-row">
          <input type="search" id="kbq" name="q" value={query} autocomplete="off" maxlength={200} placeholder="e.g. vpn keeps dropping, payslip, contraseña" />
          <button type="submit">Search</button>
        </div>
      </form>
      {query ? (
        <p class="muted" role="status">
          {hits.length ? `${hits.length} article${hits.length === 1 ? '' : 's'} for “${query}”.` : `No article matches “${query}”.`}
        </p>
      ) : null}
      {query && hits.length === 0 ? (
        <p class="empty">
          Something else? <a href="/">Ask the service desk</a>: pick the kind of request and a person will answer.
        </p>
      ) : null}
      <ul class="types">
        {hits.map((hit) => (
          <li class="type" lang={hit.lang}>
            <h2 class="kb-title">
              <a href={`/kb/${hit.slug}`}>{hit.title}</a>
            </h2>
            <p>
              <Highlighted text={hit.marked} />
            </p>
          </li>
        ))}
      </ul>
      {query && hits.length ? (
        <p class="muted">
          Not what you need? <a href="/">Ask the service desk</a>.
        </p>
      ) : null}
    </Layout>
  );
}

export function ArticlePage({ article }: { article: ArticleView }) {
  return (
    <Layout title={article.title}>
      <p class="crumbs">
        <a href="/kb">Help articles</a>
      </p>
      <article lang={article.lang} class="article">
        <h1>{article.title}</h1>
        {raw(article.html)}
      </article>
      <p class="muted">
        Didn’t solve it? <a href="/">Ask the service desk</a>.
      </p>
    </Layout>
  );
}

export function SolvedPage({ title, slug }: { title: string; slug: string }) {
  return (
    <Layout title="Glad that helped">
      <h1>Glad that helped</h1>
      <p class="lead" role="status">
        Nothing was filed. “<a href={`/kb/${slug}`}>{title}</a>” answered it.
      </p>
      <p>
        Not solved after all? <a href="/">Ask the service desk</a>.
      </p>
    </Layout>
  );
}
