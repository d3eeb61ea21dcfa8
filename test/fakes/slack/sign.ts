import { createHmac } from 'node:crypto';

export interface SlackSignatureHeaders {
  'x-slack-signature': string;
  'x-slack-request-timestamp': string;
}

/** Signs a body as Slack does: `v0=` + hex HMAC-SHA256 of `v0:{timestamp}:{raw body}`. */
export function signSlackRequest(
  signingSecret: string,
  rawBody: string,
  timestampSeconds: number = Math.floor(Date.now() / 1000),
): SlackSignatureHeaders {
  const digest = createHmac('sha256', signingSecret).update(`v0:${timestampSeconds}:${rawBody}`).digest('hex');
  return { 'x-slack-signature': `v0=${digest}`, 'x-slack-request-timestamp': String(timestampSeconds) };
}

export interface SignedSlackRequestOptions {
  signingSecret: string;
  /** An object is sent as JSON (Events API); a string as a form post (interactivity, slash commands). */
  body: string | object;
  timestampSeconds?: number;
  /** Slack's redelivery headers, X-Slack-Retry-Num / X-Slack-Retry-Reason (e.g. 'http_timeout'). */
  retryNum?: number;
  retryReason?: string;
}

/** A Web `Request` as Slack would deliver it to `url`: content type, signature, user agent, retry headers. */
export function signedSlackRequest(url: string, options: SignedSlackRequestOptions): Request {
  const isJson = typeof options.body !== 'string';
  const rawBody = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
  const headers: Record<string, string> = {
    'content-type': isJson ? 'application/json' : 'application/x-www-form-urlencoded',
    'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
    ...signSlackRequest(options.signingSecret, rawBody, options.timestampSeconds),
  };
  if (options.retryNum !== undefined) headers['x-slack-retry-num'] = String(options.retryNum);
  if (options.retryReason !== undefined) headers['x-slack-retry-reason'] = options.retryReason;
  return new Request(url, { method: 'POST', headers, body: rawBody });
}
