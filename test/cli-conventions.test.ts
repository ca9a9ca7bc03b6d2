// The conventions people know from kubectl, istioctl and kustomize, as cw keeps them: a default
// topology file (./federation.yaml), -o/--out for the output folder, --format text|json|yaml for
// results, `cw init`, shell completion, colour only on a terminal, and verify refusing a folder that
// holds another federation's output.

import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { wantsColor } from "../src/cli/io.js";
import { painter } from "../src/cli/style.js";
import { cw, cwWith } from "./support/cw.js";
import { StandInKubeApi, writeKubeconfig } from "./support/kube-stand-in.js";

const EXAMPLE = resolve("examples/split-bookinfo");
const here = process.cwd();
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "cw-conventions-"));
  process.chdir(dir);
});

afterEach(() => {
  process.chdir(here);
  rmSync(dir, { recursive: true, force: true });
});

const useExample = () => {
  copyFileSync(join(EXAMPLE, "federation.yaml"), "federation.yaml");
  copyFileSync(join(EXAMPLE, "federation.lock.yaml"), "federation.lock.yaml");
};

describe("the topology defaults to ./federation.yaml", () => {
  it("check, generate and verify read it when given none", async () => {
    useExample();
    expect((await cw("check")).out).toMatch(/^ok: 2 clusters, 4 services/);
    const generated = await cw("generate");
    expect(generated.code).toBe(0);
    expect(existsSync(join(dir, "out", "a"))).toBe(true);
    const verified = await cw("verify");
    expect(verified.code).toBe(0);
    expect(verified.out).toMatch(/verified: \d+ checks hold/);
  });

  it("says so, and how to make one, when there is none", async () => {
    const r = await cw("generate");
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/no topology file given and no \.\/federation\.yaml here; .*cw init/);
    expect(existsSync(join(dir, "out"))).toBe(false);
  });

  it("is named in every topology command's --help", async () => {
    for (const command of ["generate", "check", "verify", "trace", "diff", "apply", "ui", "discover"]) {
      const help = (await cw(command, "--help")).out;
      expect(help, command).toMatch(/\[topology\]/);
      expect(help.replace(/\s+/g, " "), command).toContain("(default: ./federation.yaml)");
    }
  });
});

describe("cw verify checks that the folder is this federation's", () => {
  it("refuses a folder holding another federation's output (CW3005)", async () => {
    cpSync(join(EXAMPLE, "out"), "out", { recursive: true });
    writeFileSync(
      "federation.yaml",
      readFileSync(join(EXAMPLE, "federation.yaml"), "utf8").replace("name: bookinfo", "name: shop"),
    );
    const r = await cw("verify");
    expect(r.code).toBe(1);
    expect(r.err).toContain('error CW3005: out/ holds the output of federation "bookinfo", not of "shop"');
    expect(r.out).toBe("");
  });

  it("refuses the default folder when nothing says whose it is, but not one given with -o", async () => {
    useExample();
    cpSync(join(EXAMPLE, "out", "a"), join("out", "a"), { recursive: true });
    cpSync(join(EXAMPLE, "out", "b"), join("out", "b"), { recursive: true });
    const defaulted = await cw("verify");
    expect(defaulted.code).toBe(1);
    expect(defaulted.err).toContain("error CW3005: out/ has no .coddiwomple-manifest");
    const given = await cw("verify", "-o", "out");
    expect(given.err).toBe("");
    expect(given.code).toBe(0);
  });
});

describe("cw trace", () => {
  it("answers the old folder argument with -o", async () => {
    const r = await cw("trace", join(EXAMPLE, "out"), "--from", "a", "--to", "reviews.global:9080");
    expect(r.code).toBe(2);
    expect(r.err).toContain("is a folder: give the folder to trace with -o");
  });
});

