import { timingSafeEqual } from 'node:crypto';
import { and, eq, isNotNull, sql, type SQL } from 'drizzle-orm';
import { Hono, type Context } from 'hono';
import type { Db } from '../db/client.ts';
import { directoryGroups, people, type Person } from '../db/schema.ts';
import type { Logger } from '../logger.ts';
import { resourceTypes, schemas, serviceProviderConfig } from './discovery.ts';
import { ScimError, scimErrorResponse, scimJson } from './errors.ts';
import { findGroup, groupResource, membersOf, parseGroup, removeGroup, writeGroup } from './groups.ts';
import { listQuery, listResponse, matches, simpleEquality, type ListQuery } from './list.ts';
import { applyPatch } from './patch.ts';
import { findUser, managerScimIdOf, parseUser, removeUser, userResource, writeUser } from './users.ts';

/** Directories are small; past this many, only the indexed `eq` filters are answered. */
const MAX_SCAN = 20_000;

export interface ScimOptions {
  db: Db;
  token: string;
  publicUrl: string;
  now: () => Date;
  logger: Logger;
}

/**
 * SCIM 2.0 (RFC 7643/7644) for Entra ID and Okta provisioning: /Users and /Groups with
 * create, get, list + filter, replace, PATCH and delete, plus the discovery endpoints.
 * Mounted at /scim/v2 only when SCIM_TOKEN is set.
 */
