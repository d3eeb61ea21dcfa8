/**
 * npm run bench:knowledge — 5 000 help articles (the 14 built-in sample ones plus synthetic
 * ones that share their vocabulary: accounts, access, laptops, phones, offices, pay...),
 * indexed as KNOWLEDGE_DIR would be; then
 *   - p95 search latency over the labelled queries (target < 20 ms), and
 *   - quality on the labelled set bench/knowledge-queries.json (typos, synonyms, Spanish):
 *     top-1 and top-3 hit rates (target top-3 ≥ 0.9), with the misses listed.
 *
 *   npm run bench:knowledge                                   # embedded PGlite
 *   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench:knowledge
 *   BENCH_ARTICLES=20000 BENCH_RUNS=10 npm run bench:knowledge
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { openDatabase, type Database } from '../src/db/client.ts';
import { migrate } from '../src/db/migrate.ts';
import { loadKnowledgeDir, parseArticle, sampleKnowledgeDir, type Article } from '../src/knowledge/articles.ts';
import { searchFeatures, syncKnowledge } from '../src/knowledge/index-sync.ts';
import { searchKnowledge } from '../src/knowledge/search.ts';
import { percentile, withThrowawayDatabase } from './support.ts';

const ARTICLES = Number(process.env.BENCH_ARTICLES ?? 5_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const here = path.dirname(fileURLToPath(import.meta.url));

const labelledSchema = z.object({ queries: z.array(z.object({ q: z.string().min(1), expect: z.string(), kind: z.string() })).min(60) });

/** A small deterministic PRNG (mulberry32), so every run indexes the same articles. */
function random(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SYSTEMS = ['Workday', 'Concur', 'SAP', 'Confluence', 'Slack', 'Zoom', 'Outlook', 'Teams', 'OneDrive', 'SharePoint', 'Tableau', 'Looker', 'Okta', 'Miro', 'Figma', 'Notion', 'Asana', 'Zendesk', 'HubSpot', 'DocuSign', 'Coupa', 'NetSuite', 'Greenhouse', 'Lattice', 'BambooHR', 'Expensify', 'Dropbox', 'Box', 'Webex', 'Adobe Acrobat', 'Visio', 'Power BI', 'ServiceNow', 'Bitbucket', 'Jenkins', 'Datadog', 'PagerDuty', 'Snowflake', 'Airtable', 'Calendly'];
const ACTIONS = ['Set up', 'Export data from', 'Share a file in', 'Change notifications in', 'Request a licence for', 'Fix sync problems in', 'Sign in to', 'Uninstall', 'Update', 'Recover deleted items in', 'Add a colleague to', 'Schedule a meeting in', 'Change the language of', 'Connect a calendar to', 'Archive a project in'];
const TOPICS = ['Expense claims for travel', 'Parking permits for the garage', 'Booking a meeting room', 'Ordering office supplies', 'Bringing a guest to the office', 'Reporting a building fault', 'Claiming overtime', 'Booking holidays', 'Parental leave', 'Training budget', 'Company phone plans', 'Shipping a parcel', 'The canteen menu', 'Bike storage', 'Lockers for the day', 'First aid and safety', 'Fire drills', 'Onboarding checklist', 'Leaving the company', 'Relocation support', 'Pension enrolment', 'Health insurance', 'Company car', 'Corporate credit card', 'Conference travel'];
const SENTENCES = [
  'Sign in with your company account before you start.',
  'If the page does not load, try again from the office network.',
  'Your manager approves the request within two working days.',
  'Keep the confirmation email until the change is done.',
  'On a new laptop, install the app from the Software Centre first.',
  'If you work from home, make sure you are online before you begin.',
  'Access is granted for one year and renewed on request.',
  'The office reception can help with anything urgent.',
  'Mobile phones need the company profile installed.',
  'Payroll deadlines are on the 20th of each month.',
  'Changes made after the deadline apply to the next month.',
  'A colleague with admin rights can do this for you.',
  'The settings page lists every option with a short description.',
  'If you see an error message, copy it into your request.',
  'Letters and certificates are signed by the People Team.',
  'Reset the app by signing out and in again.',
  'Check the status page for known problems first.',
  'Screens, keyboards and docks are ordered through the hardware catalogue.',
  'The security team reviews access to sensitive systems.',
  'Meeting rooms can be booked up to four weeks ahead.',
  'Printing and scanning are covered in their own article.',
  'Wireless guests get a code valid for one day.',
  'Your badge opens the doors of your own building only.',
  'Passwords must be at least 14 characters long.',
  'Two-factor prompts appear on the phone you registered.',
  'Remote workers can ask for a second screen.',
  'Desk neighbours are told a week before a move.',
  'Expense receipts must be uploaded within 30 days.',
  'Travel bookings are made through the travel portal.',
  'Leave requests show in your calendar once approved.',
];
const SENTENCES_ES = [
  'Inicia sesión con tu cuenta de la empresa antes de empezar.',
  'Tu responsable aprueba la solicitud en dos días laborables.',
  'Si trabajas desde casa, comprueba que tienes conexión.',
  'Guarda el correo de confirmación hasta que el cambio esté hecho.',
  'La recepción de la oficina puede ayudarte con lo urgente.',
  'Los cambios después de la fecha límite se aplican el mes siguiente.',
  'Las solicitudes de vacaciones aparecen en tu calendario.',
  'El equipo de seguridad revisa los accesos a sistemas sensibles.',
];
const TOPICS_ES = ['Gastos de viaje', 'Reservar una sala de reuniones', 'Plazas de aparcamiento', 'Vacaciones y permisos', 'Seguro médico', 'Formación', 'Material de oficina', 'Coche de empresa'];
const TAG_POOL = ['account', 'access', 'app', 'mobile', 'office', 'travel', 'expenses', 'calendar', 'meeting', 'licence', 'sync', 'export', 'sharing', 'approval', 'onboarding', 'leave', 'benefits', 'hardware', 'security', 'notifications'];
const QUEUES = ['IT', 'HR', 'FAC'];

function synthetic(count: number): Article[] {
  const rnd = random(17);
  const pick = <T>(list: T[]): T => list[Math.floor(rnd() * list.length)]!;
  const out: Article[] = [];
  for (let i = 0; out.length < count; i++) {
    const spanish = rnd() < 0.1;
    const title = spanish ? `${pick(TOPICS_ES)} (${pick(SYSTEMS)})` : rnd() < 0.6 ? `${pick(ACTIONS)} ${pick(SYSTEMS)}` : `${pick(TOPICS)} ${rnd() < 0.5 ? `in ${pick(SYSTEMS)}` : `(${pick(['Madrid', 'London', 'Berlin', 'Lisbon', 'Remote'])})`}`;
    const sentences = spanish ? SENTENCES_ES : SENTENCES;
    const paragraphs = Array.from({ length: 2 + Math.floor(rnd() * 3) }, () => Array.from({ length: 2 + Math.floor(rnd() * 3) }, () => pick(sentences)).join(' '));
    const tags = [...new Set(Array.from({ length: 3 }, () => pick(TAG_POOL)))];
    const source = `---\ntitle: ${JSON.stringify(title)}\nqueues: [${pick(QUEUES)}]\ntags: [${tags.join(', ')}]\n${spanish ? 'lang: es\n' : ''}---\n${paragraphs.join('\n\n')}\n`;
    out.push(parseArticle(`synthetic-${String(i).padStart(5, '0')}`, source));
  }
  return out;
}

async function run(database: Database, engine: string) {
  await migrate(database);
  const db = database.db;
  const features = await searchFeatures(db);
  const sample = loadKnowledgeDir(sampleKnowledgeDir).articles;
  const articles = [...sample, ...synthetic(ARTICLES - sample.length)];
  let t = performance.now();
  await syncKnowledge(db, articles);
  console.log(`${engine}: indexed ${articles.length.toLocaleString('en')} articles (${sample.length} sample) in ${((performance.now() - t) / 1000).toFixed(1)} s; pg_trgm ${features.trigram ? 'on' : 'off'}, unaccent ${features.unaccent ? 'on' : 'off'}`);

  const labelled = labelledSchema.parse(JSON.parse(fs.readFileSync(path.join(here, 'knowledge-queries.json'), 'utf8'))).queries;
  for (const query of labelled) if (!sample.some((a) => a.slug === query.expect)) throw new Error(`labelled query "${query.q}" expects unknown article ${query.expect}`);

  // Warm up, then time every labelled query RUNS times.
  for (const query of labelled) await searchKnowledge(db, { q: query.q, limit: 3 });
  const times: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    for (const query of labelled) {
      t = performance.now();
      await searchKnowledge(db, { q: query.q, limit: 3 });
      times.push(performance.now() - t);
    }
  }
  times.sort((a, b) => a - b);

  let top1 = 0;
  let top3 = 0;
  const byKind = new Map<string, { n: number; top3: number }>();
  const misses: string[] = [];
  for (const query of labelled) {
    const hits = (await searchKnowledge(db, { q: query.q, limit: 3 })).map((h) => h.slug);
    const kind = byKind.get(query.kind) ?? { n: 0, top3: 0 };
    kind.n++;
    if (hits[0] === query.expect) top1++;
    if (hits.includes(query.expect)) {
      top3++;
      kind.top3++;
    } else misses.push(`  "${query.q}" → expected ${query.expect}, got [${hits.join(', ') || 'nothing'}]`);
    byKind.set(query.kind, kind);
  }
  const n = labelled.length;
  console.log(`load average ${os.loadavg().map((l) => l.toFixed(1)).join(' / ')} (1/5/15 min): latency figures on a busy machine are not the engine's`);
  console.log(`search latency over ${times.length} searches: p50 ${percentile(times, 50).toFixed(2)} ms, p95 ${percentile(times, 95).toFixed(2)} ms, max ${times.at(-1)!.toFixed(2)} ms (target p95 < 20 ms)`);
  console.log(`quality on ${n} labelled queries: top-1 ${(top1 / n).toFixed(3)}, top-3 ${(top3 / n).toFixed(3)} (target top-3 ≥ 0.9)`);
  console.log(`  top-3 by kind: ${[...byKind].map(([kind, v]) => `${kind} ${v.top3}/${v.n}`).join(', ')}`);
  if (misses.length) console.log(`misses:\n${misses.join('\n')}`);
}

async function main() {
  const cpus = os.cpus();
  console.log(`bench:knowledge on ${cpus.length} × ${cpus[0]?.model ?? 'cpu'}, node ${process.version}`);
  if (process.env.BENCH_DATABASE_URL) {
    await withThrowawayDatabase(async (url) => {
      const database = await openDatabase({ url, max: 2 });
      try {
        await run(database, 'postgres');
      } finally {
        await database.close();
      }
    });
  } else {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-bench-kb-'));
    const database = await openDatabase({ url: undefined, dataDir });
    try {
      await run(database, 'pglite');
    } finally {
      await database.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }
  console.log(`reproduce: ${process.env.BENCH_DATABASE_URL ? `BENCH_DATABASE_URL=${process.env.BENCH_DATABASE_URL} ` : ''}${process.env.BENCH_ARTICLES ? `BENCH_ARTICLES=${ARTICLES} ` : ''}npm run bench:knowledge`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