describe("--format json and yaml", () => {
  it("check prints its diagnostics as a YAML list on stderr and its result on stdout", async () => {
    useExample();
    writeFileSync(
      "federation.yaml",
      readFileSync("federation.yaml", "utf8").replace("cluster: b", "cluster: zz"),
    );
    const bad = await cw("check", "--format", "yaml");
    expect(bad.code).toBe(1);
    expect(parse(bad.err)).toEqual([expect.objectContaining({ code: "CW1008", level: "error", line: 51 })]);
    useExample();
    const good = await cw("check", "--format", "yaml");
    expect(parse(good.out)).toEqual({ ok: true, clusters: 2, services: 4, warnings: 0 });
  });

  it("verify, explain and schema print one document a tool reads", async () => {
    useExample();
    await cw("generate");
    const asJson = JSON.parse((await cw("verify", "--format", "json")).out) as { ok: boolean };
    const asYaml = parse((await cw("verify", "--format", "yaml")).out) as { ok: boolean };
    expect(asYaml).toEqual(asJson);
    expect(asJson.ok).toBe(true);
    expect(parse((await cw("explain", "CW1008", "--format", "yaml")).out)).toMatchObject({
      code: "CW1008",
      level: "error",
    });
    const schema = readFileSync(join(here, "schema", "federation.schema.json"), "utf8");
    expect((await cw("schema")).out).toBe(schema);
    expect(parse((await cw("schema", "--format", "yaml")).out)).toEqual(JSON.parse(schema));
  });
});

