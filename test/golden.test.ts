// Golden cases: every folder under test/golden is one input compiled through the public functions,
// its files compared byte for byte with expected/<cluster>/..., its warnings with diagnostics.txt.
// Refresh with UPDATE_GOLDEN=1 npx vitest run test/golden.test.ts, then read the diff: a golden is
// only worth something if a person has checked it (test/golden/README.md says what to look for).
// A case with before.yaml is a second run: before.yaml is what the first run compiled (without a lock;
// the case's lock is the one it wrote), and removed.txt lists the files the second run reports as
// removed, as `cw generate` does.

import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { schemaProblem } from "../src/analysis/schema-check.js";
import { readExistingFolder } from "../src/cli/existing-folder.js";
import { compile } from "../src/compile.js";
import { type Diagnostic, sortDiagnostics } from "../src/diagnostics/diagnostic.js";
import { MANIFEST, writeOutput } from "../src/emit/write.js";
import type { ExistingConfig } from "../src/existing/model.js";
import { readExisting } from "../src/existing/read.js";
import { hostCovers, serversOf } from "../src/plan/existing-facts.js";
import { EMPTY_LOCK, type Lock, readLock, renderLock } from "../src/plan/lock.js";
import { readLegacy } from "../src/topology/legacy.js";
import type { Topology } from "../src/topology/model.js";
import { readFederation } from "../src/topology/read.js";

const GOLDEN = join(dirname(fileURLToPath(import.meta.url)), "golden");
const UPDATE = process.env.UPDATE_GOLDEN === "1";

interface CaseInput {
  readonly topology?: Topology;
  readonly lock: Lock;
  readonly diagnostics: Diagnostic[];
  /** The case's existing/ folder, as `--existing existing` reads it. */
  readonly existing?: ExistingConfig;
}

/**
 * Reads a case folder the way `cw generate` reads its files: federation.yaml, or the original's
 * clusters.json + services.json; and the lock beside the main file (federation.lock.yaml or
 * services.lock.yaml) when there is one. File names in diagnostics are the bare names.
 */
function readCase(dir: string): CaseInput {
  const text = (name: string) => readFileSync(join(dir, name), "utf8");
  const legacy = !existsSync(join(dir, "federation.yaml"));
  const read = legacy
    ? readLegacy({
        clusters: { file: "clusters.json", text: text("clusters.json") },
        services: { file: "services.json", text: text("services.json") },
      })
    : readFederation("federation.yaml", text("federation.yaml"));
  const lockName = legacy ? "services.lock.yaml" : "federation.lock.yaml";
  const diagnostics = [...read.diagnostics];
  let lock = EMPTY_LOCK;
  if (existsSync(join(dir, lockName))) {
    const parsed = readLock(lockName, text(lockName));
    lock = parsed.lock;
    diagnostics.push(...parsed.diagnostics);
  }
  let existing: ExistingConfig | undefined;
  if (read.topology && existsSync(join(dir, "existing"))) {
    const folder = readExistingFolder(join(dir, "existing"), "existing");
    const names = read.topology.clusters.map((c) => c.name);
    const parsed = readExisting(folder.input, read.topology.name, names);
    diagnostics.push(...folder.diagnostics, ...parsed.diagnostics);
    existing = parsed.existing;
  }
  return {
    ...(read.topology && { topology: read.topology }),
    lock,
    diagnostics,
    ...(existing && { existing }),
  };
}

const compileCase = (input: CaseInput) =>
  input.topology && compile(input.topology, input.lock, input.existing ? { existing: input.existing } : {});

/** One line per diagnostic, `file:line:col level CODE`; the wording is the catalog's business. */
const diagnosticLines = (diagnostics: readonly Diagnostic[]): string =>
  sortDiagnostics(diagnostics)
    .map((d) => {
      const where = d.location ? `${d.location.file}:${d.location.line}:${d.location.col}` : "-";
      return `${where} ${d.level} ${d.code}\n`;
    })
    .join("");

/** Every file below dir, relative, "/"-separated, sorted. */
function listFiles(dir: string, prefix = ""): string[] {
  if (!existsSync(join(dir, prefix))) return [];
  return readdirSync(join(dir, prefix), { withFileTypes: true })
    .flatMap((e) => {
      const rel = prefix ? `${prefix}/${e.name}` : e.name;
      return e.isDirectory() ? listFiles(dir, rel) : [rel];
    })
    .sort();
}

