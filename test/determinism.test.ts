// Output is a function of the topology's content and the lock, nothing else: compiling twice gives
// the same bytes, listing services (or clusters) in another order gives the same bytes, and changing
// one service changes only that service's files (plus kustomization.yaml where files come or go, and
// the DNS files where a new name needs an entry), with no existing VIP moving.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseDocument } from "yaml";
import { compile } from "../src/compile.js";
import { EMPTY_LOCK, type Lock, readLock, renderLock } from "../src/plan/lock.js";
import { readLegacy } from "../src/topology/legacy.js";
import { readFederation } from "../src/topology/read.js";

const GOLDEN = join(import.meta.dirname, "golden");
// The bundled example is a case too; it lives in examples/ with its checked-in output.
const EXAMPLE = join(import.meta.dirname, "..", "examples", "split-bookinfo");
const read = (name: string, file: string) =>
  readFileSync(name === "example" ? join(EXAMPLE, file) : join(GOLDEN, name, file), "utf8");

interface Run {
  /** "<cluster>/<path>" -> content */
  readonly files: ReadonlyMap<string, string>;
  /** "<cluster>/<path>" -> the service the file serves, when it serves one */
  readonly owners: ReadonlyMap<string, string>;
  readonly vips: ReadonlyMap<string, string>;
}

function run(topologyText: string, lock: Lock = EMPTY_LOCK): Run {
  const read = readFederation("federation.yaml", topologyText);
  if (!read.topology) throw new Error(`unreadable test input: ${JSON.stringify(read.diagnostics)}`);
  return fromCompile(compile(read.topology, lock));
}

function fromCompile(result: ReturnType<typeof compile>): Run {
  expect(result.diagnostics.filter((d) => d.level === "error")).toEqual([]);
  const files = new Map<string, string>();
  const owners = new Map<string, string>();
  for (const c of result.clusters) {
    for (const f of c.files) {
      files.set(`${c.cluster}/${f.path}`, f.content);
      if (f.service !== undefined) owners.set(`${c.cluster}/${f.path}`, f.service);
    }
  }
  return { files, owners, vips: result.plan?.vips ?? new Map() };
}

/** The files added, removed or changed between two runs, sorted. */
function changed(a: Run, b: Run): string[] {
  const paths = new Set([...a.files.keys(), ...b.files.keys()]);
  return [...paths].filter((p) => a.files.get(p) !== b.files.get(p)).sort();
}

/** The lock cw would write after run `r`, read back as the next run's lock. */
const lockAfter = (r: Run): Lock => readLock("federation.lock.yaml", renderLock(r.vips)).lock;

/** The same Federation text with spec.<list> reversed (comments and all else kept). */
function reversed(text: string, ...lists: ("clusters" | "services")[]): string {
  const doc = parseDocument(text);
  for (const list of lists) {
    const items = doc.getIn(["spec", list]) as { items: unknown[] };
    items.items.reverse();
  }
  return doc.toString();
}

/** The Federation text with `edit` applied to its plain data. */
function edited(text: string, edit: (spec: { services: Record<string, unknown>[] }) => void): string {
  const doc = parseDocument(text);
  const data = doc.toJS() as { spec: { services: Record<string, unknown>[] } };
  edit(data.spec);
  doc.setIn(["spec", "services"], doc.createNode(data.spec.services));
  return doc.toString();
}

const FEDERATION_CASES = [
  "example",
  "differing-ports",
  "old-istio",
  "protocols",
  "split-bookinfo",
  "two-backends",
];

describe("determinism", () => {
  it.each(FEDERATION_CASES)("%s: compiling twice gives the same bytes", (name) => {
    const text = read(name, "federation.yaml");
    expect(run(text).files).toEqual(run(text).files);
  });

  it.each(FEDERATION_CASES)("%s: the order of services and clusters does not matter", (name) => {
    const text = read(name, "federation.yaml");
    const first = run(text);
    const reorderedText = reversed(text, "services", "clusters");
    expect(reorderedText).not.toBe(text);
    expect(changed(first, run(reorderedText))).toEqual([]);
    expect(changed(first, run(reversed(text, "services")))).toEqual([]);
  });

  it("the order of the original's JSON lists does not matter either", () => {
    const legacy = (reverse: boolean) => {
      const flip = (text: string) => (reverse ? JSON.stringify(JSON.parse(text).reverse()) : text);
      const result = readLegacy({
        clusters: { file: "clusters.json", text: flip(read("legacy-cli", "clusters.json")) },
        services: { file: "services.json", text: flip(read("legacy-cli", "services.json")) },
      });
      if (!result.topology) throw new Error("unreadable legacy input");
      return fromCompile(compile(result.topology, EMPTY_LOCK));
    };
    expect(changed(legacy(false), legacy(true))).toEqual([]);
  });
});

