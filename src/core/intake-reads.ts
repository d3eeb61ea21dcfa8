import type { Conn } from '../db/client.ts';
import { preparedRows, rowFromJson } from '../db/prepared.ts';
import { people, queues, requestTypes, type Person, type Queue, type RequestType } from '../db/schema.ts';
import type { MirrorContext } from './mirror.ts';

export interface IntakeFacts {
  type: RequestType | null;
  queue: Queue | null;
  /** Null for someone not known yet. */
  requester: Person | null;
  webhooks: MirrorContext['webhooks'];
}

/**
 * What a create must know before it writes, in one prepared statement: the request type and its
 * queue, the requester's row when they are known, and the webhook subscriptions when webhooks are
 * on. These were four statements of the query builder, a good part of a create's CPU. Nothing is
 * written here: a request refused for its fields leaves no trace.
 */
export async function intakeFacts(conn: Conn, input: { type: string; requesterEmail: string; webhooks: boolean }): Promise<IntakeFacts> {
  const text = `
    select
      (select to_jsonb(rt) from request_types rt where rt.key = $1::text) as type,
      (select to_jsonb(q) from request_types rt join queues q on q.key = rt.queue_key where rt.key = $1::text) as queue,
      (select to_jsonb(p) from people p where p.email = $3::text) as person,
      case when $2::boolean then (
        select coalesce(jsonb_agg(jsonb_build_object('id', w.id, 'events', w.events, 'includeInternal', w.include_internal) order by w.id), '[]'::jsonb)
        from webhook_subscriptions w where w.active
      ) else '[]'::jsonb end as webhooks`;
  const [row] = await preparedRows<{ type: unknown; queue: unknown; person: unknown; webhooks: unknown }>(conn, text, [input.type, input.webhooks, input.requesterEmail]);
  const webhooks = (typeof row!.webhooks === 'string' ? JSON.parse(row!.webhooks) : row!.webhooks) as MirrorContext['webhooks'];
  return {
    type: row!.type ? rowFromJson(requestTypes, row!.type) : null,
    queue: row!.queue ? rowFromJson(queues, row!.queue) : null,
    requester: row!.person ? rowFromJson(people, row!.person) : null,
    webhooks,
  };
}