const goldenCases = readdirSync(GOLDEN, { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .map((e) => e.name)
  .sort();
// The bundled example is a golden case too: its output is checked in under out/ for review, as
// `cw generate` wrote it (with its manifest), and must stay what cw generates today.
const EXAMPLE = join(GOLDEN, "..", "..", "examples", "split-bookinfo");
const caseDir = (name: string) => (name === "example" ? EXAMPLE : join(GOLDEN, name));
const expectedOf = (name: string) => join(caseDir(name), name === "example" ? "out" : "expected");
const cases = [...goldenCases, "example"];

describe("golden cases", () => {
  it("has the cases the README describes", () => {
    const readme = readFileSync(join(GOLDEN, "README.md"), "utf8");
    for (const name of goldenCases)
      expect(readme, `README.md lacks a line for ${name}`).toContain(`\`${name}\``);
    expect(goldenCases.length).toBeGreaterThanOrEqual(8);
  });

  describe.each(cases)("%s", (name) => {
    const dir = caseDir(name);
    const expectedDir = expectedOf(name);
    const input = readCase(dir);
    const result = compileCase(input);
    const generated = new Map<string, string>();
    for (const c of result?.clusters ?? []) {
      for (const f of c.files) generated.set(`${c.cluster}/${f.path}`, f.content);
    }
    const diagnostics = diagnosticLines([...input.diagnostics, ...(result?.diagnostics ?? [])]);

    // The example's out/ is written by `npm run example` (cw generate itself, manifest included).
    if (UPDATE && name !== "example") {
      rmSync(expectedDir, { recursive: true, force: true });
      for (const [path, content] of generated) {
        mkdirSync(dirname(join(expectedDir, path)), { recursive: true });
        writeFileSync(join(expectedDir, path), content);
      }
      writeFileSync(join(dir, "diagnostics.txt"), diagnostics);
    }

    it("compiles without errors", () => {
      expect(input.topology).toBeDefined();
      expect(diagnostics).not.toMatch(/ error /);
      expect(generated.size).toBeGreaterThan(0);
    });

    it("writes exactly the expected files", () => {
      expect([...generated.keys()].sort()).toEqual(listFiles(expectedDir).filter((p) => p !== MANIFEST));
    });

    it("writes every file byte for byte as expected", () => {
      for (const [path, content] of generated) {
        const file = join(expectedDir, path);
        const expected = existsSync(file) ? readFileSync(file, "utf8") : undefined;
        expect(content, `${name}/expected/${path}`).toBe(expected);
      }
    });

    it("reports the expected diagnostics", () => {
      // The example must compile without a single warning.
      const expected = name === "example" ? "" : readFileSync(join(dir, "diagnostics.txt"), "utf8");
      expect(diagnostics).toBe(expected);
    });

    it("has expected Istio objects that pass the Istio schemas", () => {
      const yamlFiles = listFiles(expectedDir).filter((p) => p.endsWith(".yaml"));
      expect(yamlFiles.length).toBeGreaterThan(0);
      for (const path of yamlFiles) {
        // kubectl reads YAML 1.1; read the goldens the same way.
        const docs = parseAllDocuments(readFileSync(join(expectedDir, path), "utf8"), { version: "1.1" });
        for (const doc of docs) {
          expect(doc.errors, path).toEqual([]);
          const object = doc.toJS() as { apiVersion?: unknown; kind?: unknown } | null;
          if (typeof object?.apiVersion !== "string" || !/(^|\.)istio\.io\//.test(object.apiVersion))
            continue;
          expect(schemaProblem(object as { apiVersion: string; kind: string }), path).toBeUndefined();
        }
      }
    });
  });

  describe.each(cases)("%s: cross-cluster wiring", (name) => {
    const input = readCase(caseDir(name));
    const result = compileCase(input);
    it("routes every consumed port to a gateway server that accepts its SNI and a policy that polices it", () => {
      expect(wiringProblems(result?.clusters ?? [], input.existing)).toEqual([]);
    });
  });

  // A second run over the first run's output folder: what `cw generate` reports as removed, and the
  // VIPs it keeps. The first run starts without a lock; the case's lock is the one it wrote.
  const secondRuns = goldenCases.filter((name) => existsSync(join(GOLDEN, name, "before.yaml")));
  describe.each(secondRuns)("%s: second run", (name) => {
    const dir = join(GOLDEN, name);
    const input = readCase(dir);
    const before = readFederation("before.yaml", readFileSync(join(dir, "before.yaml"), "utf8"));
    const first = before.topology && compile(before.topology, EMPTY_LOCK);
    const second = compileCase(input);

    it("compiles the earlier topology without errors", () => {
      const all = [...before.diagnostics, ...(first?.diagnostics ?? [])];
      expect(diagnosticLines(all)).not.toMatch(/ error /);
      expect(first?.clusters.length).toBeGreaterThan(0);
    });

    it("reports the removed files of removed.txt", () => {
      const out = join(mkdtempSync(join(tmpdir(), "cw-golden-")), "out");
      try {
        const federation = input.topology?.name ?? "";
        const wrote = writeOutput(out, federation, first?.clusters ?? []);
        expect(wrote.diagnostics).toEqual([]);
        const rewrote = writeOutput(out, federation, second?.clusters ?? []);
        expect(rewrote.diagnostics).toEqual([]);
        const removed = rewrote.changes
          .flatMap((c) => c.removed.map((f) => `${c.cluster}/${f}\n`))
          .sort()
          .join("");
        const file = join(dir, "removed.txt");
        if (UPDATE) writeFileSync(file, removed);
        expect(removed).toBe(readFileSync(file, "utf8"));
        // The folder holds exactly the second run's files: the removed ones are gone from disk.
        expect(listFiles(out).filter((p) => p !== MANIFEST)).toEqual(
          (second?.clusters ?? []).flatMap((c) => c.files.map((f) => `${c.cluster}/${f.path}`)).sort(),
        );
      } finally {
        rmSync(dirname(out), { recursive: true, force: true });
      }
    });

    it("reads the lock the first run wrote, and keeps the VIPs of the services that remain", () => {
      expect(renderLock(first?.plan?.vips ?? new Map())).toBe(
        readFileSync(join(dir, "federation.lock.yaml"), "utf8"),
      );
      const earlier = first?.plan?.vips ?? new Map<string, string>();
      const now = second?.plan?.vips ?? new Map<string, string>();
      expect(now.size).toBeGreaterThan(0);
      for (const [service, vip] of now) expect(vip, service).toBe(earlier.get(service));
    });
  });

  it("reads the split Bookinfo demo the same from both input formats", () => {
    // The Federation file is a translation of the original's JSON files: same objects, byte for byte.
    const files = (name: string) =>
      listFiles(join(GOLDEN, name, "expected")).map((p) => [
        p,
        readFileSync(join(GOLDEN, name, "expected", p), "utf8"),
      ]);
    expect(files("split-bookinfo")).toEqual(files("split-bookinfo-legacy"));
  });
});

interface Spec {
  readonly [key: string]: unknown;
}
type Obj = {
  kind: string;
  metadata: { name: string; namespace: string; labels: Record<string, string> };
  spec: Spec;
};

/**
 * Follows each consumer's ServiceEntry to the backend clusters' gateways and checks what Istio would
 * do with it: the SNI the DestinationRule sends for each port must be a host of a server on the
 * service's Gateway at the port the endpoint targets, an ingress VirtualService must be bound to that
 * Gateway for the name, and the DENY AuthorizationPolicy (where the cluster has one) must list exactly
 * the names the Gateway accepts, so no SNI passes unpoliced.
 */
function wiringProblems(
  clusters: readonly { cluster: string; objects: readonly { resource: unknown }[] }[],
  existing?: ExistingConfig,
) {
  const problems: string[] = [];
  // AUTO_PASSTHROUGH servers the backend cluster already has (Istio's east-west Gateway), which cw
  // relies on instead of writing its own.
  const theirPassthrough = (cluster: string, host: string, port: number) =>
    (existing?.clusters.get(cluster)?.objects ?? []).some(
      (o) =>
        o.kind === "Gateway" &&
        serversOf(o).some(
          (s) =>
            s.tlsMode === "AUTO_PASSTHROUGH" && s.port === port && s.hosts.some((h) => hostCovers(h, host)),
        ),
    );
  const objects = new Map(clusters.map((c) => [c.cluster, c.objects.map((o) => o.resource as Obj)]));
  const find = (cluster: string, kind: string, service: string) =>
    (objects.get(cluster) ?? []).filter(
      (o) => o.kind === kind && o.metadata.labels["coddiwomple.io/service"] === service,
    );
  type Server = { hosts: string[]; port: { number: number; protocol: string } };
  for (const [consumer, list] of objects) {
    for (const se of list.filter((o) => o.kind === "ServiceEntry" && o.spec.subjectAltNames)) {
      const service = se.metadata.labels["coddiwomple.io/service"] ?? "";
      const ports = se.spec.ports as { name: string; number: number }[];
      const endpoints = se.spec.endpoints as {
        labels: Record<string, string>;
        ports: Record<string, number>;
      }[];
      for (const host of se.spec.hosts as string[]) {
        const dr = find(consumer, "DestinationRule", service).find((d) => d.spec.host === host);
        if (!dr) {
          problems.push(`${consumer}: no DestinationRule for ${host}`);
          continue;
        }
        type Policy = {
          tls: { sni: string };
          portLevelSettings?: { port: { number: number }; tls: { sni: string } }[];
        };
        const sniOf = (policy: Policy, port: number) =>
          policy.portLevelSettings?.find((l) => l.port.number === port)?.tls.sni ?? policy.tls.sni;
        // A split sends to the rule's subsets only, each selecting one backend cluster's endpoints.
        const subsets = (dr.spec.subsets ?? []) as {
          labels: Record<string, string>;
          trafficPolicy: Policy;
        }[];
        // Passed through an egress gateway, the rule adds no TLS (DISABLE): the SNI is the one the
        // sidecar sent the egress gateway, on the subsets <service>-<port>[-<share>] of its rule.
        const egressLegs = (port: number) =>
          (objects.get(consumer) ?? [])
            .filter((o) => o.kind === "DestinationRule" && o.metadata.name === "coddiwomple-egress")
            .flatMap((o) => (o.spec.subsets ?? []) as { name: string; trafficPolicy: Policy }[])
            .filter((sub) => sub.name === `${service}-${port}` || sub.name.startsWith(`${service}-${port}-`))
            .map((sub) => sub.trafficPolicy.tls.sni);
        const passedThrough = (dr.spec.trafficPolicy as { tls: { mode: string } }).tls.mode === "DISABLE";
        const snisTo = (backend: string, port: number) =>
          passedThrough
            ? egressLegs(port)
            : subsets.length === 0
              ? [sniOf(dr.spec.trafficPolicy as Policy, port)]
              : subsets
                  .filter((sub) => sub.labels["coddiwomple.io/cluster"] === backend)
                  .map((sub) => sniOf(sub.trafficPolicy, port));
        for (const port of ports) {
          for (const endpoint of endpoints) {
            const backend = endpoint.labels["coddiwomple.io/cluster"] ?? "";
            for (const sni of snisTo(backend, port.number)) {
              const where = `${consumer} -> ${backend} ${host}:${port.number} (SNI ${sni})`;
              const gateway = find(backend, "Gateway", service)[0];
              const servers = (gateway?.spec.servers ?? []) as Server[];
              const names = (s: Server) => s.hosts.map((h) => h.slice(h.indexOf("/") + 1));
              // AUTO_PASSTHROUGH servers accept Istio's own SNI, outbound_.<port>_.<subset>_.<host>, for
              // their hosts, and hand the stream to the pods: the check moves to the pods' policy.
              const passthrough = /^outbound_\.\d+_\.[a-z0-9-]*_\.(.+)$/.exec(sni)?.[1];
              if (passthrough) {
                const open = servers.find(
                  (s) =>
                    (s as Server & { tls?: { mode?: string } }).tls?.mode === "AUTO_PASSTHROUGH" &&
                    names(s).includes(passthrough) &&
                    s.port.number === endpoint.ports[port.name],
                );
                const theirs = theirPassthrough(backend, passthrough, endpoint.ports[port.name] ?? 0);
                if ((!gateway || !open) && !theirs)
                  problems.push(`${where}: no AUTO_PASSTHROUGH server accepts it`);
                const guarded = find(backend, "AuthorizationPolicy", service).some((ap) =>
                  ap.metadata.name.endsWith("-passthrough"),
                );
                if (!guarded) problems.push(`${where}: no policy guards the pods it reaches`);
                continue;
              }
              const server = servers.find(
                (s) => names(s).includes(sni) && s.port.number === endpoint.ports[port.name],
              );
              if (!gateway || !server) {
                problems.push(`${where}: no server on the backend's Gateway accepts it`);
                continue;
              }
              const ref = `${gateway.metadata.namespace}/${gateway.metadata.name}`;
              // An HTTPS server's routes match the Host header; a TLS server's TCP routes match its SNI.
              const routeHost = server.port.protocol === "HTTPS" ? host : sni;
              const bound = find(backend, "VirtualService", service).some(
                (v) =>
                  (v.spec.gateways as string[]).includes(ref) &&
                  (v.spec.hosts as string[]).includes(routeHost),
              );
              if (!bound) problems.push(`${where}: no VirtualService bound to ${ref} routes ${routeHost}`);
              for (const ap of find(backend, "AuthorizationPolicy", service)) {
                // The gateway's policies (DENY, and ALLOW where the cluster denies by default) police SNI names.
                if (!/-ingress(-allow)?$/.test(ap.metadata.name)) continue;
                const when = (ap.spec.rules as { when: { values: string[] }[] }[])[0]?.when[0]?.values ?? [];
                const terminated = servers.filter(
                  (s) => (s as Server & { tls?: { mode?: string } }).tls?.mode !== "AUTO_PASSTHROUGH",
                );
                const accepted = terminated.flatMap(names);
                if ([...when].sort().join() !== [...accepted].sort().join())
                  problems.push(
                    `${backend}: policy ${ap.metadata.name} covers [${when}] but the Gateway accepts [${accepted}]`,
                  );
              }
            }
          }
        }
      }
    }
  }
  return [...new Set(problems)];
}
