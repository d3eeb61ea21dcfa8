import type { Catalog } from './catalog.ts';
import type { TicketView } from './view.ts';

/**
 * Canned replies from the catalog (`macros`), their variables filled for one ticket:
 * {{requester.first_name}}, {{requester.name}}, {{requester.email}}, {{ticket.key}},
 * {{ticket.title}}, {{ticket.status}}, {{ticket.priority}}, {{ticket.queue}},
 * {{assignee.name}}, {{agent.name}}, {{agent.first_name}}. An unknown variable stays as written,
 * so a typo in the catalog shows instead of vanishing.
 */
export interface MacroPerson {
  email: string;
  name: string | null;
}

export function macroList(catalog: Pick<Catalog, 'macros'>): Array<{ key: string; title: string }> {
  return Object.entries(catalog.macros ?? {}).map(([key, macro]) => ({ key, title: macro.title }));
}

const firstName = (p: MacroPerson | null | undefined) => {
  if (!p) return '';
  const name = p.name?.trim();
  if (name) return name.split(/\s+/)[0]!;
  const local = p.email.split('@')[0] ?? '';
  const first = local.split(/[._-]/)[0] ?? local;
  return first.charAt(0).toUpperCase() + first.slice(1);
};

export function macroVariables(ticket: TicketView, agent: MacroPerson | null): Record<string, string> {
  return {
    'requester.first_name': firstName(ticket.requester),
    'requester.name': ticket.requester.name ?? ticket.requester.email,
    'requester.email': ticket.requester.email,
    'ticket.key': ticket.key,
    'ticket.title': ticket.title,
    'ticket.status': ticket.status.replace(/_/g, ' '),
    'ticket.priority': ticket.priority,
    'ticket.queue': ticket.queue,
    'assignee.name': ticket.assignee ? (ticket.assignee.name ?? ticket.assignee.email) : '',
    'agent.name': agent ? (agent.name ?? agent.email) : '',
    'agent.first_name': firstName(agent),
  };
}

export function fillTemplate(body: string, variables: Record<string, string>): string {
  return body.replace(/\{\{\s*([a-z_]+\.[a-z_]+)\s*\}\}/g, (whole, name: string) => variables[name] ?? whole);
}

/** The macro's body filled for this ticket, or null when the catalog has no such macro. */
export function fillMacro(catalog: Pick<Catalog, 'macros'>, key: string, ticket: TicketView, agent: MacroPerson | null): string | null {
  const macro = catalog.macros?.[key];
  return macro ? fillTemplate(macro.body, macroVariables(ticket, agent)) : null;
}
