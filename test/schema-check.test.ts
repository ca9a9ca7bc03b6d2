// The in-project schema check (the gate every generated object passes before it is rendered): it must
// reject what Istio's schemas reject, and treat undefined values as absent, as rendering does.

import { describe, expect, it } from "vitest";
import { schemaProblem } from "../src/analysis/schema-check.js";

const serviceEntry = (spec: Record<string, unknown>) => ({
  apiVersion: "networking.istio.io/v1",
  kind: "ServiceEntry",
  metadata: { name: "reviews-global", namespace: "istio-system" },
  spec,
});
const valid = {
  hosts: ["reviews.global"],
  location: "MESH_INTERNAL",
  ports: [{ number: 9080, name: "http", protocol: "HTTP" }],
  resolution: "STATIC",
  endpoints: [{ address: "10.0.0.1", ports: { http: 15443 } }],
};

describe("schemaProblem", () => {
  it("passes a valid object", () => {
    expect(schemaProblem(serviceEntry(valid))).toBeUndefined();
  });

  it("rejects a field of the wrong type, and says which", () => {
    expect(schemaProblem(serviceEntry({ ...valid, hosts: "reviews.global" }))).toMatch(/hosts/);
  });

  it("rejects a value outside the schema's enum", () => {
    expect(schemaProblem(serviceEntry({ ...valid, resolution: "SOMETIMES" }))).toMatch(/resolution/);
  });

  it("treats an undefined optional field as absent", () => {
    expect(schemaProblem(serviceEntry({ ...valid, exportTo: undefined, subjectAltNames: undefined }))).toBe(
      undefined,
    );
  });

  it("treats an undefined required field as missing", () => {
    expect(schemaProblem(serviceEntry({ ...valid, hosts: undefined }))).toMatch(/hosts/);
  });

  it("refuses an API version it has no schema for", () => {
    expect(schemaProblem({ apiVersion: "networking.istio.io/v9", kind: "ServiceEntry" })).toMatch(
      /no Istio schema/,
    );
  });
});
