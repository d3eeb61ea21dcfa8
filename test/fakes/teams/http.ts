import type { IncomingMessage, Server, ServerResponse } from 'node:http';

/** Small plumbing shared by the Teams fakes' node:http servers. */

/** Listens on 127.0.0.1 and an ephemeral port; resolves with the port. */
export async function listenLocally(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('fake server is not listening on TCP');
  return address.port;
}

export async function closeServer(server: Server): Promise<void> {
  // The SDKs' HTTP clients keep connections alive; close() alone would wait for them.
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/** The raw request body as text ('' when empty). */
export async function readText(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8');
}

/** Parsed JSON when the body is JSON, the raw text otherwise, undefined when empty. */
export async function readBody(req: IncomingMessage): Promise<unknown> {
  const text = await readText(req);
  if (text === '') return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed;
  } catch {
    return text;
  }
}

export function sendJson(res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}): void {
  const payload = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, {
    ...(payload ? { 'content-type': 'application/json; charset=utf-8' } : {}),
    ...headers,
  });
  res.end(payload);
}
