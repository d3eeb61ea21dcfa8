import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { check } from 'recheck';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const EMAIL_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../../src/channels/email');

/** Every regular expression written in src/channels/email: /literals/ and new RegExp('string'). */
function regexesIn(dir: string): Array<{ where: string; source: string; flags: string }> {
  const found: Array<{ where: string; source: string; flags: string }> = [];
  for (const name of readdirSync(dir, { recursive: true }) as string[]) {
    if (!/\.(ts|tsx|mts|mjs)$/.test(name)) continue;
    const file = path.join(dir, name);
    const sourceFile = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true, name.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
    const where = (node: ts.Node) => `${name}:${sourceFile.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
    const visit = (node: ts.Node): void => {
      if (ts.isRegularExpressionLiteral(node)) {
        const text = node.text;
        const slash = text.lastIndexOf('/');
        found.push({ where: where(node), source: text.slice(1, slash), flags: text.slice(slash + 1) });
      } else if (ts.isNewExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'RegExp') {
        const [pattern, flags] = node.arguments ?? [];
        // A RegExp built from a non-literal would escape this check: not allowed here.
        expect(pattern && ts.isStringLiteralLike(pattern), `${where(node)}: new RegExp needs a literal pattern`).toBe(true);
        found.push({ where: where(node), source: (pattern as ts.StringLiteralLike).text, flags: flags && ts.isStringLiteralLike(flags) ? flags.text : '' });
      }
      ts.forEachChild(node, visit);
    };
    visit(sourceFile);
  }
  return found;
}

// The ReDoS check CI runs: recheck (automaton + fuzzing) over each of our own patterns.
describe('no catastrophic backtracking in the email channel', () => {
  const regexes = regexesIn(EMAIL_DIR);

  it('finds the patterns to check', () => {
    expect(regexes.length).toBeGreaterThan(10);
  });

  it('every pattern is linear-time safe (recheck)', async () => {
    const verdicts = [];
    for (const regex of regexes) {
      const diagnostics = await check(regex.source, regex.flags, { timeout: 10_000 });
      verdicts.push({ where: regex.where, pattern: `/${regex.source}/${regex.flags}`, status: diagnostics.status, ...(diagnostics.status === 'vulnerable' ? { attack: diagnostics.attack.pattern, complexity: diagnostics.complexity.type } : {}) });
    }
    expect(verdicts.filter((v) => v.status !== 'safe')).toEqual([]);
  }, 120_000);
});
