import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleKnowledgeDir } from '../../src/knowledge/articles.ts';
import { engine } from '../support/db.ts';
import { apiServiceForSuite } from './harness.ts';

// The service runs on a copy of the built-in sample articles in a folder of its own, so the
// tests can add, change and remove files and watch the index follow.

const TOKEN = 'kb-token';
let kbDir: string;

beforeAll(() => {
  kbDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-kb-articles-'));
  for (const name of fs.readdirSync(sampleKnowledgeDir)) fs.copyFileSync(path.join(sampleKnowledgeDir, name), path.join(kbDir, name));
  fs.writeFileSync(
    path.join(kbDir, 'hostile.md'),
    '---\ntitle: Hostile markup\ntags: [hostile]\n---\nHello <script>alert(1)</script> <img src=x onerror=alert(2)> [click](javascript:alert(3)) [ok](https://example.com/help)\n',
  );
});
afterAll(() => fs.rmSync(kbDir, { recursive: true, force: true }));
const app = apiServiceForSuite(() => ({ API_TOKENS: TOKEN, KNOWLEDGE_DIR: kbDir, PUBLIC_URL: 'https://desk.example.com' }));

interface Hit { slug: string; title: string; snippet: string; url: string }

async function search(query: string): Promise<Hit[]> {
  const response = await fetch(`${app.url}/api/v1/knowledge/search?${query}`, { headers: { authorization: `Bearer ${TOKEN}` } });
  expect(response.status, query).toBe(200);
  return ((await response.json()) as { items: Hit[] }).items;
}
const slugs = async (q: string, extra = '') => (await search(`q=${encodeURIComponent(q)}${extra}`)).map((hit) => hit.slug);

describe(`knowledge search on ${engine}`, () => {
  it('finds the VPN article first for a sentence in the words of an employee', async () => {
    const [first] = await search(`q=${encodeURIComponent('my vpn keeps dropping')}`);
    expect(first).toMatchObject({ slug: 'vpn-connect', url: 'https://desk.example.com/kb/vpn-connect', title: 'Connect to the VPN from home or on the road' });
    expect(first!.snippet.toLowerCase()).toContain('vpn');
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the search's own highlight markers must not leak.
    expect(first!.snippet).not.toMatch(/[\u0002\u0003<>]/);
  });

  it('forgives a misspelt or very short query', async () => {
    expect((await slugs('pasword'))[0]).toBe('password-reset');
    expect((await slugs('wifi'))[0]).toBe('wifi-office');
  });

  it('spells a misspelt word inside a sentence as the articles do: a typo, a transposition, a word split in two', async () => {
    expect((await slugs('change my passwrd'))[0]).toBe('password-reset');
    expect((await slugs('laptp screen cracked'))[0]).toBe('laptop-replacement');
    expect((await slugs('vnp not working'))[0]).toBe('vpn-connect');
    expect((await slugs("I can't log in"))[0]).toBe('password-reset');
  });

  it('weighs a rare word above a common one', async () => {
    expect((await slugs('change my seat'))[0]).toBe('desk-move');
  });

  it('matches Spanish articles with Spanish stemming, accents or not', async () => {
    expect((await slugs('la vpn se desconecta'))[0]).toBe('vpn-conectar');
    expect((await slugs('olvidé mi contraseña'))[0]).toBe('restablecer-contrasena');
    expect((await slugs('contrasena'))[0]).toBe('restablecer-contrasena');
    expect(await slugs('nóminas')).toContain('nominas');
  });

  it('ranks title words over body words', async () => {
    // "badge" is in the badge article's title and only in the printer article's body.
    const found = await slugs('badge');
    expect(found[0]).toBe('badge-lost');
    expect(found).toContain('printer-setup');
  });

  it('filters by request type and queue, and finds nothing for nonsense', async () => {
    expect(await slugs('vpn', '&type=laptop')).not.toContain('vpn-connect');
    expect(await slugs('printer', '&queue=HR')).not.toContain('printer-setup');
    expect(await slugs('printer', '&queue=fac')).toContain('printer-setup');
    expect(await slugs('qqqq zzzz xylophone')).toEqual([]);
  });

  it('answers 400 with a reason for a missing or oversized query', async () => {
    for (const query of ['', 'q=', `q=${'a'.repeat(201)}`, 'q=vpn&limit=0']) {
      const response = await fetch(`${app.url}/api/v1/knowledge/search?${query}`, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(response.status, query).toBe(400);
    }
  });
});

describe(`knowledge pages on ${engine}`, () => {
  it('GET /kb searches and highlights the matching words', async () => {
    const response = await fetch(`${app.url}/kb?q=${encodeURIComponent('printer jam')}`);
    expect(response.status).toBe(200);
    const page = await response.text();
    expect(page).toContain('href="/kb/printer-setup"');
    expect(page).toMatch(/<mark>[^<]*(jam|printer)[^<]*<\/mark>/i);
  });

  it('the catalog search also finds articles, and offers "Something else" when no request type fits', async () => {
    const page = await (await fetch(`${app.url}/?q=${encodeURIComponent('vpn keeps dropping')}`)).text();
    expect(page).toContain('Help articles that may answer it');
    expect(page).toContain('href="/kb/vpn-connect?from=web"');
    expect(page).toContain('Something else? Ask the team that fits');
    expect(page).toContain('href="/new/it-other"');
    const laptop = await (await fetch(`${app.url}/?q=laptop`)).text();
    expect(laptop).not.toContain('Something else? Ask the team that fits');
  });

  it('GET /kb says "Something else?" and points to the desk when nothing fits', async () => {
    const page = await (await fetch(`${app.url}/kb?q=xylophone`)).text();
    expect(page).toContain('Something else?');
    expect(page).toContain('href="/"');
  });

  it('GET /kb/:slug renders the Markdown, sanitized', async () => {
    const vpn = await (await fetch(`${app.url}/kb/vpn-connect`)).text();
    expect(vpn).toContain('<h2>When the VPN keeps dropping or will not connect</h2>');
    expect(vpn).toContain('<strong>GlobalProtect</strong>');
    const hostile = await (await fetch(`${app.url}/kb/hostile`)).text();
    expect(hostile).not.toMatch(/<script>alert|onerror|javascript:/);
    expect(hostile).toContain('href="https://example.com/help"');
    expect((await fetch(`${app.url}/kb/no-such-article`)).status).toBe(404);
    expect((await fetch(`${app.url}/kb/..%2F..%2Fetc`)).status).toBe(404);
  });
});

describe(`knowledge as code on ${engine}`, () => {
  it('follows the folder: a new article becomes searchable, an edit is reindexed, a removed one disappears', async () => {
    const file = path.join(kbDir, 'coffee-machine.md');
    fs.writeFileSync(file, '---\ntitle: The coffee machine shows E42\nqueues: [FAC]\ntags: [coffee]\n---\nDescale it: hold both buttons for five seconds.\n');
    await expect.poll(() => slugs('coffee machine'), { timeout: 10_000, interval: 200 }).toContain('coffee-machine');
    fs.writeFileSync(file, '---\ntitle: The espresso machine shows E42\nqueues: [FAC]\n---\nDescale it: hold both buttons for five seconds.\n');
    await expect.poll(async () => (await search('q=espresso')).map((h) => h.title), { timeout: 10_000, interval: 200 }).toContain('The espresso machine shows E42');
    fs.rmSync(file);
    await expect.poll(() => slugs('espresso'), { timeout: 10_000, interval: 200 }).not.toContain('coffee-machine');
  });
});
