import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The mail corpus under test/fixtures/mail: real-shaped messages with what Switchboard should make of them. */
export interface CorpusEntry {
  file: string;
  client: string;
  lang: string;
  /** seed: opens the ticket the rest reply to; automatic: must never touch it; reply: a comment; new: a ticket of its own. */
  phase: 'seed' | 'automatic' | 'reply' | 'new';
  outcome: 'ticketed' | 'commented' | 'ignored';
  kind?: string;
  reason?: string;
  /** The visible text: the ticket description or the comment body. */
  text?: string;
  /** false: the sender asked for no automatic answer. */
  acknowledged?: boolean;
}

export const CORPUS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/mail');
export const corpus = JSON.parse(readFileSync(path.join(CORPUS_DIR, 'manifest.json'), 'utf8')) as { seed: string; messages: CorpusEntry[] };
export const rawOf = (entry: CorpusEntry): Buffer => readFileSync(path.join(CORPUS_DIR, entry.file));
