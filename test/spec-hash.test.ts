// The hash annotation (src/emit/spec-hash.ts): every generated file carries the hash of its spec, and
// the same hash comes back from the object read as a cluster would store it, and from the object cw
// applies without writing files.

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { compile } from "../src/compile.js";
import { renderResource, renderYaml } from "../src/emit/render.js";
import {
  annotateResource,
  HASH_ANNOTATION,
  hashScalar,
  liveSpecHash,
  renderAnnotated,
  withHashAnnotation,
} from "../src/emit/spec-hash.js";
import type { Resource } from "../src/generate/resource.js";
import { EMPTY_LOCK } from "../src/plan/lock.js";
import { readFederation } from "../src/topology/read.js";

const objectFiles = (root: string): string[] =>
  readdirSync(root, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith(".yaml") && e.name !== "kustomization.yaml")
    .map((e) => join(e.parentPath, e.name))
    .filter((f) => !/\/(dns|mesh)\//.test(f));

describe("the hash annotation", () => {
  const files = readdirSync("test/golden", { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .flatMap((e) => objectFiles(join("test/golden", e.name, "expected")));

  it("is, in every golden file, the hash of the spec as read back from the file", () => {
    expect(files.length).toBeGreaterThan(300);
    for (const f of files) {
      const object = parse(readFileSync(f, "utf8"), { version: "1.1" }) as {
        metadata: { annotations?: Record<string, string> };
        spec: unknown;
      };
      expect(object.metadata.annotations, f).toEqual({ [HASH_ANNOTATION]: liveSpecHash(object) });
    }
  });

  it("is the same on the objects cw applies as in the files it writes", () => {
    const file = "test/golden/split-bookinfo/federation.yaml";
    const topology = readFederation(file, readFileSync(file, "utf8")).topology;
    if (!topology) throw new Error("no topology");
    for (const c of compile(topology, EMPTY_LOCK).clusters) {
      for (const g of c.objects) {
        const written = c.files.find(
          (x) =>
            x.content.includes(`\n  name: ${g.resource.metadata.name}\n`) &&
            x.content.includes(`kind: ${g.resource.kind}\n`),
        );
        const annotated = annotateResource(g.resource).metadata.annotations?.[HASH_ANNOTATION];
        expect(written?.content).toContain(`    ${HASH_ANNOTATION}: ${annotated}\n`);
      }
    }
  });

  it("is put in by the renderer as it is by searching the rendered text, or refused the same way", () => {
    // renderAnnotated has the renderer split the text at the spec block; withHashAnnotation searches
    // the text for it. Keys near "spec" ("spec:x", "spec x", "spe"), a spec left undefined or first,
    // annotations of its own, and values the library writes (multi-line strings) must agree.
    const key = fc.constantFrom(
      "apiVersion",
      "kind",
      "metadata",
      "spec",
      "spec:x",
      "spec x",
      "spe",
      "specs",
      "a",
      "z",
    );
    const scalar = fc.oneof(fc.constantFrom("v1", "x", "a\nb", "spec:", "\nspec: x", "on"), fc.integer());
    const value = fc.oneof(
      scalar,
      fc.array(scalar, { maxLength: 2 }),
      fc.dictionary(key, scalar, { maxKeys: 2 }),
    );
    const metadata = fc.record(
      { name: fc.constantFrom("n", "spec"), annotations: fc.dictionary(fc.constantFrom("a"), scalar) },
      { requiredKeys: ["name"] },
    );
    const object = fc.dictionary(key, fc.option(value, { nil: undefined }), { maxKeys: 6 });
    const outcome = (f: () => string) => {
      try {
        return f();
      } catch (e) {
        return `threw ${(e as Error).message}`;
      }
    };
    fc.assert(
      fc.property(object, metadata, fc.boolean(), (o, m, withMetadata) => {
        const resource = (withMetadata ? { ...o, metadata: m } : o) as unknown as Resource;
        const expected = outcome(() => withHashAnnotation(renderResource(resource, "")));
        expect(outcome(() => renderAnnotated(resource))).toBe(expected);
      }),
      { numRuns: 3000 },
    );
  });

  it("changes when the spec does, and only then", () => {
    const spec = { host: "reviews.global", trafficPolicy: { tls: { mode: "ISTIO_MUTUAL" } } };
    expect(liveSpecHash({ spec })).toBe(liveSpecHash({ spec: structuredClone(spec) }));
    expect(liveSpecHash({ spec: { ...spec, host: "ratings.global" } })).not.toBe(liveSpecHash({ spec }));
  });

  it("is written as the renderer writes it, quoted where a reader would see a number", () => {
    for (const h of [
      "c96e5e63e8cc55d7",
      "1234567890123456",
      "12345678901234e5",
      "0b01010101010101",
      "00000000000000ff",
      "0e12345678901234",
      // YAML 1.1's float needs no digit before its exponent: the renderer quotes this one too.
      "e161236851405184",
    ]) {
      expect(`k: ${hashScalar(h)}\n`).toBe(renderYaml({ k: h }));
    }
  });
});
