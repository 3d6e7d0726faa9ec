import { describe, expect, it } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import { GENERATED } from '../../../scripts/generated.js';

describe('generated files', () => {
  it.each(GENERATED.map((f) => [f.path.pathname.split('/').slice(-2).join('/'), f] as const))('%s is what npm run generate writes now', async (_name, file) => {
    const committed = await readFile(file.path, 'utf8');
    // on failure: run `npm run generate` and commit the result
    expect(committed).toBe(await file.render());
  });
});
