import type { Tx } from '../db/client.ts';
import { preparedRows, rowFromJson } from '../db/prepared.ts';
import { people, queues, requestTypes, type Person, type Queue, type RequestType } from '../db/schema.ts';
import type { MirrorContext } from './mirror.ts';

export interface IntakeFacts {
  type: RequestType | null;
  queue: Queue | null;
  /** Null when not asked for, or when a concurrent create of the same new person won the insert (then upsert). */
  requester: Person | null;
  webhooks: MirrorContext['webhooks'];
}

/**
 * What a create must know before it writes, in one prepared statement: the request type and its
 * queue, the requester (inserted when new; an existing row is not written), and the webhook
 * subscriptions when webhooks are on. These were four statements of the query builder, a good
 * part of a create's CPU.
 */
export async function intakeFacts(tx: Tx, input: { type: string; requesterEmail: string | null; webhooks: boolean }): Promise<IntakeFacts> {
  const person = input.requesterEmail !== null;
  const text = `
    ${person ? 'with person_new as (insert into people (email) values ($3::text) on conflict (email) do nothing returning *)' : ''}
    select
      (select to_jsonb(rt) from request_types rt where rt.key = $1::text) as type,
      (select to_jsonb(q) from request_types rt join queues q on q.key = rt.queue_key where rt.key = $1::text) as queue,
      ${person ? 'coalesce((select to_jsonb(pn) from person_new pn), (select to_jsonb(p) from people p where p.email = $3::text))' : 'null::jsonb'} as person,
      case when $2::boolean then (
        select coalesce(jsonb_agg(jsonb_build_object('id', w.id, 'events', w.events, 'includeInternal', w.include_internal) order by w.id), '[]'::jsonb)
        from webhook_subscriptions w where w.active
      ) else '[]'::jsonb end as webhooks`;
  const params: unknown[] = [input.type, input.webhooks, ...(person ? [input.requesterEmail] : [])];
  const [row] = await preparedRows<{ type: unknown; queue: unknown; person: unknown; webhooks: unknown }>(tx, text, params);
  const webhooks = (typeof row!.webhooks === 'string' ? JSON.parse(row!.webhooks) : row!.webhooks) as MirrorContext['webhooks'];
  return {
    type: row!.type ? rowFromJson(requestTypes, row!.type) : null,
    queue: row!.queue ? rowFromJson(queues, row!.queue) : null,
    requester: row!.person ? rowFromJson(people, row!.person) : null,
    webhooks,
  };
}
