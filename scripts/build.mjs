// Bundles every function declared in serverless.yml with the esbuild options
// declared there (custom.esbuild), so `npm run build` and `npm run package`
// cannot drift apart. Prints each bundle's size and the packages it holds, and
// fails when a bundle is missing or holds a package it must not.
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { build } from 'esbuild';
import { parse } from 'yaml';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outRoot = join(root, 'dist');

/** Packages a bundle must not contain, by handler folder (issue 6: API bundles stay free of the Kubernetes client). */
const FORBIDDEN = [{ handlerPrefix: 'functions/api/', packages: ['@kubernetes/client-node'] }];

// CloudFormation short tags only need to parse; their values are not used here.
const cfnTags = ['!Ref', '!GetAtt', '!Sub'].map((tag) => ({ tag, resolve: (v) => ({ [tag]: v }) }));
const service = parse(readFileSync(join(root, 'serverless.yml'), 'utf8'), { customTags: cfnTags });
const opts = service.custom.esbuild;
// serverless.yml's plugins but the one that moves source maps from serverless-esbuild's build folder
const plugins = createRequire(import.meta.url)(join(root, opts.plugins)).filter((p) => p.name !== 'source-maps-out-of-zips');

/** `functions/phases/begin.handler` → the source file that exports it. */
function entryOf(handler) {
  const base = handler.slice(0, handler.lastIndexOf('.'));
  const file = ['.ts', '.mts', '.js', '.mjs'].map((ext) => base + ext).find((f) => existsSync(join(root, f)));
  if (!file) throw new Error(`no source file for handler ${handler}`);
  return file;
}

/** node_modules package names whose files are in a bundle, from esbuild's metafile. */
function packagesIn(metafile) {
  const names = new Set();
  for (const input of Object.keys(metafile.inputs)) {
    const m = input.match(/node_modules\/((?:@[^/]+\/)?[^/]+)\/(?!.*node_modules\/)/);
    if (m) names.add(m[1]);
  }
  return [...names].sort();
}

async function bundle(name, handler) {
  const entry = entryOf(handler);
  const outfile = join(outRoot, name, entry.replace(/\.[^.]+$/, opts.outputFileExtension ?? '.js'));
  const result = await build({
    absWorkingDir: root,
    entryPoints: [entry],
    outfile,
    bundle: opts.bundle,
    minify: opts.minify,
    sourcemap: opts.sourcemap,
    target: opts.target,
    platform: opts.platform,
    format: opts.format,
    mainFields: opts.mainFields,
    banner: opts.banner,
    external: [...(opts.external ?? []), ...(opts.exclude ?? [])],
    metafile: true,
    plugins,
    logLevel: 'warning',
  });
  if (!existsSync(outfile) || statSync(outfile).size === 0) throw new Error(`bundle for ${name} is missing: ${outfile}`);
  return { name, handler, file: relative(root, outfile), bytes: statSync(outfile).size, packages: packagesIn(result.metafile) };
}

/** Scoped packages collapse to `@scope/* (n)` so a line stays readable; dist/bundles.json has the full list. */
function summarize(packages) {
  const counts = new Map();
  for (const p of packages) {
    const key = p.startsWith('@') && !FORBIDDEN.some((r) => r.packages.includes(p)) ? `${p.split('/')[0]}/*` : p;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([k, n]) => (k.endsWith('/*') ? `${k} (${n})` : k)).join(', ') || '(none)';
}

const functions = Object.entries(service.functions ?? {});
if (functions.length === 0) throw new Error('serverless.yml declares no functions');
rmSync(outRoot, { recursive: true, force: true });
const bundles = [];
// One at a time: the machines running CI have few cores, and the output stays in order.
for (const [name, fn] of functions) bundles.push(await bundle(name, fn.handler));

const problems = [];
for (const b of bundles) {
  console.log(`${b.name.padEnd(12)} ${(b.bytes / 1024).toFixed(0).padStart(7)} KiB  ${b.file}`);
  console.log(`${''.padEnd(12)} ${b.packages.length} packages: ${summarize(b.packages)}`);
  for (const rule of FORBIDDEN) {
    if (!b.handler.startsWith(rule.handlerPrefix)) continue;
    for (const p of rule.packages.filter((p) => b.packages.includes(p))) problems.push(`${b.name} bundles ${p}`);
  }
}
writeFileSync(join(outRoot, 'bundles.json'), JSON.stringify(bundles, null, 2) + '\n');
if (problems.length) {
  console.error(`build failed:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