describe("a change to one service", () => {
  const text = read("split-bookinfo", "federation.yaml");
  const before = run(text);
  const lock = lockAfter(before);

  it("adding a port to reviews changes only reviews' files", () => {
    const after = run(
      edited(text, (spec) => {
        const reviews = spec.services.find((s) => s.name === "reviews") as { ports: unknown[] };
        reviews.ports.push({ name: "grpc", protocol: "GRPC", port: 9090 });
      }),
      lock,
    );
    const diff = changed(before, after);
    // Every changed file belongs to reviews, except b's kustomization.yaml, which lists the new
    // ingress VirtualService for port 9090.
    for (const path of diff) {
      if (path === "b/kustomization.yaml") continue;
      expect(after.owners.get(path) ?? before.owners.get(path), path).toBe("reviews");
    }
    expect(diff).toEqual([
      "a/destinationrule-reviews.default.global.yaml",
      "a/destinationrule-reviews.global.yaml",
      "a/serviceentry-reviews-global.yaml",
      "b/authorizationpolicy-reviews-global-ingress.yaml",
      "b/gateway-reviews-global.yaml",
      "b/kustomization.yaml",
      "b/serviceentry-reviews-global.yaml",
      "b/virtualservice-reviews-global-ingress-9090.yaml",
      "b/virtualservice-reviews-global-mesh.yaml",
      "c/destinationrule-reviews.default.global.yaml",
      "c/destinationrule-reviews.global.yaml",
      "c/serviceentry-reviews-global.yaml",
      "default/destinationrule-reviews.default.global.yaml",
      "default/destinationrule-reviews.global.yaml",
      "default/serviceentry-reviews-global.yaml",
    ]);
    expect(after.vips).toEqual(before.vips);
  });

  it("adding a service adds its files, kustomization entries and DNS entries, and moves no VIP", () => {
    const oldText = read("old-istio", "federation.yaml");
    const first = run(oldText);
    const after = run(
      edited(oldText, (spec) => {
        spec.services.unshift({
          name: "search",
          ports: [{ name: "http", protocol: "HTTP", port: 8080 }],
          backends: [{ cluster: "modern" }],
          consumers: ["middle"],
        });
      }),
      lockAfter(first),
    );
    const diff = changed(first, after);
    for (const path of diff) {
      if (path.endsWith("/kustomization.yaml") || path.includes("/dns/")) continue;
      expect(first.files.has(path), `${path} existed before`).toBe(false);
      expect(after.owners.get(path), path).toBe("search");
    }
    expect(diff).toEqual([
      "middle/destinationrule-search.global.yaml",
      // middle runs Istio 1.7: its CoreDNS hosts table gains search.global.
      "middle/dns/coredns-global.server",
      "middle/kustomization.yaml",
      "middle/serviceentry-search-global.yaml",
      "modern/authorizationpolicy-search-global-ingress.yaml",
      "modern/gateway-search-global.yaml",
      "modern/kustomization.yaml",
      "modern/serviceentry-search-global.yaml",
      "modern/virtualservice-search-global-ingress-8080.yaml",
      "modern/virtualservice-search-global-mesh.yaml",
    ]);
    for (const [service, vip] of first.vips) expect(after.vips.get(service), service).toBe(vip);
    expect(after.vips.get("search")).toBeDefined();
  });

  it("keeps a locked VIP even when a new service's hash lands on it", () => {
    // "adhl" sorts before "reviews" and hashes to reviews' address (240.241.159.43). Without a lock
    // it takes that address and reviews moves; with the lock reviews keeps it and adhl probes onwards.
    const withAdhl = edited(text, (spec) => {
      spec.services.push({
        name: "adhl",
        ports: [{ name: "http", protocol: "HTTP", port: 80 }],
        backends: [{ cluster: "a" }],
      });
    });
    const vip = before.vips.get("reviews");
    expect(vip).toBe("240.241.159.43");
    expect(run(withAdhl).vips.get("adhl")).toBe(vip);
    const locked = run(withAdhl, lock);
    expect(locked.vips.get("reviews")).toBe(vip);
    expect(locked.vips.get("adhl")).not.toBe(vip);
    expect(new Set(locked.vips.values()).size).toBe(locked.vips.size);
  });
});
