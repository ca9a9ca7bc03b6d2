// The package as a user gets it: `npm pack` (which builds dist/), `npm install -g` of the tarball
// into a folder of its own, then the installed `cw` run from a folder outside the clone, where none of
// the clone's sources or node_modules can be reached. It fails if the tarball lacks a file a command
// needs: every chunk the bundle imports, the web page's assets, the schema.

import { execFile, spawn, spawnSync } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Installed, packAndInstall } from "../scripts/pack.js";
import { StandInKubeApi, writeKubeconfig } from "./support/kube-stand-in.js";

const EXAMPLE = join(import.meta.dirname, "..", "examples", "split-bookinfo");
const packageJson = JSON.parse(readFileSync(join(import.meta.dirname, "..", "package.json"), "utf8")) as {
  version: string;
  dependencies?: Record<string, string>;
};

let dir: string;
let work: string;
let installed: Installed;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "cw-package-"));
  work = join(dir, "work");
  installed = packAndInstall(dir);
  // The user's folder: a copy of the example, away from the clone.
  mkdirSync(work);
  copyFileSync(join(EXAMPLE, "federation.yaml"), join(work, "federation.yaml"));
  copyFileSync(join(EXAMPLE, "federation.lock.yaml"), join(work, "federation.lock.yaml"));
}, 180_000);

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Only Node and the installed cw on the PATH, as on a machine with nothing else. */
const env = () => ({
  PATH: [join(installed.prefix, "bin"), dirname(process.execPath)].join(delimiter),
  HOME: dir,
  NO_COLOR: "1",
});

interface Ran {
  readonly code: number | null;
  readonly out: string;
  readonly err: string;
}

/** The installed cw, asynchronously: the stand-in API servers answer from this process meanwhile. */
function cw(...args: string[]): Promise<Ran> {
  return new Promise((resolve) => {
    execFile("cw", args, { cwd: work, env: env(), encoding: "utf8" }, (error, out, err) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, out, err });
    });
  });
}