describe("cw init", () => {
  it("writes a commented starter that passes cw check, with the schema line for editors", async () => {
    const r = await cw("init");
    expect(r.code).toBe(0);
    const text = readFileSync("federation.yaml", "utf8");
    const schemaLine = /^# yaml-language-server: \$schema=(\S+)\n/.exec(text);
    expect(schemaLine?.[1]).toBeDefined();
    expect(readFileSync(resolve(dir, schemaLine?.[1] ?? ""), "utf8")).toBe(
      readFileSync(join(here, "schema", "federation.schema.json"), "utf8"),
    );
    expect(text.split("\n").filter((l) => /#/.test(l)).length).toBeGreaterThan(10);
    const checked = await cw("check");
    expect(checked.err).toBe("");
    expect(checked.out).toMatch(/^ok: 2 clusters, 1 services, 0 errors, 0 warnings/);
  });

  it("leaves an existing file as it is", async () => {
    writeFileSync("federation.yaml", "mine\n");
    const r = await cw("init");
    expect(r.code).toBe(2);
    expect(r.err).toContain("federation.yaml exists; cw init leaves it alone");
    expect(readFileSync("federation.yaml", "utf8")).toBe("mine\n");
  });

  it("--from-discover fills it from a cluster (stand-in API server)", async () => {
    const server = await StandInKubeApi.start({
      objects: [
        {
          apiVersion: "v1",
          kind: "Service",
          metadata: { name: "reviews", namespace: "default" },
          spec: { ports: [{ name: "http", port: 9080, protocol: "TCP" }] },
        },
      ],
    });
    try {
      const kubeconfig = writeKubeconfig(join(dir, "kubeconfig"), [{ name: "east", url: server.url }]);
      const r = await cw(
        "init",
        "--from-discover",
        "--context",
        "east",
        "--kubeconfig",
        kubeconfig,
        "-n",
        "default",
      );
      expect(r.err).toBe("");
      expect(r.code).toBe(0);
      const text = readFileSync("federation.yaml", "utf8");
      expect(text).toMatch(
        /^# yaml-language-server: \$schema=\S+federation\.schema\.json\n# Written by cw init --from-discover/,
      );
      expect(text).toContain("- name: east");
      expect(text).toContain("- name: reviews");
    } finally {
      await server.close();
    }
  });

  it("--from-discover wants the contexts to read", async () => {
    const r = await cw("init", "--from-discover");
    expect(r.code).toBe(2);
    expect(r.err).toContain("--from-discover reads the clusters named with --context");
    expect(existsSync("federation.yaml")).toBe(false);
  });
});

describe("cw completion", () => {
  const script = async (shell: string) => {
    const r = await cw("completion", shell);
    expect(r.code).toBe(0);
    const file = join(dir, `cw.${shell}`);
    writeFileSync(file, r.out);
    return file;
  };
  const has = (shell: string) => spawnSync("sh", ["-c", `command -v ${shell}`]).status === 0;

  it("bash completes commands, flags and their values", async () => {
    const file = await script("bash");
    const complete = (...words: string[]) =>
      execFileSync(
        "bash",
        [
          "-c",
          `source "${file}"; COMP_WORDS=(${words.map((w) => `'${w}'`).join(" ")}); COMP_CWORD=${words.length - 1}; _cw; echo "\${COMPREPLY[*]}"`,
        ],
        { encoding: "utf8" },
      ).trim();
    expect(complete("cw", "gen")).toBe("generate");
    expect(complete("cw", "generate", "--fo").split(" ").sort()).toEqual(["--force", "--format"]);
    expect(complete("cw", "verify", "--format", "")).toBe("text json yaml");
    expect(complete("cw", "completion", "")).toBe("bash zsh fish");
    expect(complete("cw", "trace", "-")).toContain("--out");
  });

  it.skipIf(!has("fish"))("fish completes commands and flag values", async () => {
    const file = await script("fish");
    const complete = (line: string) =>
      execFileSync("fish", ["--no-config", "-c", `source "${file}"; complete -C "${line}"`], {
        encoding: "utf8",
        env: { ...process.env, HOME: dir },
      });
    expect(complete("cw gen")).toMatch(/^generate\t/);
    expect(
      complete("cw check --format ")
        .split("\n")
        .map((l) => l.split("\t")[0]),
    ).toEqual(expect.arrayContaining(["text", "json", "yaml"]));
  });

  it.skipIf(!has("zsh"))("zsh reads the script", async () => {
    const file = await script("zsh");
    expect(spawnSync("zsh", ["-n", file]).status).toBe(0);
    expect(readFileSync(file, "utf8")).toContain("'(-o --out)'{-o,--out}'[output folder");
  });
});

describe("colour", () => {
  const ESC = String.fromCharCode(27);

  it("is on for a terminal, off when piped, and NO_COLOR wins", () => {
    const tty = { isTTY: true };
    expect(wantsColor(tty, {})).toBe(true);
    expect(wantsColor({ isTTY: false }, {})).toBe(false);
    expect(wantsColor({}, {})).toBe(false);
    expect(wantsColor(tty, { NO_COLOR: "1" })).toBe(false);
    expect(wantsColor(tty, { NO_COLOR: "" })).toBe(true);
    expect(wantsColor(tty, { TERM: "dumb" })).toBe(false);
    expect(wantsColor({}, { FORCE_COLOR: "1" })).toBe(true);
    expect(wantsColor({}, { FORCE_COLOR: "0" })).toBe(false);
    expect(wantsColor(tty, { NO_COLOR: "1", FORCE_COLOR: "1" })).toBe(false);
  });

  it("marks errors in red when the stream takes colour, and nothing otherwise", async () => {
    useExample();
    writeFileSync(
      "federation.yaml",
      readFileSync("federation.yaml", "utf8").replace("cluster: b", "cluster: zz"),
    );
    const coloured = await cwWith({ paint: { out: painter(true), err: painter(true) } }, ["check"]);
    expect(coloured.err).toContain("\x1b[31m\x1b[1merror\x1b[22m\x1b[39m CW1008");
    const plain = await cw("check");
    expect(plain.err).not.toContain("\x1b[");
    // Without its colour codes, the coloured report is the plain one.
    const uncoloured = coloured.err
      .split(ESC)
      .map((part, i) => (i === 0 ? part : part.replace(/^\[\d+m/, "")))
      .join("");
    expect(uncoloured).toBe(plain.err);
  });

  it("marks verify's and trace's verdicts: what holds green, what fails red", async () => {
    useExample();
    await cw("generate");
    const colour = { paint: { out: painter(true), err: painter(true) } };
    const verified = await cwWith(colour, ["verify"]);
    // The verdict line, then the assumptions it rests on.
    expect(verified.out).toMatch(
      new RegExp(`${ESC}\\[32mverified: \\d+ checks hold${ESC}\\[39m\n\nThis rests on`),
    );
    const refused = await cwWith(colour, [
      "trace",
      "--from",
      "b/default/reviews",
      "--to",
      "productpage.global:9080",
    ]);
    expect(refused.code).toBe(1);
    expect(refused.out).toMatch(new RegExp(`${ESC}\\[31mrefused: .*${ESC}\\[39m\n$`));
    expect((await cw("verify")).out).not.toContain(ESC);
  });
});
