/* eslint-disable @typescript-eslint/no-require-imports, no-undef -- CommonJS: serverless-esbuild require()s this file */
// esbuild plugins for serverless-esbuild (custom.esbuild.plugins), which require()s this file.
// The source maps stay out of the zips (a 4 MB map in every zip was most of its bytes and
// of what a cold start loaded): each one is moved, as it is written, from the build folder
// to .serverless/sourcemaps/, beside the artifacts, under the bundle's own path, where
// `node scripts/decodeStack.mjs` reads them to turn a logged stack back into source lines.
const { mkdirSync, readFileSync, readdirSync, renameSync } = require('node:fs');
const { dirname, join, relative } = require('node:path');

const sourceMapsOutOfZips = {
  name: 'source-maps-out-of-zips',
  setup(build) {
    // set here, not in serverless.yml: there the plugin would also zip a -meta.json beside each bundle
    build.initialOptions.metafile = true;
    const buildRoot = build.initialOptions.outdir.replace(/([/\\]\.build)([/\\].*)?$/, '$1');
    const serviceRoot = join(buildRoot, '..', '..');
    build.onEnd((result) => {
      if (result.errors.length) return;
      for (const file of Object.keys(result.metafile?.outputs ?? {})) {
        if (!file.endsWith('.map')) continue;
        const from = join(build.initialOptions.absWorkingDir ?? process.cwd(), file);
        const to = join(serviceRoot, '.serverless', 'sourcemaps', relative(buildRoot, from));
        mkdirSync(dirname(to), { recursive: true });
        renameSync(from, to);
      }
    });
  },
};

// Narrower modules for two dependencies whose entry points drag in what no function runs
// (scripts/bundleShims/ says what each leaves out and why). A cold start compiles every byte
// of its bundle, so these are bytes and milliseconds of every start; `npm run bench:cold` measures them.
const shims = join(__dirname, 'bundleShims');
const narrowEntryPoints = {
  name: 'narrow-entry-points',
  setup(build) {
    build.onResolve({ filter: /^undici$/ }, () => ({ path: join(shims, 'undici.mjs') }));
    build.onResolve({ filter: /^@aws-sdk\/credential-provider-node$/ }, () => ({ path: join(shims, 'awsCredentials.mjs') }));
    // @kubernetes/client-node's package.json does not say `sideEffects: false`, so esbuild keeps every module its
    // index names (exec, attach, cp, port-forward: ws, tar-fs, ~110 KB) though no function uses them. Its modules
    // have no side effects but the File polyfill, which stays.
    build.onResolve({ filter: /.*/ }, async (args) => {
      if (args.pluginData?.narrowEntryPoints) return undefined;
      if (!args.path.startsWith('@kubernetes/client-node') && !/[/\\]@kubernetes[/\\]client-node[/\\]/.test(args.importer)) return undefined;
      const resolved = await build.resolve(args.path, {
        kind: args.kind,
        importer: args.importer,
        resolveDir: args.resolveDir,
        pluginData: { narrowEntryPoints: true },
      });
      if (resolved.errors.length) return undefined;
      const own = /[/\\]@kubernetes[/\\]client-node[/\\]dist[/\\]/.test(resolved.path) && !/[/\\]polyfill\.js$/.test(resolved.path);
      return own ? { ...resolved, sideEffects: false } : resolved;
    });
  },
};

// @kubernetes/client-node's generated API classes hold every operation of their group, four times
// over (request factory, response processor, observable, promise/object-param layers): CoreV1Api
// alone is ~700 KB of a phase bundle, of which kupgrade calls some twenty operations. esbuild
// tree-shakes whole classes, never methods, so this drops the methods whose names appear nowhere
// in kupgrade's sources (src/, functions/), by the TypeScript parser, before esbuild reads the
// files. A method kept is the generated code untouched; one dropped could only be called by a
// name the sources do not spell (dynamic access, which src/kube does not do), and would fail
// as "is not a function". The sources and tests run the full client.
const generatedApis = /[/\\]@kubernetes[/\\]client-node[/\\]dist[/\\]gen[/\\](apis[/\\][^/\\]+Api|types[/\\](Observable|ObjectParam|Promise)API)\.js$/;
const apiClass = /Api(RequestFactory|ResponseProcessor)?$/;

/** Every property name kupgrade's sources spell (`.listNode`), the methods it may call. */
function namesUsedIn(dirs) {
  const names = new Set();
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const file = join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (/\.tsx?$/.test(entry.name)) for (const m of readFileSync(file, 'utf8').matchAll(/\.\s*([A-Za-z_$][\w$]*)/g)) names.add(m[1]);
    }
  };
  for (const dir of dirs) walk(dir);
  return names;
}

const onlyCalledApiMethods = {
  name: 'only-called-api-methods',
  setup(build) {
    const ts = require('typescript');
    const serviceRoot = join(__dirname, '..');
    let used;
    build.onLoad({ filter: generatedApis }, (args) => {
      used ??= namesUsedIn([join(serviceRoot, 'src'), join(serviceRoot, 'functions')]);
      const text = readFileSync(args.path, 'utf8');
      const source = ts.createSourceFile(args.path, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.JS);
      const drop = [];
      for (const statement of source.statements) {
        if (!ts.isClassDeclaration(statement) || !statement.name || !apiClass.test(statement.name.text)) continue;
        for (const member of statement.members) {
          if (!ts.isMethodDeclaration(member) || !member.name || !ts.isIdentifier(member.name)) continue;
          const name = member.name.text;
          if (used.has(name) || used.has(name.replace(/WithHttpInfo$/, ''))) continue;
          drop.push([member.getFullStart(), member.getEnd()]);
        }
      }
      let contents = '';
      let at = 0;
      for (const [start, end] of drop) {
        contents += text.slice(at, start);
        at = end;
      }
      contents += text.slice(at);
      return { contents, loader: 'js', resolveDir: dirname(args.path) };
    });
  },
};

module.exports = [sourceMapsOutOfZips, narrowEntryPoints, onlyCalledApiMethods];
