import type { Catalog } from './catalog.ts';
import type { TicketView } from './view.ts';

// Catalog macros: canned replies agents pick from, with {{variables}} filled from the ticket.
// One function for every door (Slack and Teams Reply, the desk's ticket page).

/** What a macro's variables are filled from. */
export interface MacroContext {
  ticket: { key: string; title: string; status?: string; priority?: string; queue?: string; type?: string };
  requester: { email: string; name: string | null };
  /** The agent who inserts the macro. */
  agent?: { email: string; name: string | null } | null;
  /** The queue's display name. */
  queueName?: string;
  /** Who the ticket is assigned to, if anyone. */
  assignee?: { email: string; name: string | null } | null;
}

const VARIABLE = /\{\{\s*([a-z_]+(?:\.[a-z_]+)*)\s*\}\}/g;

/** A person's first name: the first word of their name, else the first part of their email's local part, capitalised. */
export function firstName(person: { email: string; name: string | null }): string {
  const fromName = person.name?.trim().split(/\s+/)[0];
  if (fromName) return fromName;
  const local = person.email.split('@')[0]?.split(/[._+-]/)[0] ?? '';
  return local ? local.charAt(0).toUpperCase() + local.slice(1) : person.email;
}

/**
 * The macro body with its variables filled. An unknown variable, or one with no value here
 * (no agent), is left as typed, so the agent sees it before sending.
 */
export function fillMacro(body: string, context: MacroContext): string {
  const values: Record<string, string | undefined> = {
    'requester.first_name': firstName(context.requester),
    'requester.name': context.requester.name ?? context.requester.email,
    'requester.email': context.requester.email,
    'agent.first_name': context.agent ? firstName(context.agent) : undefined,
    'agent.name': context.agent ? (context.agent.name ?? context.agent.email) : undefined,
    'agent.email': context.agent?.email,
    'ticket.key': context.ticket.key,
    'ticket.title': context.ticket.title,
    'ticket.status': context.ticket.status,
    'ticket.priority': context.ticket.priority,
    'queue.name': context.queueName ?? context.ticket.queue,
    'ticket.queue': context.ticket.queue,
    'assignee.name': context.assignee ? (context.assignee.name ?? context.assignee.email) : undefined,
  };
  return body.replace(VARIABLE, (whole, name: string) => values[name] ?? whole);
}

/** The catalog's macros as a list, for pickers: key, title, body. */
export function macroList(catalog: Pick<Catalog, 'macros'>): Array<{ key: string; title: string; body: string }> {
  return Object.entries(catalog.macros).map(([key, macro]) => ({ key, title: macro.title, body: macro.body }));
}

/** A reply draft with something inserted: a new paragraph after what is already written. */
export function insertIntoReply(draft: string, addition: string): string {
  const before = draft.trimEnd();
  return before ? `${before}\n\n${addition}` : addition;
}

/** How an article goes into a reply: its title and the link to its public page. */
export function articleReplyText(article: { title: string; url: string }): string {
  return `${article.title}: ${article.url}`;
}

/** A catalog macro filled for one ticket (the desk's ticket page), or null when there is no such macro. */
export function fillCatalogMacro(
  catalog: Pick<Catalog, 'macros'>,
  key: string,
  ticket: TicketView,
  agent: { email: string; name: string | null } | null,
): string | null {
  // Own keys only: "constructor" or "__proto__" from a query string is no macro.
  const macro = catalog.macros && Object.hasOwn(catalog.macros, key) ? catalog.macros[key] : undefined;
  if (!macro) return null;
  return fillMacro(macro.body, {
    ticket: { key: ticket.key, title: ticket.title, status: ticket.status.replace(/_/g, ' '), priority: ticket.priority, queue: ticket.queue },
    requester: ticket.requester,
    agent,
    assignee: ticket.assignee,
  });
}
