import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { directoryGroupMembers, people } from '../../src/db/schema.ts';
import { startTestService, type TestService } from '../support/service.ts';

const TOKEN = 'scim-test-token-0123456789';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

describe('SCIM 2.0 directory, as Entra ID and Okta provision it', () => {
  let service: TestService;
  beforeAll(async () => {
    service = await startTestService({ SCIM_TOKEN: TOKEN });
  });
  afterAll(async () => {
    await service?.stop();
  });

  async function scim(method: string, path: string, body?: unknown, token = TOKEN) {
    const response = await fetch(`${service.url}/scim/v2${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, accept: 'application/scim+json', ...(body === undefined ? {} : { 'content-type': 'application/scim+json' }) },
      body: body === undefined ? null : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, type: response.headers.get('content-type'), json: text ? JSON.parse(text) : null, headers: response.headers };
  }
  const personBy = async (email: string) => (await service.sb.database.db.select().from(people).where(eq(people.email, email)))[0];

  // Request bodies as Microsoft documents them ("Tutorial: Develop and plan provisioning for a SCIM endpoint").
  const entraUser = (n: string) => ({
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE],
    externalId: `0a21f0f2-8d2a-4f8e-bf98-7363c4aed4e${n}`,
    userName: `Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd${n}`,
    active: true,
    emails: [{ primary: true, type: 'work', value: `Test_User_fd0ea19b-0777-472c-9f96-4f70d2226f2${n}@testuser.com` }],
    meta: { resourceType: 'User' },
    name: { formatted: 'givenName familyName', familyName: 'familyName', givenName: 'givenName' },
    roles: [],
  });

  it('Entra ID: find by userName (none), create, find again, then PATCH with its quirks; the person row follows', async () => {
    const user = entraUser('1');
    const missing = await scim('GET', `/Users?filter=${encodeURIComponent(`userName eq "${user.userName}"`)}`);
    expect(missing.status).toBe(200);
    expect(missing.type).toMatch(/^application\/scim\+json/);
    expect(missing.json).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'], totalResults: 0, Resources: [] });

    const created = await scim('POST', '/Users', user);
    expect(created.status).toBe(201);
    const id = created.json.id as string;
    expect(created.headers.get('location')).toBe(`${service.url}/scim/v2/Users/${id}`);
    expect(created.json).toMatchObject({ userName: user.userName, externalId: user.externalId, active: true, meta: { resourceType: 'User' } });

    // userName is case-insensitive (RFC 7643 §4.1.1).
    const found = await scim('GET', `/Users?filter=${encodeURIComponent(`userName eq "${user.userName.toUpperCase()}"`)}`);
    expect(found.json.totalResults).toBe(1);
    expect(found.json.Resources[0].id).toBe(id);

    const again = await scim('POST', '/Users', user);
    expect(again.status).toBe(409);
    expect(again.json).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '409', scimType: 'uniqueness' });

    // Multi-valued path filter + single-valued path, op names capitalised as Entra sends them.
    const updated = await scim('PATCH', `/Users/${id}`, {
      schemas: [PATCH_OP],
      Operations: [
        { op: 'Replace', path: 'emails[type eq "work"].value', value: 'updatedEmail1@testuser.com' },
        { op: 'Replace', path: 'name.familyName', value: 'updatedFamilyName' },
      ],
    });
    expect(updated.status).toBe(200);
    expect(updated.json.emails[0].value).toBe('updatedEmail1@testuser.com');
    const person = await personBy('updatedemail1@testuser.com');
    expect(person).toMatchObject({ scimId: id, externalId: user.externalId, active: true });

    // Entra's non-compliant shapes: no path with an object value, and booleans as the string "False".
    const quirky = await scim('PATCH', `/Users/${id}`, { schemas: [PATCH_OP], Operations: [{ op: 'Replace', value: { active: 'False', [`${ENTERPRISE}:department`]: 'Finance' } }] });
    expect(quirky.status).toBe(200);
    expect(quirky.json).toMatchObject({ active: false, [ENTERPRISE]: { department: 'Finance' } });
    expect(await personBy('updatedemail1@testuser.com')).toMatchObject({ active: false, department: 'Finance' });

    const back = await scim('PATCH', `/Users/${id}`, { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'active', value: 'True' }] });
    expect(back.json.active).toBe(true);
    expect((await personBy('updatedemail1@testuser.com'))!.active).toBe(true);
  });

  it('Entra ID: the manager is set by the enterprise extension path with the bare id of another user, and removed again', async () => {
    const manager = (await scim('POST', '/Users', entraUser('2'))).json;
    const report = (await scim('POST', '/Users', entraUser('3'))).json;
    const set = await scim('PATCH', `/Users/${report.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'Add', path: `${ENTERPRISE}:manager`, value: manager.id }] });
    expect(set.status).toBe(200);
    expect(set.json[ENTERPRISE].manager).toMatchObject({ value: manager.id });
    // A filtered list (one row) still names the manager.
    const listed = await scim('GET', `/Users?filter=${encodeURIComponent(`userName eq "${report.userName}"`)}`);
    expect(listed.json.Resources[0][ENTERPRISE].manager.value).toBe(manager.id);
    const managerRow = await personBy(manager.emails[0].value.toLowerCase());
    const reportRow = await personBy(report.emails[0].value.toLowerCase());
    expect(reportRow!.managerId).toBe(managerRow!.id);

    const removed = await scim('PATCH', `/Users/${report.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'Remove', path: `${ENTERPRISE}:manager` }] });
    expect(removed.json[ENTERPRISE]?.manager).toBeUndefined();
    expect((await personBy(report.emails[0].value.toLowerCase()))!.managerId).toBeNull();
  });

  it('Entra ID groups: create, find by displayName without members, add and remove members; membership is stored', async () => {
    const member = (await scim('POST', '/Users', entraUser('4'))).json;
    const group = await scim('POST', '/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group', 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/Group'], externalId: '8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159', displayName: 'IT Service Desk', meta: { resourceType: 'Group' } });
    expect(group.status).toBe(201);
    const listed = await scim('GET', `/Groups?excludedAttributes=members&filter=${encodeURIComponent('displayName eq "IT Service Desk"')}`);
    expect(listed.json.totalResults).toBe(1);
    expect(listed.json.Resources[0]).not.toHaveProperty('members');

    const added = await scim('PATCH', `/Groups/${group.json.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'Add', path: 'members', value: [{ $ref: null, value: member.id }] }] });
    expect(added.status).toBe(200);
    expect(added.json.members).toEqual([expect.objectContaining({ value: member.id })]);
    const memberRow = await personBy(member.emails[0].value.toLowerCase());
    expect(await service.sb.database.db.select().from(directoryGroupMembers).where(eq(directoryGroupMembers.groupId, group.json.id))).toEqual([{ groupId: group.json.id, personId: memberRow!.id }]);

    const unknown = await scim('PATCH', `/Groups/${group.json.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'Add', path: 'members', value: [{ value: 'no-such-user' }] }] });
    expect(unknown.status).toBe(400);
    expect(unknown.json.scimType).toBe('invalidValue');

    const removed = await scim('PATCH', `/Groups/${group.json.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'Remove', path: 'members', value: [{ $ref: null, value: member.id }] }] });
    expect(removed.json.members).toEqual([]);
  });

  it('Okta: the user as Okta creates it (password dropped), listed with startIndex/count, replaced with PUT, deactivated with PATCH, then deleted', async () => {
    // Okta's documented Create User body ("SCIM 2.0 protocol reference").
    const okta = {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName: 'test.user@okta.local',
      name: { givenName: 'Test', familyName: 'User' },
      emails: [{ primary: true, value: 'test.user@okta.local', type: 'work' }],
      displayName: 'Test User',
      locale: 'en-US',
      externalId: '00ujl29u0le5T6Aj10h7',
      groups: [],
      password: '1mz050nq',
      active: true,
    };
    const exists = await scim('GET', `/Users?filter=${encodeURIComponent('userName eq "test.user@okta.local"')}&startIndex=1&count=100`);
    expect(exists.json).toMatchObject({ totalResults: 0, startIndex: 1 });
    const created = await scim('POST', '/Users', okta);
    expect(created.status).toBe(201);
    expect(created.json).not.toHaveProperty('password');
    const row = await personBy('test.user@okta.local');
    expect(row).toMatchObject({ name: 'Test User', externalId: '00ujl29u0le5T6Aj10h7' });
    expect(JSON.stringify(row!.scim)).not.toContain('1mz050nq');

    const paged = await scim('GET', '/Users?startIndex=2&count=2');
    expect(paged.json.startIndex).toBe(2);
    expect(paged.json.itemsPerPage).toBe(2);
    expect(paged.json.totalResults).toBeGreaterThanOrEqual(5);

    const put = await scim('PUT', `/Users/${created.json.id}`, { ...created.json, displayName: 'Test Q. User', [ENTERPRISE]: { department: 'Engineering' } });
    expect(put.status).toBe(200);
    expect(await personBy('test.user@okta.local')).toMatchObject({ name: 'Test Q. User', department: 'Engineering' });

    const deactivated = await scim('PATCH', `/Users/${created.json.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { active: false } }] });
    expect(deactivated.json.active).toBe(false);
    expect((await personBy('test.user@okta.local'))!.active).toBe(false);

    expect((await scim('DELETE', `/Users/${created.json.id}`)).status).toBe(204);
    expect((await scim('GET', `/Users/${created.json.id}`)).status).toBe(404);
    // Tickets may name the person: the row stays, deactivated.
    expect((await personBy('test.user@okta.local'))!.active).toBe(false);
  });

  it('Okta groups: members added, then removed by a value filter path', async () => {
    const user = (await scim('POST', '/Users', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'grp.user@okta.local', emails: [{ primary: true, value: 'grp.user@okta.local', type: 'work' }], active: true })).json;
    const group = (await scim('POST', '/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'Test SCIMv2', members: [] })).json;
    const renamed = await scim('PATCH', `/Groups/${group.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { id: group.id, displayName: 'Test SCIMv2 renamed' } }] });
    expect(renamed.json.displayName).toBe('Test SCIMv2 renamed');
    const added = await scim('PATCH', `/Groups/${group.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: user.id, display: 'grp.user@okta.local' }] }] });
    expect(added.json.members.map((m: { value: string }) => m.value)).toEqual([user.id]);
    const filtered = await scim('GET', `/Groups?filter=${encodeURIComponent(`members[value eq "${user.id}"]`)}`);
    expect(filtered.json.Resources.map((g: { id: string }) => g.id)).toEqual([group.id]);
    const removed = await scim('PATCH', `/Groups/${group.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'remove', path: `members[value eq "${user.id}"]` }] });
    expect(removed.json.members).toEqual([]);
  });

  it('a wrong or missing token is 401, bad input is a SCIM 400, and discovery documents what is supported', async () => {
    const wrong = await scim('GET', '/Users', undefined, 'not-the-token');
    expect(wrong.status).toBe(401);
    expect(wrong.json).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '401' });
    expect((await fetch(`${service.url}/scim/v2/Users`)).status).toBe(401);

    expect((await scim('GET', `/Users?filter=${encodeURIComponent('userName eq')}`)).json).toMatchObject({ status: '400', scimType: 'invalidFilter' });
    expect((await scim('POST', '/Users', '{not json')).json).toMatchObject({ status: '400', scimType: 'invalidSyntax' });
    expect((await scim('POST', '/Users', { schemas: [], userName: 'no-email-here' })).json).toMatchObject({ status: '400', scimType: 'invalidValue' });
    expect((await scim('PATCH', '/Users/nope', { schemas: [PATCH_OP], Operations: [] })).status).toBe(404);
    const user = (await scim('GET', '/Users?count=1')).json.Resources[0];
    expect((await scim('PATCH', `/Users/${user.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'move', path: 'active', value: true }] })).json).toMatchObject({ status: '400', scimType: 'invalidSyntax' });

    const config = await scim('GET', '/ServiceProviderConfig');
    expect(config.json).toMatchObject({ patch: { supported: true }, filter: { supported: true }, bulk: { supported: false } });
    expect((await scim('GET', '/ResourceTypes')).json.Resources.map((r: { id: string }) => r.id)).toEqual(['User', 'Group']);
    expect((await scim('GET', '/Schemas')).json.totalResults).toBe(3);
  });
});

