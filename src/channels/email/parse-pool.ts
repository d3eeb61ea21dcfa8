import { performance } from 'node:perf_hooks';
import { Piscina } from 'piscina';
import { formatBytes } from '../../core/bytes.ts';
import { parseMessage, type ParsedMessage, type ParseTask } from './parse.ts';

export interface ParseLimits {
  /** Longest a whole-message parse (MIME, HTML-to-text, quote stripping) may take. */
  timeMs: number;
  /** Largest message parsed whole; a larger one is read by its headers only and kept raw. */
  maxBytes: number;
  /** Worker threads in the pool. */
  threads: number;
  /** Heap limit per worker thread, so one mail bomb cannot take the process down. */
  workerHeapMb: number;
  /** How much lower than the main thread the workers are scheduled (Unix nice increment). */
  niceIncrement: number;
}

export const DEFAULT_PARSE_LIMITS: ParseLimits = { timeMs: 10_000, maxBytes: 40 * 1024 * 1024, threads: 2, workerHeapMb: 512, niceIncrement: 5 };

/** Why a message's body was not cleaned (it is kept whole: raw stored, body points at the original). */
export interface Uncleaned {
  reason: 'timeout' | 'too-large' | 'failed';
  detail: string;
}

export interface ParseOutcome {
  parsed: ParsedMessage;
  uncleaned: Uncleaned | null;
  /** Wall time of the parse, pool queueing included. */
  ms: number;
}

export interface ParseContext {
  ownDomain: string;
  ownAddresses: string[];
}

/**
 * Parsing off the event loop: a small piscina pool of worker threads runs mailparser,
 * html-to-text and the quote stripping, each message under a time and a size limit. A parse
 * that runs over is aborted (piscina terminates that worker and starts a fresh one) and the
 * message is read again by its header block only (64 KB at most, on this thread), so it is
 * still classified and filed, with its body pointing at the original.
 */
export class ParsePool {
  private pool: Piscina | null = null;

  private inFlight = 0;
  private byHeaders = 0;

  /**
   * What the pool is doing, observable from outside (the tests read it): parses in flight in the
   * worker threads now, tasks those threads have completed (piscina's own count, its warm-up
   * task included), and messages read by their headers only, on this thread (over a limit, or
   * the parse failed or ran out of time).
   */
  get activity(): { inWorkers: number; completedInWorkers: number; readByHeaders: number } {
    return { inWorkers: this.inFlight, completedInWorkers: this.pool?.completed ?? 0, readByHeaders: this.byHeaders };
  }

  constructor(readonly limits: ParseLimits = { ...DEFAULT_PARSE_LIMITS }) {}

  /** Settles once a worker has loaded the parser: a time limit counts parsing, not a thread's start-up. */
  private ready: Promise<unknown> = Promise.resolve();

  private workers(): Piscina {
    if (this.pool) return this.pool;
    this.pool = new Piscina({
      filename: new URL('./parse-worker.mjs', import.meta.url).href,
      // Every thread kept started: after a timeout kills one, the next message finds another ready.
      minThreads: this.limits.threads,
      maxThreads: this.limits.threads,
      idleTimeout: 30_000,
      resourceLimits: { maxOldGenerationSizeMb: this.limits.workerHeapMb },
      // Below the event loop's priority (via @napi-rs/nice): on a busy machine a long parse
      // yields the CPU to the thread answering HTTP, not the other way round.
      niceIncrement: this.limits.niceIncrement,
    });
    const probe: ParseTask = { source: Buffer.from('From: warm@example.invalid\r\nSubject: warm-up\r\n\r\nwarm\r\n'), mode: 'full', ownDomain: '', ownAddresses: [] };
    this.ready = this.pool.run(probe).catch(() => {});
    return this.pool;
  }

  /** Start a worker now, so the first message does not pay for the thread's start-up. */
  warm(): void {
    this.workers();
  }

  async parse(source: Buffer, context: ParseContext): Promise<ParseOutcome> {
    const started = performance.now();
    const { limits } = this;
    let uncleaned: Uncleaned | null = null;
    if (source.length > limits.maxBytes) {
      uncleaned = { reason: 'too-large', detail: `${formatBytes(source.length)} is over the ${formatBytes(limits.maxBytes)} limit for cleaning` };
    } else {
      try {
        this.workers();
        await this.ready;
        this.inFlight++;
        const parsed = await this.run({ source, mode: 'full', ...context }, limits.timeMs).finally(() => this.inFlight--);
        return { parsed, uncleaned: null, ms: performance.now() - started };
      } catch (error) {
        uncleaned = isAbort(error)
          ? { reason: 'timeout', detail: `cleaning took longer than ${limits.timeMs} ms` }
          : { reason: 'failed', detail: `could not be parsed: ${error instanceof Error ? error.message : String(error)}` };
      }
    }
    // The fallback reads only the header block (at most 64 KB, a few ms of linear work) right here:
    // it must not wait for a replacement worker to boot on a busy machine.
    this.byHeaders++;
    const parsed = await parseMessage({ source, mode: 'headers', ...context });
    return { parsed, uncleaned, ms: performance.now() - started };
  }

  private run(task: ParseTask, timeMs: number): Promise<ParsedMessage> {
    return this.workers().run(task, { signal: AbortSignal.timeout(timeMs) }) as Promise<ParsedMessage>;
  }

  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = null;
    await pool?.destroy();
  }
}

function isAbort(error: unknown): boolean {
  const name = (error as { name?: unknown } | null)?.name;
  return name === 'AbortError' || name === 'TimeoutError';
}
