// Maps a stack trace logged by a deployed function back to the sources, with the
// source maps `npm run package` leaves in .serverless/sourcemaps/ (they stay out of
// the zips). Paste the stack on stdin:
//   node scripts/decodeStack.mjs < stack.txt
import { readFileSync, existsSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { join } from 'node:path';

const maps = new Map();
/** `/var/task/functions/api/getUpgrade.mjs` → its map, loaded once. */
function mapFor(file) {
  const rel = file.replace(/^file:\/\//, '').replace(/^.*?\/(functions\/)/, '$1');
  if (!maps.has(rel)) {
    const path = join('.serverless', 'sourcemaps', `${rel}.map`);
    maps.set(rel, existsSync(path) ? new SourceMap(JSON.parse(readFileSync(path, 'utf8'))) : undefined);
  }
  return maps.get(rel);
}

const input = readFileSync(0, 'utf8');
const out = input.replace(/((?:file:\/\/)?[^\s()]+\.mjs):(\d+):(\d+)/g, (whole, file, line, column) => {
  const entry = mapFor(file)?.findEntry(Number(line) - 1, Number(column) - 1);
  if (!entry?.originalSource) return whole;
  return `${entry.originalSource.replace(/^.*?node_modules\//, 'node_modules/').replace(/^(\.\.\/)+/, '')}:${entry.originalLine + 1}:${entry.originalColumn + 1}`;
});
process.stdout.write(out);
