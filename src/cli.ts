import { loadCatalogFile } from './core/catalog.ts';
import { CoreError } from './core/errors.ts';
import { checkAgainstCatalog, loadKnowledgeDir, type KnowledgeProblem } from './knowledge/articles.ts';

const USAGE = `usage:
  switchboard catalog check FILE   validate a catalog file without starting the service
  switchboard knowledge check DIR  validate a folder of knowledge articles (against CATALOG_FILE or the sample)
  switchboard start                start the service (same as npm start)`;

/** `npx switchboard ...` — small operator commands. */
async function cli(args: string[]): Promise<number> {
  const [command, sub, file] = args;
  if (command === 'catalog' && sub === 'check') {
    if (!file) {
      process.stderr.write(`switchboard: catalog check needs a FILE\n${USAGE}\n`);
      return 2;
    }
    try {
      const catalog = loadCatalogFile(file);
      const queues = Object.keys(catalog.queues).length;
      const types = Object.keys(catalog.request_types).length;
      process.stdout.write(`catalog ${file}: OK (${queues} queues, ${types} request types, ${Object.keys(catalog.calendars).length} calendars)\n`);
      return 0;
    } catch (error) {
      if (error instanceof CoreError) {
        process.stderr.write(`switchboard: ${error.message}\n`);
        return 1;
      }
      throw error;
    }
  }
  if (command === 'knowledge' && sub === 'check') {
    if (!file) {
      process.stderr.write(`switchboard: knowledge check needs a DIR\n${USAGE}\n`);
      return 2;
    }
    return checkKnowledge(file);
  }
  if (command === 'start') {
    await import('./main.ts');
    return -1;
  }
  process.stderr.write(`${USAGE}\n`);
  return command === undefined || command === 'help' || command === '--help' ? 0 : 2;
}

function checkKnowledge(dir: string): number {
  const { articles, problems } = loadKnowledgeDir(dir);
  let catalogProblems: KnowledgeProblem[] = [];
  try {
    catalogProblems = checkAgainstCatalog(articles, loadCatalogFile(process.env.CATALOG_FILE || undefined));
  } catch (error) {
    if (!(error instanceof CoreError)) throw error;
    catalogProblems = [{ file: process.env.CATALOG_FILE ?? 'catalog', message: error.message }];
  }
  const all = [...problems, ...catalogProblems];
  for (const problem of all) process.stderr.write(`${dir}/${problem.file}: ${problem.message}\n`);
  if (all.length) {
    process.stderr.write(`knowledge ${dir}: ${all.length} problem${all.length === 1 ? '' : 's'} in ${new Set(all.map((p) => p.file)).size} file(s); ${articles.length} article(s) OK\n`);
    return 1;
  }
  const languages = [...new Set(articles.map((a) => a.lang))].sort().join(', ');
  process.stdout.write(`knowledge ${dir}: OK (${articles.length} articles; languages: ${languages || 'none'})\n`);
  return 0;
}

const code = await cli(process.argv.slice(2));
if (code >= 0) process.exit(code);
