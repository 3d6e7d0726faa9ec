import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/** One file of the console as a web server (the local stack) or a bucket (the deployed console) serves it. */
interface ConsoleFile {
  contentType: string;
  body: Uint8Array;
  /** whether the name carries a hash of the content (so it may be cached for ever) */
  immutable: boolean;
}

/** The console: `index.html` at the root and its assets under `console/`, by path without a leading slash. */
export type ConsoleFiles = Map<string, ConsoleFile>;

const HERE = dirname(fileURLToPath(import.meta.url));

const TYPES: Record<string, string> = { '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.map': 'application/json' };

/**
 * Bundles the console with esbuild, in memory: one script and one style sheet
 * named by their content's hash, and the page that loads them. Nothing comes
 * from a CDN: the page works offline, served from one origin. With `outDir`
 * the files are written there too (the deploy script publishes such a
 * directory; the local stack serves the map as it is).
 */
export async function buildConsole(options: { outDir?: string; minify?: boolean } = {}): Promise<ConsoleFiles> {
  const result = await build({
    entryPoints: { app: join(HERE, 'src', 'main.tsx') },
    bundle: true,
    write: false,
    format: 'esm',
    target: 'es2022',
    platform: 'browser',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    minify: options.minify ?? true,
    sourcemap: false,
    outdir: join(HERE, 'out', 'console'),
    entryNames: '[name]-[hash]',
    legalComments: 'none',
    logLevel: 'silent',
  });
  const files: ConsoleFiles = new Map();
  const assets: string[] = [];
  for (const f of result.outputFiles) {
    const name = `console/${f.path.split('/').pop()!}`;
    const ext = name.slice(name.lastIndexOf('.'));
    files.set(name, { contentType: TYPES[ext] ?? 'application/octet-stream', body: f.contents, immutable: true });
    assets.push(name);
  }
  const script = assets.find((a) => a.endsWith('.js'));
  const style = assets.find((a) => a.endsWith('.css'));
  if (!script) throw new Error('the console build produced no script');
  // relative paths: the page works at the root of any origin (the local stack, a bucket behind CloudFront)
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>kupgrade</title>
${style ? `<link rel="stylesheet" href="${style}">\n` : ''}<script type="module" src="${script}"></script>
</head>
<body>
<div id="app"><p>Loading the kupgrade console…</p></div>
<noscript>The kupgrade console needs JavaScript.</noscript>
</body>
</html>
`;
  files.set('index.html', { contentType: 'text/html; charset=utf-8', body: new TextEncoder().encode(html), immutable: false });
  if (options.outDir) {
    for (const [name, f] of files) {
      const path = join(options.outDir, name);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, f.body);
    }
  }
  return files;
}
