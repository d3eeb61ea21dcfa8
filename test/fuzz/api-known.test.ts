import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFuzzDesk } from './desk.ts';

/** The hostile inputs that once got a 500, one by one, and the Idempotency-Key contract. */
let desk: Awaited<ReturnType<typeof startFuzzDesk>>;
let key: string;
let typeKey: string;
const api = (path: string, init: { method?: string; body?: unknown; raw?: string; headers?: Record<string, string> } = {}) =>
  fetch(`${desk.sb.url}/api/v1${path}`, {
    method: init.method ?? (init.body !== undefined || init.raw !== undefined ? 'POST' : 'GET'),
    headers: { authorization: `Bearer ${desk.token}`, 'content-type': 'application/json', ...init.headers },
    ...(init.raw !== undefined ? { body: init.raw } : init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  });
const errorOf = async (response: Response) => ((await response.json()) as { error: { code: string; message: string } }).error;

beforeAll(async () => {
  desk = await startFuzzDesk();
  const catalog = (await (await api('/catalog')).json()) as { requestTypes: Array<{ key: string; fields: Array<{ required?: boolean }> }> };
  typeKey = catalog.requestTypes.find((t) => !t.fields.some((f) => f.required))!.key;
  const created = await api('/tickets', { body: { type: typeKey, title: 'Known cases', requester: { email: 'ada@example.test' } } });
  key = ((await created.json()) as { key: string }).key;
}, 120_000);
afterAll(async () => desk?.stop(), 60_000);

describe('hostile input the API once answered 500', () => {
  const ticket = (over: Record<string, unknown>) => ({ type: typeKey, title: 'ok', requester: { email: 'ada@example.test', name: 'Ada' }, ...over });

  it.each([
    ['NUL in a title', () => api('/tickets', { body: ticket({ title: 'a\u0000b' }) }), 'title'],
    ['NUL in a type', () => api('/tickets', { body: ticket({ type: 'q\u0000' }) }), 'type'],
    ['NUL in a name', () => api('/tickets', { body: ticket({ requester: { email: 'ada@example.test', name: 'A\u0000' } }) }), 'requester.name'],
    ['a lone surrogate in a title', () => api('/tickets', { body: ticket({ title: 'x\ud800' }) }), 'title'],
    ['NUL in a field value', () => api('/tickets', { body: ticket({ fields: { note: '\u0000' } }) }), 'fields.note'],
    ['NUL in a comment', () => api(`/tickets/${key}/comments`, { body: { body: 'hi\u0000', author: { email: 'ada@example.test' } } }), 'body'],
    ['NUL in a webhook URL', () => api('/webhooks', { body: { url: 'https://example.test/\u0000' } }), 'url'],
    ['NUL in the q filter', () => api('/tickets?q=%00'), 'q'],
    ['NUL in the queue filter', () => api('/tickets?queue=IT%00'), 'queue'],
  ])('%s is a 400 naming the field', async (_what, send, path) => {
    const response = await send();
    expect(response.status).toBe(400);
    const error = await errorOf(response);
    expect(error.code).toBe('invalid_request');
    expect(error.message.startsWith(`${path}:`) || error.message.includes(path)).toBe(true);
  });

  it('a list cursor past the integer range is a 400', async () => {
    const response = await api(`/tickets?cursor=${Buffer.from('t:99999999999').toString('base64url')}`);
    expect(response.status).toBe(400);
    expect((await errorOf(response)).message).toMatch(/cursor/);
  });

  it('an id past the integer range is a 400', async () => {
    const response = await api('/webhooks/2147483648', { method: 'DELETE' });
    expect(response.status).toBe(400);
    expect((await errorOf(response)).code).toBe('invalid_request');
  });

  it('a body that is not JSON is a 415 or 400 in the vocabulary', async () => {
    const multipart = await api('/tickets', { raw: '--x--', headers: { 'content-type': 'multipart/form-data' } });
    expect(multipart.status).toBe(415);
    expect((await errorOf(multipart)).code).toBe('unsupported_media_type');
    const broken = await api('/tickets', { raw: '{"title":' });
    expect(broken.status).toBe(400);
    expect((await errorOf(broken)).code).toBe('bad_request');
  });
});

describe('Idempotency-Key', () => {
  it('a repeat returns the first ticket; the same key with a different body is a 422 idempotency_key_reused', async () => {
    const headers = { 'idempotency-key': 'known-cases-1' };
    const first = await api('/tickets', { body: ticket1('Monitor flickers'), headers });
    expect(first.status).toBe(201);
    // Same body, keys in another order: a repeat.
    const again = await api('/tickets', { raw: JSON.stringify({ requester: { email: 'ada@example.test' }, title: 'Monitor flickers', type: typeKey }), headers });
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(((await again.json()) as { key: string }).key).toBe(((await first.json()) as { key: string }).key);
    const other = await api('/tickets', { body: ticket1('Keyboard missing keys'), headers });
    expect(other.status).toBe(422);
    expect((await errorOf(other)).code).toBe('idempotency_key_reused');
    // Another route with the same key is a different request too.
    const comment = await api(`/tickets/${key}/comments`, { body: { body: 'hello', author: { email: 'ada@example.test' } }, headers });
    expect(comment.status).toBe(422);
  });

  it('a refused request gives its key back: the corrected retry goes through', async () => {
    const headers = { 'idempotency-key': 'known-cases-2' };
    expect((await api('/tickets', { body: { ...ticket1('x'), type: 'no-such-type' }, headers })).status).toBe(404);
    expect((await api('/tickets', { body: ticket1('Corrected'), headers })).status).toBe(201);
  });

  function ticket1(title: string) {
    return { type: typeKey, title, requester: { email: 'ada@example.test' } };
  }
});
