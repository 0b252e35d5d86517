import { readFileSync } from 'node:fs';

/**
 * The node flags `npm start` runs Kith with (everything between `node` and the entry point in
 * package.json's start script), so the bench and the start test run Kith exactly as a user does.
 */
export function startNodeFlags(): string[] {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { scripts: { start: string } };
  const words = pkg.scripts.start.split(/\s+/);
  if (words[0] !== 'node' || words.at(-1) !== 'src/main.ts') throw new Error(`unexpected start script: ${pkg.scripts.start}`);
  return words.slice(1, -1).filter((word) => word !== '--import' && word !== 'tsx');
}
