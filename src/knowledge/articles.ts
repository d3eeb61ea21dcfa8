import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { marked, type Token } from 'marked';
import YAML from 'yaml';
import { z } from 'zod';

// Knowledge as code: one Markdown file per article in KNOWLEDGE_DIR, with YAML front matter.
//
//   ---
//   title: Connect to the VPN
//   queues: [IT]              # where it applies; none = everywhere
//   types: [it-other]         # request types it answers; none = every type of its queues
//   tags: [vpn, remote]       # words people use that the text may not (synonyms)
//   lang: en                  # en (default), es, de, fr, pt, it, nl, ru...
//   ---
//   Markdown body...
//
// The slug is the file name without .md.

export const sampleKnowledgeDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), 'sample');

/** Postgres text-search configuration per article language; anything else is searched with 'simple'. */
export const TEXT_SEARCH_CONFIG: Record<string, string> = {
  en: 'english',
  es: 'spanish',
  de: 'german',
  fr: 'french',
  pt: 'portuguese',
  it: 'italian',
  nl: 'dutch',
  ru: 'russian',
};

const list = z.union([z.string().min(1).transform((one) => [one]), z.array(z.coerce.string().min(1))]).default([]);

const frontMatterSchema = z
  .object({
    title: z.string().min(1).max(200),
    queues: list,
    types: list,
    tags: list,
    lang: z
      .string()
      .regex(/^[a-z]{2}(?:-[A-Za-z]{2})?$/, 'use a language code like en, es or pt-BR')
      .default('en'),
    summary: z.string().max(500).optional(),
  })
  .strict();

export interface Article {
  slug: string;
  title: string;
  summary: string;
  body: string;
  /** The body as plain text (Markdown syntax removed), for search. */
  text: string;
  lang: string;
  config: string;
  queues: string[];
  types: string[];
  tags: string[];
  digest: string;
}

export interface KnowledgeProblem {
  file: string;
  message: string;
}

export interface KnowledgeLoad {
  articles: Article[];
  problems: KnowledgeProblem[];
}

/** An article's slug: its file name without .md. */
export const SLUG_PATTERN = /^[a-z0-9][a-z0-9-]{0,99}$/;
const FRONT_MATTER = /^---[ \t]*\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/;

/** Parse one article file's text. Throws an Error whose message says what is wrong. */
export function parseArticle(slug: string, source: string): Article {
  if (!SLUG_PATTERN.test(slug)) throw new Error(`the file name must be a lower-kebab-case slug (like vpn-setup.md), not '${slug}'`);
  if (source.includes('\u0000')) throw new Error('the file contains a NUL character');
  const match = FRONT_MATTER.exec(source);
  if (!match) throw new Error('no front matter: start the file with a --- block holding at least a title');
  let raw: unknown;
  try {
    raw = YAML.parse(match[1] ?? '');
  } catch (error) {
    throw new Error(`front matter is not valid YAML: ${(error instanceof Error ? error.message : String(error)).split('\n')[0]}`);
  }
  const parsed = frontMatterSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    throw new Error(parsed.error.issues.map((issue) => `${issue.path.join('.') || 'front matter'}: ${issue.message}`).join('; '));
  }
  const meta = parsed.data;
  const body = source.slice(match[0].length).trim();
  if (!body) throw new Error('the article has no body');
  const lang = meta.lang.slice(0, 2);
  // The plain text (Markdown lexed by marked: most of an article's parse) is needed only to index a
  // new or changed article, so it is made when first read: a start whose articles are indexed
  // already skips it.
  let text: string | undefined;
  const plain = () => (text ??= plainText(body));
  return {
    slug,
    title: meta.title.trim(),
    get summary() {
      return (meta.summary ?? firstParagraph(plain())).trim();
    },
    body,
    get text() {
      return plain();
    },
    lang: meta.lang,
    config: TEXT_SEARCH_CONFIG[lang] ?? 'simple',
    queues: meta.queues.map((q) => q.toUpperCase()),
    types: meta.types,
    tags: meta.tags.map((t) => t.toLowerCase()),
    digest: createHash('sha256').update(source).digest('hex'),
  };
}

/** Every `*.md` file of the folder; problems are collected, never thrown, so a check lists them all. */
export function loadKnowledgeDir(dir: string): KnowledgeLoad {
  const articles: Article[] = [];
  const problems: KnowledgeProblem[] = [];
  let names: string[];
  try {
    names = fs.readdirSync(dir).filter((name) => name.endsWith('.md')).sort();
  } catch (error) {
    return { articles, problems: [{ file: dir, message: `cannot read the folder (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})` }] };
  }
  for (const name of names) {
    const file = path.join(dir, name);
    try {
      const stat = fs.statSync(file);
      if (stat.size > 512 * 1024) throw new Error(`the file is ${Math.round(stat.size / 1024)} KB; articles are limited to 512 KB`);
      articles.push(parseArticle(name.slice(0, -3), fs.readFileSync(file, 'utf8')));
    } catch (error) {
      problems.push({ file: name, message: error instanceof Error ? error.message : String(error) });
    }
  }
  return { articles, problems };
}

/** Cross-checks against the catalog: queues and types an article names must exist. */
export function checkAgainstCatalog(articles: Article[], catalog: { queues: Record<string, unknown>; request_types: Record<string, unknown> }): KnowledgeProblem[] {
  const problems: KnowledgeProblem[] = [];
  for (const article of articles) {
    for (const queue of article.queues) if (!catalog.queues[queue]) problems.push({ file: `${article.slug}.md`, message: `queues: unknown queue '${queue}'` });
    for (const type of article.types) if (!catalog.request_types[type]) problems.push({ file: `${article.slug}.md`, message: `types: unknown request type '${type}'` });
  }
  return problems;
}

function plainText(markdown: string): string {
  const out: string[] = [];
  const walk = (tokens: Token[]) => {
    for (const token of tokens) {
      const children = (token as { tokens?: Token[] }).tokens;
      const items = (token as { items?: Array<{ tokens: Token[] }> }).items;
      if (items) for (const item of items) walk(item.tokens);
      else if (children?.length) walk(children);
      else if ('text' in token && typeof token.text === 'string') out.push(token.text);
      if (token.type === 'paragraph' || token.type === 'heading' || token.type === 'list_item' || token.type === 'code') out.push('\n');
    }
  };
  walk(marked.lexer(markdown));
  return out
    .join(' ')
    .replace(/[ \t]+/g, ' ')
    .replace(/ ?\n ?/g, '\n')
    .replace(/\n{2,}/g, '\n')
    .trim();
}

function firstParagraph(text: string): string {
  const first = text.split('\n').find((line) => line.trim().length > 20) ?? text.split('\n')[0] ?? '';
  return first.length > 240 ? `${first.slice(0, 237)}...` : first;
}
