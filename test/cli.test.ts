// The command line as a user meets it, driven in-process through runAsync(argv, io): exit codes (0 ok, 1 the
// input has errors, 2 the command was misused), diagnostics as text (file:line:col, the source line, a
// caret) and as JSON, no stack traces for user mistakes, and nothing written when the input is wrong.

import { execFileSync, spawnSync } from "node:child_process";
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runAsync } from "../src/cli/main.js";
import { catalog } from "../src/diagnostics/catalog.js";
import { cw } from "./support/cw.js";

// A stack frame ("    at fn (file:1:2)") or a thrown error's name means a user mistake escaped as a crash.
const STACK = /^\s+at .+:\d+:\d+\)?$|^\w*Error: /m;

const GOOD = `apiVersion: coddiwomple.io/v1alpha1
kind: Federation
metadata:
  name: demo
spec:
  clusters:
    - name: a
      trustDomain: a.example
      ingress: { addresses: [192.0.2.1] }
    - name: b
      trustDomain: b.example
      ingress: { addresses: [192.0.2.2], serviceAccount: istio-ingressgateway }
  services:
    - name: reviews
      ports: [{ name: http, protocol: HTTP, port: 9080 }]
      backends: [{ cluster: b }]
      consumers: [a]
`;

// Line 7 has an invalid cluster name (col 13), line 16 a backend in an undefined cluster (col 29).
const BAD = `apiVersion: coddiwomple.io/v1alpha1
kind: Federation
metadata:
  name: demo
spec:
  clusters:
    - name: Bad_Name
      ingress: { addresses: [192.0.2.1] }
    - name: b
      ingress: { addresses: [192.0.2.2] }
  services:
    - name: reviews
      ports: [{ name: http, protocol: HTTP, port: 9080 }]
      backends: [{ cluster: b }]
    - name: ratings
      backends: [{ cluster: c }]
      ports: [{ name: http, protocol: HTTP, port: 9080 }]
`;

const LEGACY_CLUSTERS = `[
  { "name": "a", "address": "a.example.com" },
  { "name": "b", "address": "b.example.com" }
]
`;

const LEGACY_SERVICES = `[
  {
    "name": "foo",
    "dns_prefixes": ["foo", "foo.default"],
    "ports": [{ "name": "http", "service_port": 80, "protocol": "HTTP", "backend_port": 80 }],
    "backends": { "a": "foo.default.svc.cluster.local", "c": "foo.default.svc.cluster.local" }
  }
]
`;

let dir: string;
let out: string;
let lock: string;
const file = (name: string, content: string): string => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "cw-cli-"));
  out = join(dir, "out");
  lock = join(dir, "federation.lock.yaml");
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("exit code 0", () => {
  it("generate writes the folder and the lock file", async () => {
    const topology = file("federation.yaml", GOOD);
    const ran = await cw("generate", topology, "-o", out, "--lock", lock);
    expect(ran.err).toBe("");
    expect(ran.code).toBe(0);
    expect(existsSync(join(out, "a"))).toBe(true);
    expect(existsSync(join(out, "b"))).toBe(true);
    expect(existsSync(lock)).toBe(true);
  });

  it("check says ok and writes nothing", async () => {
    const topology = file("federation.yaml", GOOD);
    const ran = await cw("check", topology, "--lock", lock);
    expect(ran.code).toBe(0);
    expect(ran.out).toMatch(/^ok: 2 clusters, 1 services, 0 errors, 0 warnings$/m);
    expect(existsSync(lock)).toBe(false);
  });

  it("warnings alone do not fail the run", async () => {
    const topology = file(
      "federation.yaml",
      `${GOOD}    - name: idle\n      ports: [{ name: http, protocol: HTTP, port: 80 }]\n      backends: []\n`,
    );
    const ran = await cw("generate", topology, "-o", out, "--lock", lock);
    expect(ran.code).toBe(0);
    expect(ran.err).toContain(`${topology}:18:13: warning CW1018: `);
    expect(existsSync(out)).toBe(true);
  });

  it("reads the original Coddiwomple's two files", async () => {
    const clusters = file("clusters.json", LEGACY_CLUSTERS);
    const services = file("services.json", LEGACY_SERVICES.replace('"c": "foo', '"b": "foo'));
    const ran = await cw("check", "--cluster-file", clusters, "--service-file", services, "--lock", lock);
    expect(ran.err).toBe("");
    expect(ran.code).toBe(0);
  });
});

