import type { TicketView } from '../../core/view.ts';
import { SignedInBar } from './auth-views.tsx';
import { channelLabel, statusLabel } from '../../present/labels.ts';
import { Layout } from './views/layout.tsx';

/** A signed-in employee's requests, from every channel, each linking its ticket page. */
export function MyRequestsPage(props: { who: string; desk: boolean; tickets: Array<{ ticket: TicketView; href: string }> }) {
  return (
    <Layout title="My requests">
      <SignedInBar who={props.who} desk={props.desk} />
      <h1>My requests</h1>
      {props.tickets.length ? (
        <ul class="types my-requests">
          {props.tickets.map(({ ticket, href }) => (
            <li class="type">
              <a href={href}>
                <span class="key">{ticket.key}</span> {ticket.title}
              </a>
              <p class="muted small">
                <span class={`status status-${ticket.status}`}>{statusLabel(ticket.status, 'requester')}</span> · from {channelLabel(ticket.origin)} · {ticket.assignee ? `with ${ticket.assignee.name ?? ticket.assignee.email}` : 'not assigned yet'}
              </p>
            </li>
          ))}
        </ul>
      ) : (
        <p class="empty">You have no requests yet.</p>
      )}
      <p>
        <a href="/">Open a new request</a>
      </p>
    </Layout>
  );
}
