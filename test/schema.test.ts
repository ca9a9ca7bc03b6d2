// The JSON Schema shipped for editors must be the one the code generates today.

import { readFileSync } from "node:fs";
import { expect, it } from "vitest";
import { federationJsonSchemaText } from "../src/topology/json-schema.js";

it("ships the current JSON Schema (run npm run schema after changing src/topology/schema.ts)", () => {
  const shipped = readFileSync(new URL("../schema/federation.schema.json", import.meta.url), "utf8");
  expect(shipped).toBe(federationJsonSchemaText());
});

it("describes the fields an editor should complete, and rejects unknown ones", () => {
  const schema = JSON.parse(federationJsonSchemaText());
  const service = schema.properties.spec.properties.services.items;
  expect(Object.keys(service.properties).sort()).toEqual(
    [
      "aliases",
      "backends",
      "consumers",
      "failover",
      "mode",
      "name",
      "namespace",
      "ports",
      "routeKubernetesName",
      "selector",
      "serviceAccount",
      "split",
      "subsets",
      "vip",
    ].sort(),
  );
  expect(service.additionalProperties).toBe(false);
  expect(service.properties.ports.items.properties.protocol.enum).toEqual([
    "HTTP",
    "HTTP2",
    "GRPC",
    "HTTPS",
    "TLS",
    "TCP",
    "MONGO",
  ]);
});