export function scimApp(options: ScimOptions): Hono {
  const { db, now } = options;
  const base = `${options.publicUrl}/scim/v2`;
  const app = new Hono();
  const expected = Buffer.from(`Bearer ${options.token}`);

  app.use('*', async (c, next) => {
    const given = Buffer.from(c.req.header('authorization') ?? '');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      c.header('www-authenticate', 'Bearer realm="scim"');
      throw new ScimError(401, 'a valid bearer token is required');
    }
    await next();
  });
  app.onError((error, c) => {
    if (error instanceof ScimError) return scimErrorResponse(c, error);
    options.logger.error({ err: error, path: c.req.path }, 'scim request failed');
    return scimErrorResponse(c, new ScimError(500, 'internal error'));
  });
  app.notFound((c) => scimErrorResponse(c, new ScimError(404, `no SCIM endpoint ${c.req.method} ${c.req.path}`)));

  app.get('/ServiceProviderConfig', (c) => scimJson(c, serviceProviderConfig(base)));
  app.get('/ResourceTypes', (c) => scimJson(c, resourceTypes(base)));
  app.get('/ResourceTypes/:id', (c) => one(c, resourceTypes(base).Resources, c.req.param('id')));
  app.get('/Schemas', (c) => scimJson(c, schemas(base)));
  app.get('/Schemas/:id', (c) => one(c, schemas(base).Resources, c.req.param('id')));

  // ---- Users ----------------------------------------------------------------------------
  const userOut = async (person: Person) => userResource(person, base, await managerScimIdOf(db, person));

  app.get('/Users', async (c) => {
    const query = listQuery(c.req.query());
    const equality = simpleEquality(query.filter, ['userName', 'externalId', 'id']);
    const where: SQL[] = [isNotNull(people.scimId)];
    if (equality?.attribute === 'userName') where.push(sql`lower(${people.scim}->>'userName') = ${equality.value.toLowerCase()}`);
    if (equality?.attribute === 'externalId') where.push(eq(people.externalId, equality.value));
    if (equality?.attribute === 'id') where.push(eq(people.scimId, equality.value));
    const rows = await db.select().from(people).where(and(...where)).orderBy(people.id).limit(MAX_SCAN);
    // Managers are directory users too: resolve their ids from the same rows, no query per user.
    const scimIds = new Map(rows.map((r) => [r.id, r.scimId]));
    const resources = await Promise.all(rows.map(async (p) => userResource(p, base, p.managerId === null ? null : scimIds.has(p.managerId) ? scimIds.get(p.managerId)! : await managerScimIdOf(db, p))));
    return scimJson(c, page(resources.filter(equality ? () => true : matches(query.filter)), query));
  });

  app.post('/Users', async (c) => {
    const person = await writeUser(db, parseUser(await body(c)), undefined, now());
    const resource = await userOut(person);
    c.header('location', `${base}/Users/${person.scimId}`);
    return scimJson(c, resource, 201);
  });
  app.get('/Users/:id', async (c) => scimJson(c, await userOut(await findUser(db, c.req.param('id')))));
  app.put('/Users/:id', async (c) => {
    const existing = await findUser(db, c.req.param('id'));
    return scimJson(c, await userOut(await writeUser(db, parseUser(await body(c)), existing, now())));
  });
  app.patch('/Users/:id', async (c) => {
    const existing = await findUser(db, c.req.param('id'));
    const patched = applyPatch(await userOut(existing), await body(c));
    return scimJson(c, await userOut(await writeUser(db, parseUser(patched), existing, now())));
  });
  app.delete('/Users/:id', async (c) => {
    await removeUser(db, await findUser(db, c.req.param('id')), now());
    return c.body(null, 204);
  });

  // ---- Groups ---------------------------------------------------------------------------
  app.get('/Groups', async (c) => {
    const query = listQuery(c.req.query());
    const equality = simpleEquality(query.filter, ['displayName', 'externalId', 'id']);
    const where: SQL | undefined =
      equality?.attribute === 'displayName'
        ? eq(directoryGroups.displayName, equality.value)
        : equality?.attribute === 'externalId'
          ? eq(directoryGroups.externalId, equality.value)
          : equality?.attribute === 'id'
            ? eq(directoryGroups.id, equality.value)
            : undefined;
    const rows = await db.select().from(directoryGroups).where(where).orderBy(directoryGroups.createdAt, directoryGroups.id).limit(MAX_SCAN);
    // Members are needed to answer a filter on them, or to show them.
    const withMembers = !query.excluded.has('members') || (!equality && query.filter !== null);
    const members = withMembers ? await membersOf(db, rows.map((g) => g.id)) : null;
    let resources = rows.map((g) => groupResource(g, members?.get(g.id) ?? null, base));
    if (!equality) resources = resources.filter(matches(query.filter));
    if (query.excluded.has('members')) resources = resources.map(({ members: _members, ...rest }) => rest);
    return scimJson(c, page(resources, query));
  });
  const groupOut = async (id: string, excluded: Set<string> = new Set()) => {
    const group = await findGroup(db, id);
    return groupResource(group, excluded.has('members') ? null : ((await membersOf(db, [id])).get(id) ?? []), base);
  };
  app.post('/Groups', async (c) => {
    const group = await writeGroup(db, parseGroup(await body(c)), undefined, now());
    c.header('location', `${base}/Groups/${group.id}`);
    return scimJson(c, await groupOut(group.id), 201);
  });
  app.get('/Groups/:id', async (c) => scimJson(c, await groupOut(c.req.param('id'), listQuery(c.req.query()).excluded)));
  app.put('/Groups/:id', async (c) => {
    const existing = await findGroup(db, c.req.param('id'));
    await writeGroup(db, parseGroup(await body(c)), existing, now());
    return scimJson(c, await groupOut(existing.id));
  });
  app.patch('/Groups/:id', async (c) => {
    const existing = await findGroup(db, c.req.param('id'));
    const patched = applyPatch(await groupOut(existing.id), await body(c));
    await writeGroup(db, parseGroup(patched), existing, now());
    return scimJson(c, await groupOut(existing.id));
  });
  app.delete('/Groups/:id', async (c) => {
    await removeGroup(db, c.req.param('id'));
    return c.body(null, 204);
  });
  return app;
}

function page(resources: Array<Record<string, unknown>>, query: ListQuery) {
  const slice = resources.slice(query.startIndex - 1, query.startIndex - 1 + query.count);
  return listResponse(slice, resources.length, query.startIndex);
}

function one(c: Context, items: Array<{ id: string }>, id: string) {
  const found = items.find((item) => item.id === id);
  if (!found) throw new ScimError(404, `no ${id}`);
  return scimJson(c, found);
}

/** The JSON body (application/scim+json or application/json); anything else is invalidSyntax. */
async function body(c: Context): Promise<unknown> {
  const text = await c.req.text();
  try {
    return JSON.parse(text);
  } catch {
    throw new ScimError(400, 'the body is not JSON', 'invalidSyntax');
  }
}
