// npm run generate: the files made from the code, committed so that a reader (and a Lambda bundle) has them without a build.
// test/unit/api/generated.test.ts fails when one of them is not what this script would write now.
import { writeFile } from 'node:fs/promises';
import { GENERATED } from './generated.js';

for (const file of GENERATED) {
  await writeFile(file.path, await file.render());
  console.log(`wrote ${file.path.pathname.replace(new URL('..', import.meta.url).pathname, '')}`);
}
