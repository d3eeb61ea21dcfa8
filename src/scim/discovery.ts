import { ENTERPRISE, GROUP_SCHEMA, LIST_SCHEMA, USER_SCHEMA } from './schemas.ts';

/** RFC 7643 §5: what this endpoint supports (PATCH and filter yes; bulk, sort, ETags, password no). */
export function serviceProviderConfig(baseUrl: string) {
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'],
    documentationUri: `${baseUrl.replace(/\/scim\/v2$/, '')}/`,
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: 200 },
    changePassword: { supported: false },
    sort: { supported: false },
    etag: { supported: false },
    authenticationSchemes: [{ type: 'oauthbearertoken', name: 'Bearer token', description: 'Authorization: Bearer <SCIM_TOKEN>', primary: true }],
    meta: { resourceType: 'ServiceProviderConfig', location: `${baseUrl}/ServiceProviderConfig` },
  };
}

export function resourceTypes(baseUrl: string) {
  const items = [
    { schemas: ['urn:ietf:params:scim:schemas:core:2.0:ResourceType'], id: 'User', name: 'User', endpoint: '/Users', schema: USER_SCHEMA, schemaExtensions: [{ schema: ENTERPRISE, required: false }], meta: { resourceType: 'ResourceType', location: `${baseUrl}/ResourceTypes/User` } },
    { schemas: ['urn:ietf:params:scim:schemas:core:2.0:ResourceType'], id: 'Group', name: 'Group', endpoint: '/Groups', schema: GROUP_SCHEMA, meta: { resourceType: 'ResourceType', location: `${baseUrl}/ResourceTypes/Group` } },
  ];
  return { schemas: [LIST_SCHEMA], totalResults: items.length, startIndex: 1, itemsPerPage: items.length, Resources: items };
}

const attr = (name: string, type = 'string', extra: Record<string, unknown> = {}) => ({ name, type, multiValued: false, required: false, caseExact: false, mutability: 'readWrite', returned: 'default', uniqueness: 'none', ...extra });

/** The attributes we read (others are stored as sent and returned unchanged). */
export function schemas(baseUrl: string) {
  const items = [
    {
      id: USER_SCHEMA,
      name: 'User',
      attributes: [
        attr('userName', 'string', { required: true, uniqueness: 'server' }),
        attr('externalId', 'string', { caseExact: true }),
        attr('displayName'),
        attr('name', 'complex', { subAttributes: [attr('formatted'), attr('givenName'), attr('familyName')] }),
        attr('emails', 'complex', { multiValued: true, subAttributes: [attr('value'), attr('type'), attr('primary', 'boolean')] }),
        attr('active', 'boolean'),
      ],
    },
    { id: ENTERPRISE, name: 'EnterpriseUser', attributes: [attr('department'), attr('manager', 'complex', { subAttributes: [attr('value'), attr('$ref', 'reference'), attr('displayName', 'string', { mutability: 'readOnly' })] })] },
    { id: GROUP_SCHEMA, name: 'Group', attributes: [attr('displayName', 'string', { required: true }), attr('members', 'complex', { multiValued: true, subAttributes: [attr('value'), attr('display', 'string', { mutability: 'readOnly' })] })] },
  ].map((s) => ({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:Schema'], ...s, meta: { resourceType: 'Schema', location: `${baseUrl}/Schemas/${s.id}` } }));
  return { schemas: [LIST_SCHEMA], totalResults: items.length, startIndex: 1, itemsPerPage: items.length, Resources: items };
}