describe("the packed tarball", () => {
  it("holds every file the bundle loads, and no sources", () => {
    const files = new Set(installed.files);
    const chunks = installed.files.filter((f) => /^dist\/[^/]+\.js$/.test(f));
    expect(chunks).toContain("dist/cw.js");
    for (const chunk of chunks) {
      const text = readFileSync(join(installed.packageDir, chunk), "utf8");
      for (const m of text.matchAll(/(?:from|import)\s*\(?\s*"\.\/([^"]+)"/g)) {
        expect(files, `${chunk} imports ./${m[1]}`).toContain(`dist/${m[1]}`);
      }
    }
    for (const asset of ["index.html", "app.js", "app.css"]) expect(files).toContain(`dist/assets/${asset}`);
    expect(files).toContain("schema/federation.schema.json");
    expect(files).toContain("dist/THIRD-PARTY-LICENSES.txt");
    expect([...files].filter((f) => /^(src|test|bench|scripts)\//.test(f))).toEqual([]);
  });

  it("needs nothing but Node at run time: no dependencies, no warnings when installed", () => {
    expect(packageJson.dependencies ?? {}).toEqual({});
    expect(existsSync(join(installed.packageDir, "node_modules"))).toBe(false);
    expect(installed.installOutput).not.toMatch(/warn|EBADENGINE|install-scripts/i);
  });
});

describe("the installed cw, outside the clone", () => {
  it("--version prints the package's version", async () => {
    const r = await cw("--version");
    expect(r).toEqual({ code: 0, out: `${packageJson.version}\n`, err: "" });
  });

  it("generates the example into a folder, then verifies it", async () => {
    const generated = await cw("generate", "-o", "out");
    expect(generated.err).toBe("");
    expect(generated.code).toBe(0);
    expect(readdirSync(join(work, "out")).sort()).toEqual([".coddiwomple-manifest", "a", "b"]);
    const verified = await cw("verify");
    expect(verified.code).toBe(0);
    expect(verified.out).toMatch(/verified: \d+ checks hold/);
    const traced = await cw("trace", "--from", "a/default/productpage", "--to", "reviews.global:9080");
    expect(traced.code).toBe(0);
    expect(traced.out).toMatch(/^ok: reached reviews\.default\.svc\.cluster\.local:9080 in cluster b/m);
  });

  it("generates the same folder with a helper thread (--jobs 2) as without, from the bundle's own helper file", async () => {
    const one = await cw("generate", "-o", "jobs-1", "--jobs", "1", "--lock", "jobs.lock");
    const two = await cw("generate", "-o", "jobs-2", "--jobs", "2", "--lock", "jobs.lock");
    expect([one.code, one.err, two.code, two.err]).toEqual([0, "", 0, ""]);
    const files = (dir: string) =>
      readdirSync(join(work, dir), { recursive: true, encoding: "utf8" })
        .sort()
        .map((f) => [
          f,
          statSync(join(work, dir, f)).isFile() ? readFileSync(join(work, dir, f), "utf8") : "",
        ]);
    expect(files("jobs-2")).toEqual(files("jobs-1"));
    expect(installed.files).toContain("dist/cluster-helper.js");
  });

  it("verifies with a helper thread (--jobs 2) as without, from the bundle's own helper file", async () => {
    await cw("generate", "-o", "verify-jobs", "--lock", "verify-jobs.lock");
    const one = await cw("verify", "-o", "verify-jobs", "--jobs", "1");
    const two = await cw("verify", "-o", "verify-jobs", "--jobs", "2");
    expect([one.code, one.err, two.code, two.err]).toEqual([0, "", 0, ""]);
    expect(two.out).toBe(one.out);
    expect(installed.files).toContain("dist/verify-helper.js");
  });

  it("cw ui answers its page and its script with 200", async () => {
    const ui = spawn("cw", ["ui", "--port", "0"], { cwd: work, env: env() });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = "";
        ui.stdout.on("data", (chunk: Buffer) => {
          out += chunk.toString();
          const m = / at (http:\/\/\S+\/) /.exec(out);
          if (m?.[1]) resolve(m[1]);
        });
        ui.stderr.on("data", (chunk: Buffer) => reject(new Error(chunk.toString())));
        ui.on("exit", (code) => reject(new Error(`cw ui exited with ${code}: ${out}`)));
      });
      for (const path of ["", "app.js", "app.css", "api/state"]) {
        const res = await fetch(`${url}${path}`);
        expect(res.status, path).toBe(200);
      }
      // The picture: Graphviz, bundled as WebAssembly.
      const svg = await fetch(`${url}api/graph.svg`);
      expect(svg.status).toBe(200);
      expect(await svg.text()).toContain("<svg");
    } finally {
      const stopped = new Promise((resolve) => ui.once("exit", resolve));
      ui.kill("SIGINT");
      expect(await stopped).toBe(0);
    }
  });

  it("discover, diff and apply reach clusters through the bundled Kubernetes client (stand-in API servers)", async () => {
    const a = await StandInKubeApi.start({});
    const b = await StandInKubeApi.start({});
    try {
      const kubeconfig = writeKubeconfig(join(dir, "kubeconfig"), [
        { name: "a", url: a.url },
        { name: "b", url: b.url },
      ]);
      const discovered = await cw("discover", "--kubeconfig", kubeconfig);
      expect(discovered.code, discovered.err).toBe(0);
      expect(discovered.out).toMatch(/^cluster a \(context a\): /m);
      const diff = await cw("diff", "--kubeconfig", kubeconfig);
      expect(diff.code, diff.err).toBe(1);
      expect(diff.out).toMatch(/cw diff: a differs, b differs/);
      const applied = await cw("apply", "--kubeconfig", kubeconfig);
      expect(applied.code, applied.err).toBe(0);
      expect(a.objects().length).toBeGreaterThan(0);
      expect((await cw("diff", "--kubeconfig", kubeconfig)).code).toBe(0);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it("also installs as a project's dependency, run with npx", () => {
    const project = join(dir, "project");
    mkdirSync(project);
    writeFileSync(join(project, "package.json"), '{ "name": "user-project", "private": true }\n');
    const npm = spawnSync(
      "npm",
      ["install", "--offline", "--no-audit", "--no-fund", "--no-update-notifier", installed.tarball],
      { cwd: project, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } },
    );
    expect(npm.status, npm.stderr).toBe(0);
    expect(`${npm.stdout}${npm.stderr}`).not.toMatch(/warn/i);
    copyFileSync(join(work, "federation.yaml"), join(project, "federation.yaml"));
    const ran = spawnSync("npx", ["--offline", "cw", "check"], {
      cwd: project,
      encoding: "utf8",
      env: {
        ...process.env,
        NO_COLOR: "1",
        PATH: [dirname(process.execPath), process.env.PATH].join(delimiter),
      },
    });
    expect(ran.stderr).toBe("");
    expect(ran.stdout).toMatch(/^ok: 2 clusters, 4 services/);
  });

  it("cw init writes a starter whose schema line names the installed schema", async () => {
    const r = await cw("init", "starter.yaml");
    expect(r.code).toBe(0);
    const schema = /^# yaml-language-server: \$schema=(\S+)$/m.exec(
      readFileSync(join(work, "starter.yaml"), "utf8"),
    );
    expect(resolve(work, schema?.[1] ?? "")).toBe(
      join(installed.packageDir, "schema", "federation.schema.json"),
    );
    expect((await cw("check", "starter.yaml")).code).toBe(0);
  });

  it("prints a completion script", async () => {
    const r = await cw("completion", "bash");
    expect(r.code).toBe(0);
    expect(r.out).toContain("complete -o filenames -F _cw cw");
  });
});
