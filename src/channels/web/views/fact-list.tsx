import type { Child } from 'hono/jsx';
import type { TicketScreen } from '../../../present/ticket.ts';

/** The ticket's facts (status as its coloured label), label and value, then any rows a page adds. */
export function FactList({ screen, children }: { screen: TicketScreen; children?: Child }) {
  return (
    <dl class="facts">
      {screen.facts.map((fact) => (
        <div>
          <dt>{fact.label}</dt>
          <dd>{fact.id === 'status' ? <span class={`status status-${screen.status.value}`}>{fact.value}</span> : fact.value}</dd>
        </div>
      ))}
      {children}
    </dl>
  );
}