describe("the lock file: checked before any output, written through an unpredictable name", () => {
  it("a lock file that cannot be written stops the run before any output is written", async () => {
    const topology = file("federation.yaml", GOOD);
    writeFileSync(join(dir, "not-a-folder"), "");
    const unwritable = join(dir, "not-a-folder", "federation.lock.yaml");
    const ran = await cw("generate", topology, "-o", out, "--lock", unwritable);
    expect(ran.code).toBe(1);
    expect(ran.err).toContain(`error CW3004: cannot write the lock file ${unwritable}`);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir).sort()).toEqual(["federation.yaml", "not-a-folder"]);
  });

  it("a link planted where the lock file's temporary file used to go is not followed", async () => {
    const topology = file("federation.yaml", GOOD);
    const victim = file("victim.txt", "the user's own file\n");
    // The name cw used before issue 12, which anyone could predict from the pid.
    symlinkSync(victim, `${lock}.cw-tmp-${process.pid}`);
    const ran = await cw("generate", topology, "-o", out, "--lock", lock);
    expect(ran.code).toBe(0);
    expect(readFileSync(victim, "utf8")).toBe("the user's own file\n");
    expect(lstatSync(lock).isFile()).toBe(true);
    expect(readFileSync(lock, "utf8")).toContain("reviews: ");
  });
});

describe("input files cw cannot read: a coded error, bounded, never a hang", () => {
  it("a folder given as the topology is CW1039 with exit 1", async () => {
    mkdirSync(join(dir, "folder.yaml"));
    const ran = await cw("check", join(dir, "folder.yaml"), "--lock", lock);
    expect(ran.code).toBe(1);
    expect(ran.err).toContain(`error CW1039: ${join(dir, "folder.yaml")} is a folder, not a file`);
    expect(ran.err).not.toMatch(STACK);
  });

  it("a file that is not UTF-8 is CW1039, not read with its bytes replaced", async () => {
    const topology = join(dir, "latin1.yaml");
    writeFileSync(topology, Buffer.concat([Buffer.from(GOOD), Buffer.from([0xe9, 0x0a])]));
    const ran = await cw("check", topology, "--lock", lock);
    expect(ran.code).toBe(1);
    expect(ran.err).toContain("error CW1039: ");
    expect(ran.err).toContain("is not UTF-8 text");
  });

  it("a FIFO given as the topology is CW1039 at once (cw, as a user runs it)", async () => {
    const fifo = join(dir, "fifo.yaml");
    execFileSync("mkfifo", [fifo]);
    // In a child: before issue 12 the read waited for a writer forever, which would hang this runner.
    const tsx = join("node_modules", ".bin", "tsx");
    const ran = spawnSync(tsx, ["src/cli/main.ts", "check", fifo, "--lock", lock], {
      encoding: "utf8",
      timeout: 20_000,
    });
    expect(ran.status).toBe(1);
    expect(ran.stderr).toContain(`error CW1039: ${fifo} is a pipe (FIFO), not a file`);
  });

  it("a 200 KB line is not echoed: the source excerpt is bounded", async () => {
    const deep = `${"[".repeat(100_000)}${"]".repeat(100_000)}`;
    const topology = file(
      "federation.yaml",
      `apiVersion: coddiwomple.io/v1alpha1\nkind: Federation\nmetadata: {name: x}\nspec: {clusters: ${deep}, services: []}\n`,
    );
    const ran = await cw("check", topology, "--lock", lock);
    expect(ran.code).toBe(1);
    expect(ran.err).toContain("error CW1001: the lists and mappings here are nested");
    expect(ran.err.length).toBeLessThan(1000);
  });
});

describe("the original's files as the original read them", () => {
  it("a misspelt field, as in the original's README, is a warning with a suggestion, not an error", async () => {
    const clusters = file(
      "clusters.json",
      LEGACY_CLUSTERS.replace(
        '"address": "a.example.com"',
        '"address": "a.example.com", "kubecondig_context": "a"',
      ),
    );
    const services = file("services.json", LEGACY_SERVICES.replace('"c": "foo', '"b": "foo'));
    const ran = await cw(
      "generate",
      "--cluster-file",
      clusters,
      "--service-file",
      services,
      "-o",
      out,
      "--lock",
      lock,
    );
    expect(ran.code).toBe(0);
    expect(ran.err).toContain(
      `${clusters}:2:46: warning CW1038: unknown field "kubecondig_context" (did you mean "kubeconfig_context"?)`,
    );
    expect(existsSync(out)).toBe(true);
  });
});

