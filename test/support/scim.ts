import { expect } from 'vitest';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

/** Provisions a user over SCIM as an identity provider would (optionally with their manager's SCIM id); resolves with the new user's id. */
export async function scimUser(baseUrl: string, token: string, email: string, options: { managerId?: string | undefined; givenName?: string; familyName?: string } = {}): Promise<string> {
  const givenName = options.givenName ?? email.split('@')[0];
  const familyName = options.familyName ?? 'Test';
  const response = await fetch(`${baseUrl}/scim/v2/Users`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' },
    body: JSON.stringify({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE],
      userName: email,
      active: true,
      emails: [{ primary: true, type: 'work', value: email }],
      name: { givenName, familyName },
      displayName: `${givenName} ${familyName}`,
      ...(options.managerId ? { [ENTERPRISE]: { manager: { value: options.managerId } } } : {}),
    }),
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { id: string }).id;
}
