import type { QueueCounts } from '../../core/desk-summary.ts';
import { PRIORITIES } from '../../core/catalog.ts';
import { STATUSES } from '../../core/status.ts';
import type { TicketView } from '../../core/view.ts';
import { SignedInBar } from './auth-views.tsx';
import { Layout } from './views/layout.tsx';
import { channelLabel, statusLabel } from '../../present/labels.ts';

export interface DeskRow {
  ticket: TicketView;
  sla: string;
  snippet?: string | undefined;
}

export interface DeskQueue {
  key: string;
  name: string;
  role: string;
  counts: QueueCounts;
  next: DeskRow[];
}

const listHref = (params: Record<string, string>) => `/desk/tickets?${new URLSearchParams(params).toString()}`;

function Flash({ text }: { text?: string | undefined }) {
  return text ? (
    <p class="notice ok" role="status">
      {text}
    </p>
  ) : null;
}

function SearchBox({ value }: { value?: string }) {
  return (
    // biome-ignore lint/a11y/useSemanticElements: role=search on the form is the search landmark every screen reader knows; <search> is too new for some.
    <form method="get" action="/desk/tickets" class="desk-search" role="search">
      <label for="desk-q">Search tickets</label>{' '}
      <input id="desk-q" name="q" type="search" value={value ?? ''} placeholder="A word, a phrase in quotes, or a key like IT-42" maxlength={200} />{' '}
      <button type="submit">Search</button>
    </form>
  );
}

/** A ticket in a list: the link j/k move through, then the facts an agent triages by. */
function Row({ row }: { row: DeskRow }) {
  const t = row.ticket;
  return (
    <li class="desk-row" data-key={t.key}>
      <a class="row-link" href={`/desk/t/${encodeURIComponent(t.key)}`}>
        <span class="key">{t.key}</span> {t.title}
      </a>
      <p class="muted small">
        <span class={`status status-${t.status}`}>{statusLabel(t.status, 'desk')}</span> · {t.priority} · {t.assignee ? (t.assignee.name ?? t.assignee.email) : 'unassigned'} · {t.requester.name ?? t.requester.email} · via {channelLabel(t.origin)} · <span class="sla-inline">{row.sla}</span>
      </p>
      {row.snippet ? <Snippet text={row.snippet} /> : null}
    </li>
  );
}

/** ts_headline's passage with its hits (between \u0001 and \u0002) marked; all text escaped by JSX. */
export function Snippet({ text }: { text: string }) {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: \u0001/\u0002 are the highlight markers ts_headline is asked to use.
  const parts = text.split(/(\u0001[^\u0002]*\u0002)/);
  return (
    <p class="snippet">
      {parts.map((part) => (part.startsWith('\u0001') ? <mark>{part.slice(1, -1)}</mark> : part))}
    </p>
  );
}

/** GET /desk: per queue the agent works, what needs doing now, each count a link to its list. */
export function DeskHomePage({ who, queues, away, token, flash }: { who: string; queues: DeskQueue[]; away: boolean; token: string; flash?: string | undefined }) {
  return (
    <Layout title="Desk" deskScript>
      <SignedInBar who={who} desk />
      <h1>Your queues</h1>
      <Flash text={flash} />
      <form method="post" action="/desk/availability" class="availability">
        <input type="hidden" name="token" value={token} />
        <input type="hidden" name="away" value={away ? 'false' : 'true'} />
        <span>{away ? 'You are away: new tickets go to the others.' : 'You are available for new tickets.'}</span> <button type="submit">{away ? 'I am back' : 'Mark me away'}</button>
      </form>
      <SearchBox />
      <div id="desk-live" data-live="desk" aria-live="polite" class="live-note muted small"></div>
      <div id="desk-results">
        {queues.map((queue) => {
          const c = queue.counts;
          const links: Array<[string, number, Record<string, string>]> = [
            ['Unassigned', c.unassigned, { queue: queue.key, assignee: 'none' }],
            ['Mine', c.mine, { queue: queue.key, assignee: 'me' }],
            ['Due within a business hour', c.dueSoon, { queue: queue.key, due: 'soon' }],
            ['Breached', c.breached, { queue: queue.key, due: 'breached' }],
            ['Waiting on requester', c.waiting, { queue: queue.key, status: 'waiting_on_requester' }],
          ];
          if ((STATUSES as readonly string[]).includes('awaiting_approval')) links.push(['Awaiting approval', c.awaitingApproval, { queue: queue.key, status: 'awaiting_approval' }]);
          return (
            <section aria-labelledby={`q-${queue.key}`} class="desk-queue">
              <h2 id={`q-${queue.key}`}>
                {queue.name} <span class="muted small">({queue.key} · {queue.role})</span>
              </h2>
              <ul class="desk-counts">
                {links.map(([label, count, params]) => (
                  <li class={count && (label === 'Breached' || label.startsWith('Due')) ? 'hot' : undefined}>
                    <a href={listHref(params)}>
                      <span class="count">{String(count)}</span> <span class="what">{label}</span>
                    </a>
                  </li>
                ))}
              </ul>
              <h3 class="small">
                Next up <span class="muted">({c.open} need work · <a href={listHref({ queue: queue.key })}>all of them</a>)</span>
              </h3>
              {queue.next.length ? (
                <ol class="desk-list">
                  {queue.next.map((row) => (
                    <Row row={row} />
                  ))}
                </ol>
              ) : (
                <p class="empty">Nothing open.</p>
              )}
            </section>
          );
        })}
      </div>
    </Layout>
  );
}