describe("exit code 1: the input has errors", () => {
  it("reports every problem as file:line:col, the source line and a caret", async () => {
    const topology = file("federation.yaml", BAD);
    const ran = await cw("check", topology, "--lock", lock);
    expect(ran.code).toBe(1);
    expect(ran.err).toContain(
      `${topology}:7:13: error CW1005: "Bad_Name" is not a valid name for the cluster; use lower-case letters, digits and '-', starting and ending with a letter or digit\n` +
        " 7 |     - name: Bad_Name\n" +
        `   | ${" ".repeat(12)}^^^^^^^^\n`,
    );
    expect(ran.err).toContain(
      `${topology}:16:29: error CW1008: service "ratings" has a backend in cluster "c"`,
    );
    expect(ran.err).toContain(` 16 |       backends: [{ cluster: c }]\n    | ${" ".repeat(28)}^\n`);
    expect(ran.err).toMatch(/^2 errors, 0 warnings$/m);
    expect(ran.err).not.toMatch(STACK);
  });

  it("generate with errors writes no output folder and no lock file", async () => {
    const topology = file("federation.yaml", BAD);
    const ran = await cw("generate", topology, "-o", out, "--lock", lock);
    expect(ran.code).toBe(1);
    expect(ran.out).toBe("");
    expect(existsSync(out)).toBe(false);
    expect(existsSync(lock)).toBe(false);
  });

  it("a syntax error is reported, not thrown", async () => {
    const topology = file("federation.yaml", "apiVersion: coddiwomple.io/v1alpha1\nkind: [Federation\n");
    const ran = await cw("generate", topology, "-o", out, "--lock", lock);
    expect(ran.code).toBe(1);
    expect(ran.err).toMatch(new RegExp(`^${escapeRegExp(topology)}:\\d+:\\d+: error CW1001: `, "m"));
    expect(ran.err).not.toMatch(STACK);
    expect(existsSync(out)).toBe(false);
    expect(existsSync(lock)).toBe(false);
  });

  it("--format json gives parseable JSON with code, level, message, file, line and column", async () => {
    const topology = file("federation.yaml", BAD);
    const ran = await cw("check", topology, "--lock", lock, "--format", "json");
    expect(ran.code).toBe(1);
    const parsed = JSON.parse(ran.err) as unknown;
    expect(parsed).toEqual([
      expect.objectContaining({ code: "CW1005", level: "error", file: topology, line: 7, column: 13 }),
      expect.objectContaining({ code: "CW1008", level: "error", file: topology, line: 16, column: 29 }),
    ]);
    for (const d of parsed as { message: string }[]) expect(d.message).toMatch(/; /);
  });

  it("a broken lock file is an error of its own, at its position", async () => {
    const topology = file("federation.yaml", GOOD);
    file("federation.lock.yaml", "apiVersion: coddiwomple.io/v1alpha1\nkind: Lock\nvip: {}\n");
    const ran = await cw("generate", topology, "-o", out, "--lock", lock);
    expect(ran.code).toBe(1);
    expect(ran.err).toContain(`${lock}:3:1: error CW2001: `);
    expect(existsSync(out)).toBe(false);
  });

  it("the original's files report problems in each file", async () => {
    const clusters = file("clusters.json", LEGACY_CLUSTERS.replace('"name": "b"', '"name": "B"'));
    const services = file("services.json", LEGACY_SERVICES);
    const ran = await cw(
      "generate",
      "--cluster-file",
      clusters,
      "--service-file",
      services,
      "-o",
      out,
      "--lock",
      lock,
    );
    expect(ran.code).toBe(1);
    expect(ran.err).toContain(`${clusters}:3:13: error CW1005: `);
    expect(ran.err).toContain(`${services}:6:57: error CW1008: `);
    expect(ran.err).not.toMatch(STACK);
    expect(existsSync(out)).toBe(false);
    expect(existsSync(lock)).toBe(false);
  });
});

describe("exit code 2: the command was misused", () => {
  const misuses: { name: string; argv: (topology: string) => string[]; says: RegExp }[] = [
    { name: "an unknown option", argv: (t) => ["check", t, "--bogus"], says: /unknown option '--bogus'/ },
    {
      name: "no topology file, and no ./federation.yaml",
      argv: () => ["check", "--lock", lock],
      says: /no topology file given and no \.\/federation\.yaml here; .*cw init/,
    },
    {
      name: "a file that does not exist",
      argv: () => ["generate", join(dir, "nope.yaml"), "-o", out, "--lock", lock],
      says: /no such file: .*nope\.yaml/,
    },
    {
      name: "--cluster-file without --service-file",
      argv: (t) => ["check", "--cluster-file", t, "--lock", lock],
      says: /--cluster-file and --service-file go together/,
    },
    { name: "explain of an unknown code", argv: () => ["explain", "NOPE"], says: /no diagnostic code NOPE/ },
    { name: "an unknown command", argv: () => ["compile"], says: /unknown command 'compile'/ },
    { name: "an unknown --format", argv: (t) => ["check", t, "--format", "xml"], says: /xml/ },
    {
      name: "an invalid --name for the original's files",
      argv: (t) => ["check", "--cluster-file", t, "--service-file", t, "--name", "My_Fed", "--lock", lock],
      says: /--name "My_Fed" is not a valid name/,
    },
    {
      name: "a topology on /dev/stdin without --lock (the lock file would go into /dev)",
      argv: () => ["generate", "/dev/stdin", "-o", out],
      says: /\/dev\/stdin is not a file cw can keep a lock file beside; give one with --lock FILE/,
    },
    {
      name: "--name with a Federation file",
      argv: (t) => ["check", t, "--name", "demo", "--lock", lock],
      says: /--name goes with --cluster-file/,
    },
  ];

  it.each(misuses)("$name", async ({ argv, says }) => {
    const topology = file("federation.yaml", GOOD);
    const ran = await cw(...argv(topology));
    expect(ran.code).toBe(2);
    expect(ran.err).toMatch(says);
    expect(ran.err).not.toMatch(STACK);
    expect(existsSync(out)).toBe(false);
    expect(existsSync(lock)).toBe(false);
  });
});

