import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ViewOutput } from '@slack/bolt';
import { SlackMethodError } from './args.ts';
import { SLACK_FAKE_DEFAULTS, type SlackFakeIdentity } from './defaults.ts';
import { methods } from './methods.ts';
import { SlackWorkspace, type EphemeralMessage, type SeedChannel, type SeedUser, type SlackMessage } from './workspace.ts';

/** One request as it reached the fake. */
export interface SlackCall {
  method: string;
  /** Parsed arguments; JSON-string fields (blocks, view, attachments, metadata…) parsed too. Scalars stay as sent ("true", "10" in form posts). */
  body: Record<string, unknown>;
  rawBody: string;
  contentType: string;
  headers: IncomingHttpHeaders;
  token: string | undefined;
  /** ms timestamp from the fake's clock */
  at: number;
  status: number;
  /** The JSON the fake answered (a string for injected 5xx). */
  response: unknown;
}

/** HTTP 429 with Retry-After (seconds, default 1) | any other HTTP status | HTTP 200 `{ ok: false, error }`. */
export type SlackFault = { status: number; retryAfter?: number } | { error: string };

export interface SlackFakeOptions {
  identity?: Partial<SlackFakeIdentity>;
  /** Default: any token starting with "xoxb-". */
  isValidToken?: (token: string) => boolean;
  /** Clock for message ts, view hashes and `call.at`. Default Date.now. */
  now?: () => number;
  /** Sent as X-OAuth-Scopes; WebClient surfaces it as response_metadata.scopes. */
  scopes?: string[];
}

/** A human's message, seeded so the app can read it back through the history methods. */
export interface SeedMessage {
  user: string;
  text: string;
  thread_ts?: string;
  blocks?: unknown[];
}

export interface SlackFake {
  /** http://127.0.0.1:<port> */
  readonly url: string;
  /** url + '/api/', the value for WebClient's slackApiUrl */
  readonly apiUrl: string;
  readonly identity: SlackFakeIdentity;
  /** Every call since start or the last reset, oldest first (a live array). */
  readonly calls: readonly SlackCall[];
  readonly ephemerals: readonly EphemeralMessage[];
  callsTo(method: string): SlackCall[];
  /** Resolves with the first matching call, including ones already recorded; rejects after timeoutMs. */
  waitFor(method: string, predicate?: (call: SlackCall) => boolean, timeoutMs?: number): Promise<SlackCall>;
  failNext(method: string, fault: SlackFault, times?: number): void;
  /**
   * Calls to `method` from now on are neither answered nor recorded until the returned release is
   * called (a slow Slack); then every held call, and every later one, is answered.
   */
  hold(method: string): () => void;
  addUser(user: SeedUser): void;
  addChannel(channel: SeedChannel): void;
  addMessage(channel: string, message: SeedMessage): SlackMessage;
  /** Everything stored in a channel (top level and thread replies), in posting order. */
  messagesIn(channel: string): SlackMessage[];
  view(id: string): ViewOutput | undefined;
  /** Forgets calls, faults, users, channels, messages and views; keeps the port. */
  reset(): void;
  close(): Promise<void>;
}

/** Form posts carry these arguments as JSON strings (WebClient flattens every object and array this way). */
const JSON_FIELDS = new Set(['blocks', 'attachments', 'view', 'metadata', 'unfurls', 'user_auth_blocks']);

const DEFAULT_SCOPES = ['chat:write', 'chat:write.public', 'reactions:write', 'users:read', 'users:read.email', 'im:write', 'channels:history', 'groups:history', 'im:history', 'channels:read'];

interface Waiter {
  method: string;
  predicate: (call: SlackCall) => boolean;
  resolve: (call: SlackCall) => void;
  reject: (error: Error) => void;
}

interface Answer {
  status: number;
  headers: Record<string, string>;
  payload: unknown;
}

function parseBody(contentType: string, rawBody: string): Record<string, unknown> | undefined {
  let body: Record<string, unknown>;
  if (contentType.startsWith('application/json')) {
    try {
      const parsed: unknown = JSON.parse(rawBody === '' ? '{}' : rawBody);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
      body = { ...parsed };
    } catch {
      return undefined;
    }
  } else {
    body = Object.fromEntries(new URLSearchParams(rawBody));
  }
  for (const [key, value] of Object.entries(body)) {
    if (!JSON_FIELDS.has(key) || typeof value !== 'string') continue;
    try {
      body[key] = JSON.parse(value);
    } catch {
      // Leave it a string: the method's argument check answers invalid_blocks / invalid_arguments.
    }
  }
  return body;
}

function bearerToken(headers: IncomingHttpHeaders): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(headers.authorization ?? '');
  return match?.[1];
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8');
}

class SlackFakeServer implements SlackFake {
  readonly calls: SlackCall[] = [];
  readonly identity: SlackFakeIdentity;
  url = '';
  private readonly workspace: SlackWorkspace;
  private readonly faults = new Map<string, SlackFault[]>();
  private readonly holds = new Map<string, Promise<void>>();
  private readonly waiters = new Set<Waiter>();
  private readonly server: Server;
  private readonly now: () => number;
  private readonly isValidToken: (token: string) => boolean;
  private readonly scopes: string;

