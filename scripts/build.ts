// Builds what the package ships (npm run build; npm pack runs it as prepack): cw bundled with esbuild
// into dist/, with the web UI's page files beside it and the licences of the bundled libraries.
//
// Bundled rather than compiled with tsc, because then the package needs nothing at run time but Node:
// it installs with no dependencies (no registry, no engine or install-script warnings from libraries
// it would otherwise pull in), weighs a few MB instead of 113, and starts by reading a handful of files
// instead of resolving hundreds of modules. Code splitting keeps the start fast: dist/cw.js holds the
// command definitions, and each command's code (the compiler, the tracer, the Kubernetes client, the
// UI server and Graphviz) is in chunks that the command imports when it runs.

import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { type BuildOptions, build, type Metafile, type Plugin } from "esbuild";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");

/**
 * zod exports its messages in some 60 languages (z.locales, z.core.locales), so a bundle would parse
 * all of them at every start: half of zod's code. cw never shows zod's messages (topology/issues.ts
 * words its own) and zod itself sets up English only, so those exports hold the English ones alone.
 */
const englishOnlyZod: Plugin = {
  name: "english-only-zod",
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]zod[\\/]v4[\\/](classic[\\/]external|core[\\/]index)\.js$/.test(args.importer)
        ? { path: join(dirname(args.importer), "..", "locales", "en.js"), namespace: "zod-locales" }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: "zod-locales" }, (args) => ({
      contents: `export { default as en } from ${JSON.stringify(args.path)};`,
      resolveDir: dirname(args.path),
    }));
  },
};

/** How dist/ is bundled; the benchmark bundles the same way to say what the package's bytes are. */
export const bundleOptions = (): BuildOptions & { metafile: true } => ({
  absWorkingDir: ROOT,
  // The helper threads of cw generate and cw verify (src/cli/helper-threads.ts) start from files of their own.
  entryPoints: {
    cw: "src/cli/main.ts",
    "cluster-helper": "src/cli/cluster-helper-worker.ts",
    "verify-helper": "src/cli/verify-helper-worker.ts",
  },
  outdir: "dist",
  // Chunks sit beside cw.js: the UI server finds its page at ./assets/ from its own chunk.
  chunkNames: "[name]-[hash]",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20.20",
  // Some bundled libraries are CommonJS and require Node's own modules.
  banner: {
    js: 'import { createRequire as __cwRequire } from "node:module";\nconst require = __cwRequire(import.meta.url);',
  },
  // Less to parse at start. Names are kept, so a stack trace still says which function failed.
  minifyWhitespace: true,
  minifySyntax: true,
  // Licence texts go to one file instead (below).
  legalComments: "none",
  metafile: true,
  logLevel: "warning",
  plugins: [englishOnlyZod],
});

/** Every bundled package's name, version, licence and licence text: the notice their licences ask for. */
function licences(metafile: Metafile): string {
  const packages = new Set<string>();
  for (const input of Object.keys(metafile.inputs)) {
    // A path is relative to the root, or (from a plugin) "namespace:" and absolute.
    const path = relative(ROOT, resolve(ROOT, input.replace(/^[a-z-]+:/, "")));
    const m = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(path);
    if (m?.[1]) packages.add(m[1]);
  }
  const sections = [...packages].sort().map((dir) => {
    const pkg = JSON.parse(readFileSync(join(ROOT, dir, "package.json"), "utf8")) as {
      name: string;
      version: string;
      license?: string;
    };
    const file = ["LICENSE", "LICENSE.md", "LICENSE.txt", "license", "LICENCE"].find((f) =>
      existsSync(join(ROOT, dir, f)),
    );
    const text = file ? readFileSync(join(ROOT, dir, file), "utf8").trim() : `License: ${pkg.license}`;
    return `${pkg.name} ${pkg.version} (${pkg.license ?? "see below"})\n\n${text}\n`;
  });
  return `cw bundles these libraries; their licences follow.\n\n${sections.join(`\n${"-".repeat(78)}\n\n`)}`;
}

async function main(): Promise<void> {
  const dist = join(ROOT, "dist");
  rmSync(dist, { recursive: true, force: true });
  const result = await build(bundleOptions());
  cpSync(join(ROOT, "src", "ui", "assets"), join(dist, "assets"), { recursive: true });
  writeFileSync(join(dist, "THIRD-PARTY-LICENSES.txt"), licences(result.metafile));
  const outputs = Object.values(result.metafile.outputs);
  const bytes = outputs.reduce((n, o) => n + o.bytes, 0);
  // stderr: npm pack --json prints the package's description on stdout.
  process.stderr.write(`cw: built dist/ (${outputs.length} files, ${(bytes / 1e6).toFixed(1)} MB of code)\n`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) await main();