describe("exit code 70: a bug in cw (CW9001)", () => {
  // A stand-in for any bug: the terminal itself fails. Before issue 12, run() threw it on as a raw
  // stack (exit 1 through bin/cw.js), indistinguishable from a problem of the input.
  const failingOut = (errors: string[]) => ({
    out: () => {
      throw new TypeError("cannot read properties of undefined (reading 'x')");
    },
    err: (text: string) => {
      errors.push(text);
    },
  });

  it("runAsync reports it as CW9001 with exit code 70, without a stack", async () => {
    const topology = file("federation.yaml", GOOD);
    const errors: string[] = [];
    const code = await runAsync(["check", topology, "--lock", lock], failingOut(errors));
    expect(code).toBe(70);
    expect(errors.join("")).toMatch(
      /^cw: error CW9001: internal error: cannot read properties .*; this is a bug in cw, please report it/,
    );
    expect(errors.join("")).not.toMatch(STACK);
  });

  it("a duplicate alias is an input error with its position, not an internal one", async () => {
    const topology = file(
      "federation.yaml",
      GOOD.replace(
        "      ports: [{ name: http",
        "      aliases: [reviews.default, reviews.default]\n      ports: [{ name: http",
      ),
    );
    for (const argv of [["check"], ["generate", "-o", out]]) {
      const ran = await cw(...argv, topology, "--lock", lock);
      expect(ran.code).toBe(1);
      expect(ran.err).toContain(
        `${topology}:15:34: error CW1009: service "reviews" lists alias "reviews.default" twice`,
      );
      expect(existsSync(out)).toBe(false);
    }
  });
});

describe("cw explain", () => {
  it("prints the long form of a code", async () => {
    const ran = await cw("explain", "CW1008");
    expect(ran.code).toBe(0);
    expect(ran.out).toMatch(/^CW1008 \(error\): unknown cluster\n\n/);
    expect(ran.out.replace(/\s+/g, " ")).toContain(catalog.CW1008.explain);
  });

  it("accepts a code in lower case", async () => {
    expect((await cw("explain", "cw1008")).code).toBe(0);
  });

  it("lists every code with its level and title", async () => {
    const ran = await cw("explain");
    expect(ran.code).toBe(0);
    const lines = ran.out.trimEnd().split("\n");
    expect(lines).toHaveLength(Object.keys(catalog).length);
    for (const [code, entry] of Object.entries(catalog)) {
      expect(ran.out).toMatch(new RegExp(`^${code}\\s+${entry.level}\\s+${escapeRegExp(entry.title)}$`, "m"));
    }
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

describe("a topology below /dev (piped in, or on /dev/shm)", () => {
  // Beside such a topology is no place for the lock file: every command that reads one takes --lock.
  // cw verify and cw trace took none, which left a topology there unverifiable.
  it.skipIf(!existsSync("/dev/shm"))(
    "is verified and traced with --lock, and refused without it",
    async () => {
      const dir = mkdtempSync("/dev/shm/cw-test-");
      const work = mkdtempSync(join(tmpdir(), "cw-dev-"));
      try {
        const topology = join(dir, "federation.yaml");
        writeFileSync(topology, GOOD);
        const lock = join(work, "federation.lock.yaml");
        const out = join(work, "out");
        expect((await cw("generate", topology, "-o", out, "--lock", lock)).code).toBe(0);
        const refused = await cw("verify", topology, "-o", out);
        expect(refused.code).toBe(2);
        expect(refused.err).toMatch(/give one with --lock FILE/);
        const verified = await cw("verify", topology, "-o", out, "--lock", lock);
        expect(verified.err).toBe("");
        expect(verified.code).toBe(0);
        const traced = await cw(
          "trace",
          topology,
          "-o",
          out,
          "--lock",
          lock,
          "--from",
          "a",
          "--to",
          "reviews.global:9080",
        );
        expect(traced.err).toBe("");
        expect(traced.code).toBe(0);
      } finally {
        rmSync(dir, { recursive: true, force: true });
        rmSync(work, { recursive: true, force: true });
      }
    },
  );
});
