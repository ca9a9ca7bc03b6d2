// Generators build Istio objects through `make`, typed by the kind's schema (generate/istio-specs.ts):
// a misspelt field, a value Istio does not accept, or the spec of another kind fails `tsc`, which
// `npm test` runs before vitest. Each `@ts-expect-error` below must meet an error, or tsc fails with
// "unused directive": if `make` went back to an untyped spec, this file would break the build.

import { describe, expect, it } from "vitest";
import { type GenerateContext, make } from "../src/generate/context.js";
import type { ServicePlan } from "../src/plan/plan.js";

type Build = (ctx: GenerateContext, s: ServicePlan) => unknown;
const base = { apiVersion: "networking.istio.io/v1", name: "reviews", namespace: "coddiwomple" } as const;

const mistakes: Record<string, Build> = {
  "a misspelt top-level field": (ctx, s) =>
    make(ctx, s, {
      ...base,
      kind: "VirtualService",
      spec: {
        // @ts-expect-error: a VirtualService has `hosts`, not `host`
        host: ["reviews.global"],
      },
    }),
  "a misspelt field deep in a route": (ctx, s) =>
    make(ctx, s, {
      ...base,
      kind: "VirtualService",
      spec: {
        hosts: ["reviews.global"],
        // @ts-expect-error: a route destination has `host`, not `hots`
        http: [{ route: [{ destination: { hots: "reviews.global" } }] }],
      },
    }),
  "a TLS mode Istio does not have": (ctx, s) =>
    make(ctx, s, {
      ...base,
      kind: "DestinationRule",
      spec: {
        host: "reviews.global",
        // @ts-expect-error: ISTIO_MUTAL is not a ClientTLSSettings mode
        trafficPolicy: { tls: { mode: "ISTIO_MUTAL" } },
      },
    }),
  "the spec of another kind": (ctx, s) =>
    make(ctx, s, {
      ...base,
      kind: "Gateway",
      spec: {
        // @ts-expect-error: `host` belongs to a DestinationRule, not a Gateway
        host: "reviews.global",
      },
    }),
};

describe("typed Istio specs at the generate boundary", () => {
  it("tsc rejects each mistake above (checked by npm test's typecheck; here, that they are there)", () => {
    expect(Object.keys(mistakes)).toHaveLength(4);
  });
});