  constructor(options: SlackFakeOptions) {
    this.identity = { ...SLACK_FAKE_DEFAULTS, ...options.identity };
    this.now = options.now ?? Date.now;
    this.isValidToken = options.isValidToken ?? ((token) => token.startsWith('xoxb-'));
    this.scopes = (options.scopes ?? DEFAULT_SCOPES).join(',');
    this.workspace = new SlackWorkspace(this.identity, this.now);
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        res.writeHead(500, { 'content-type': 'text/plain' }).end(`slack fake crashed: ${String(error)}`);
      });
    });
  }

  get apiUrl(): string {
    return `${this.url}/api/`;
  }

  get ephemerals(): readonly EphemeralMessage[] {
    return this.workspace.ephemerals;
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = this.server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}`;
  }

  callsTo(method: string): SlackCall[] {
    return this.calls.filter((call) => call.method === method);
  }

  waitFor(method: string, predicate: (call: SlackCall) => boolean = () => true, timeoutMs = 5000): Promise<SlackCall> {
    const already = this.calls.find((call) => call.method === method && predicate(call));
    if (already !== undefined) return Promise.resolve(already);
    return new Promise<SlackCall>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        const seen = this.calls.map((call) => call.method).join(', ') || 'none';
        reject(new Error(`slack fake: no matching ${method} call within ${timeoutMs} ms (calls seen: ${seen})`));
      }, timeoutMs);
      const waiter: Waiter = {
        method,
        predicate,
        resolve: (call) => {
          clearTimeout(timer);
          resolve(call);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      this.waiters.add(waiter);
    });
  }

  hold(method: string): () => void {
    let release!: () => void;
    this.holds.set(method, new Promise<void>((resolve) => (release = resolve)));
    return () => {
      this.holds.delete(method);
      release();
    };
  }

  failNext(method: string, fault: SlackFault, times = 1): void {
    const queue = this.faults.get(method) ?? [];
    for (let i = 0; i < times; i += 1) queue.push(fault);
    this.faults.set(method, queue);
  }

  addUser(user: SeedUser): void {
    this.workspace.addUser(user);
  }

  addChannel(channel: SeedChannel): void {
    this.workspace.addChannel(channel);
  }

  addMessage(channel: string, message: SeedMessage): SlackMessage {
    return this.workspace.addMessage(channel, message);
  }

  messagesIn(channel: string): SlackMessage[] {
    return this.workspace.messagesIn(channel);
  }

  view(id: string): ViewOutput | undefined {
    return this.workspace.views.get(id);
  }

  reset(): void {
    this.calls.length = 0;
    this.faults.clear();
    this.workspace.reset();
    for (const waiter of this.waiters) waiter.reject(new Error(`slack fake: reset while waiting for ${waiter.method}`));
    this.waiters.clear();
  }

  async close(): Promise<void> {
    for (const waiter of this.waiters) waiter.reject(new Error(`slack fake: closed while waiting for ${waiter.method}`));
    this.waiters.clear();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      // WebClient's fetch keeps connections alive; close() alone would wait for them.
      this.server.closeAllConnections();
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const rawBody = await readBody(req);
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    const method = /^\/api\/([A-Za-z0-9_.]+)$/.exec(path)?.[1];
    if (method === undefined) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end(`slack fake: no route for ${req.method} ${path}`);
      return;
    }
    const contentType = req.headers['content-type'] ?? 'application/x-www-form-urlencoded';
    const body = parseBody(contentType, rawBody);
    const headerToken = bearerToken(req.headers);
    // Slack reads a `token` argument only from form posts; JSON posts must use the header.
    const formToken = !contentType.startsWith('application/json') && typeof body?.token === 'string' ? body.token : undefined;
    const token = headerToken ?? formToken;
    const gate = this.holds.get(method);
    if (gate) await gate;
    const answer = this.answer(method, body, token);

    const serialized = typeof answer.payload === 'string' ? answer.payload : JSON.stringify(answer.payload);
    // Record before answering, so a caller that got its response always finds its call.
    this.record({
      method,
      body: body ?? {},
      rawBody,
      contentType,
      headers: req.headers,
      token,
      at: this.now(),
      status: answer.status,
      response: typeof answer.payload === 'string' ? answer.payload : JSON.parse(serialized),
    });
    res.writeHead(answer.status, answer.headers).end(serialized);
  }

  private answer(method: string, body: Record<string, unknown> | undefined, token: string | undefined): Answer {
    const json = (payload: Record<string, unknown>, status = 200, extra: Record<string, string> = {}): Answer => ({
      status,
      headers: { 'content-type': 'application/json; charset=utf-8', 'x-oauth-scopes': this.scopes, ...extra },
      payload,
    });
    const fault = this.faults.get(method)?.shift();
    if (fault !== undefined) {
      if ('error' in fault) return json({ ok: false, error: fault.error });
      if (fault.status === 429) return json({ ok: false, error: 'ratelimited' }, 429, { 'retry-after': String(fault.retryAfter ?? 1) });
      return { status: fault.status, headers: { 'content-type': 'text/plain' }, payload: `slack fake: injected HTTP ${fault.status}` };
    }
    if (body === undefined) return json({ ok: false, error: 'invalid_json' });
    const handler = Object.hasOwn(methods, method) ? methods[method] : undefined;
    if (handler === undefined) return json({ ok: false, error: 'unknown_method', req_method: method });
    if (token === undefined) return json({ ok: false, error: 'not_authed' });
    if (!this.isValidToken(token)) return json({ ok: false, error: 'invalid_auth' });
    try {
      return json({ ok: true, ...handler(body, this.workspace) });
    } catch (error) {
      if (error instanceof SlackMethodError) return json({ ok: false, error: error.error });
      throw error;
    }
  }

  private record(call: SlackCall): void {
    this.calls.push(call);
    for (const waiter of [...this.waiters]) {
      if (waiter.method !== call.method || !waiter.predicate(call)) continue;
      this.waiters.delete(waiter);
      waiter.resolve(call);
    }
  }
}

/** Starts a wire-level fake of the Slack Web API on 127.0.0.1 and a free port. */
export async function startSlackFake(options: SlackFakeOptions = {}): Promise<SlackFake> {
  const fake = new SlackFakeServer(options);
  await fake.listen();
  return fake;
}