export interface ListQueryView {
  queue: string;
  status: string;
  assignee: string;
  requester: string;
  priority: string;
  channel: string;
  q: string;
  sort: string;
  due: string;
}

function Select({ id, name, label, value, options }: { id: string; name: string; label: string; value: string; options: Array<[string, string]> }) {
  return (
    <div class="field inline-field">
      <label for={id}>{label}</label>
      <select id={id} name={name}>
        {options.map(([v, text]) => (
          <option value={v} selected={v === value}>
            {text}
          </option>
        ))}
      </select>
    </div>
  );
}

/** GET /desk/tickets: filters, sort, search with highlighted passages, keyset "next page". */
export function DeskListPage(props: { who: string; queues: Array<{ key: string; name: string }>; query: ListQueryView; rows: DeskRow[]; nextHref: string | null; error?: string | undefined }) {
  const { query } = props;
  const searching = query.q.trim() !== '';
  return (
    <Layout title={searching ? `Search: ${query.q}` : 'Tickets'} deskScript>
      <SignedInBar who={props.who} desk />
      <p class="crumbs">
        <a href="/desk">Desk</a> › Tickets
      </p>
      <h1>{searching ? `Tickets matching “${query.q}”` : 'Tickets'}</h1>
      {props.error ? (
        <div class="error-summary" role="alert">
          <p>{props.error}</p>
        </div>
      ) : null}
      {/* biome-ignore lint/a11y/useSemanticElements: role=search on the form is the search landmark every screen reader knows; <search> is too new for some. */}
      <form method="get" action="/desk/tickets" class="desk-filters" role="search">
        <div class="field inline-field">
          <label for="desk-q">Search</label>
          <input id="desk-q" name="q" type="search" value={query.q} maxlength={200} />
        </div>
        <Select id="f-queue" name="queue" label="Queue" value={query.queue} options={[['', 'All my queues'], ...props.queues.map((q): [string, string] => [q.key, q.name])]} />
        <Select id="f-status" name="status" label="Status" value={query.status} options={[['', 'Needs work'], ['all', 'Any'], ...STATUSES.map((s): [string, string] => [s, statusLabel(s, 'desk')])]} />
        <Select id="f-assignee" name="assignee" label="Assignee" value={query.assignee} options={[['', 'Anyone'], ['me', 'Me'], ['none', 'Nobody']]} />
        <Select id="f-priority" name="priority" label="Priority" value={query.priority} options={[['', 'Any'], ...PRIORITIES.map((p): [string, string] => [p, p])]} />
        <Select id="f-channel" name="channel" label="Came from" value={query.channel} options={[['', 'Anywhere'], ...['slack', 'teams', 'email', 'web', 'api'].map((c): [string, string] => [c, channelLabel(c)])]} />
        <Select id="f-due" name="due" label="SLA" value={query.due} options={[['', 'Any'], ['soon', 'Due within a business hour'], ['breached', 'Breached']]} />
        <div class="field inline-field">
          <label for="f-requester">Requester email</label>
          <input id="f-requester" name="requester" type="email" value={query.requester} />
        </div>
        <Select id="f-sort" name="sort" label="Sort by" value={query.sort} options={[...(searching ? [['rank', 'Best match'] as [string, string]] : []), ['due', 'SLA due'], ['updated', 'Last updated'], ['created', 'Newest']]} />
        <button type="submit">Show</button>
      </form>
      <div id="desk-live" data-live="list" aria-live="polite" class="live-note muted small"></div>
      <div id="desk-results">
        {props.rows.length ? (
          <ol class="desk-list" aria-label="Tickets">
            {props.rows.map((row) => (
              <Row row={row} />
            ))}
          </ol>
        ) : (
          <p class="empty">{searching ? 'No ticket matches that search.' : 'No tickets match these filters.'}</p>
        )}
        {props.nextHref ? (
          <p>
            <a rel="next" href={props.nextHref}>
              Next page
            </a>
          </p>
        ) : null}
      </div>
      <p class="muted small keys-help">With JavaScript on: j and k move through the list, Enter opens a ticket, r replies on a ticket.</p>
    </Layout>
  );
}

export function DeskForbiddenPage({ who, message }: { who: string; message: string }) {
  return (
    <Layout title="Not allowed">
      <SignedInBar who={who} />
      <h1>Not allowed</h1>
      <p class="lead" role="alert">
        {message}
      </p>
      <p>
        <a href="/my">Your requests</a>
      </p>
    </Layout>
  );
}
