import type { Logger } from 'pino';
import type { Db } from '../db/client.ts';
import { checkAgainstCatalog, loadKnowledgeDir, sampleKnowledgeDir } from './articles.ts';
import { syncKnowledge, watchKnowledge, type KnowledgeWatch } from './index-sync.ts';

/**
 * Load KNOWLEDGE_DIR (or the built-in sample) into the search index and keep it in step with
 * the folder. A bad article is logged and left out; it never stops the desk.
 */
export async function startKnowledge(
  db: Db,
  dir: string | undefined,
  catalog: { queues: Record<string, unknown>; request_types: Record<string, unknown> },
  logger: Logger,
): Promise<KnowledgeWatch> {
  const folder = dir ?? sampleKnowledgeDir;
  const { articles, problems } = loadKnowledgeDir(folder);
  for (const problem of [...problems, ...checkAgainstCatalog(articles, catalog)]) {
    logger.warn({ file: problem.file }, `knowledge ${folder}: ${problem.file}: ${problem.message}`);
  }
  const result = await syncKnowledge(db, articles);
  logger.debug({ folder, ...result }, 'knowledge articles loaded');
  return watchKnowledge(db, folder, {
    onSynced: (synced) => {
      if (synced.added || synced.updated || synced.removed) logger.info({ folder, ...synced }, 'knowledge articles reloaded');
    },
    onProblems: (found) => {
      for (const problem of found) logger.warn({ file: problem.file }, `knowledge ${folder}: ${problem.file}: ${problem.message}`);
    },
    onError: (error) => logger.warn({ err: error, folder }, 'knowledge reload failed'),
  });
}
