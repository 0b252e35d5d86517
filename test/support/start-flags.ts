import { readFileSync } from 'node:fs';

/** The words of `npm start` between `node` and the entry point (package.json's start script). */
function startWords(): string[] {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { scripts: { start: string } };
  const words = pkg.scripts.start.split(/\s+/);
  if (words[0] !== 'node' || words.at(-1) !== 'src/main.ts') throw new Error(`unexpected start script: ${pkg.scripts.start}`);
  return words.slice(1, -1);
}

/** Where the start script's `--import <loader>` pair is. */
function loaderAt(words: readonly string[]): number {
  const at = words.indexOf('--import');
  if (at < 0 || at + 1 >= words.length) throw new Error('the start script imports no TypeScript loader');
  return at;
}

/**
 * The node flags `npm start` runs Kith with, but its TypeScript loader, so the bench and the start test
 * run Kith exactly as a user does (with flags of their own added).
 */
export function startNodeFlags(): string[] {
  const words = startWords();
  const at = loaderAt(words);
  return words.filter((_, index) => index !== at && index !== at + 1);
}

/** `npm start`'s TypeScript loader (`--import tsx/esm`): every TypeScript entry point a test or the bench starts needs it. */
export function loaderFlags(): string[] {
  const words = startWords();
  const at = loaderAt(words);
  return words.slice(at, at + 2);
}
