import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFuzzDesk } from '../fuzz/desk.ts';

/**
 * A 413 must leave the client's keep-alive connection usable (or close it cleanly): the
 * next request on the same socket succeeds. One socket (maxSockets: 1), reused by node's
 * http Agent exactly as a real client's pool reuses it.
 */
let desk: Awaited<ReturnType<typeof startFuzzDesk>>;
let agent: http.Agent;
beforeAll(async () => {
  desk = await startFuzzDesk();
}, 120_000);
afterAll(async () => {
  agent?.destroy();
  await desk?.stop();
}, 60_000);

function request(options: { method: string; path: string; headers?: Record<string, string>; body?: Buffer | string; chunked?: boolean }): Promise<{ status: number; body: string; socket: unknown; headers: http.IncomingHttpHeaders }> {
  const url = new URL(desk.sb.url);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: url.hostname, port: url.port, method: options.method, path: options.path, headers: options.headers, agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, body, socket: req.socket, headers: res.headers }));
    });
    req.on('error', reject);
    if (options.body !== undefined) {
      if (options.chunked) {
        // No content-length: the limit is only found while reading.
        const data = Buffer.from(options.body);
        for (let i = 0; i < data.length; i += 64 * 1024) req.write(data.subarray(i, i + 64 * 1024));
      } else req.write(options.body);
    }
    req.end();
  });
}

const big = Buffer.alloc(2 * 1024 * 1024, 'a');

describe('keep-alive after a 413', () => {
  for (const [door, path, headers] of [
    ['the API', '/api/v1/tickets', { authorization: 'Bearer fuzz-token', 'content-type': 'application/json' }],
    ['the web form', '/new/laptop', { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' }],
  ] as const) {
    for (const chunked of [false, true]) {
      it(`${door}: a body over 1 MiB (${chunked ? 'chunked' : 'with content-length'}) is a 413, and the next request on the connection succeeds`, async () => {
        agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
        const warm = await request({ method: 'GET', path: '/healthz' });
        expect(warm.status).toBe(200);
        const tooLarge = await request({ method: 'POST', path, headers: { ...headers, ...(chunked ? {} : { 'content-length': String(big.length) }) }, body: big, chunked });
        expect(tooLarge.status).toBe(413);
        const next = await request({ method: 'GET', path: '/healthz' });
        expect(next.status).toBe(200);
        agent.destroy();
      });
    }
  }
});
