// servicesHere (generate/context.ts): the services a cluster runs or calls, by name, each with its
// route and whether it runs here. It merges the plan's two lists (local services, routes) in one pass
// because the plan keeps both in service order; these say what it must give, and that lists out of
// that order (which a plan made another way could hold) still give the same answer.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { NO_EXISTING } from "../src/existing/model.js";
import { type GenerateContext, servicesHere } from "../src/generate/context.js";
import { EMPTY_LOCK } from "../src/plan/lock.js";
import { type Plan, planFederation } from "../src/plan/plan.js";
import { readFederation } from "../src/topology/read.js";

const EXAMPLE = readFileSync(
  join(import.meta.dirname, "..", "examples", "split-bookinfo", "federation.yaml"),
  "utf8",
);

function examplePlan(): Plan {
  const read = readFederation("federation.yaml", EXAMPLE);
  if (!read.topology) throw new Error("unreadable example");
  const plan = planFederation(read.topology, EMPTY_LOCK, NO_EXISTING).plan;
  if (!plan) throw new Error("the example does not plan");
  return plan;
}

/** Each entry as names: service, whether it runs here, and the route's caller. */
const named = (ctx: GenerateContext) =>
  servicesHere(ctx).map((h) => [h.service.service.name, h.local, h.route?.caller.name]);

describe("servicesHere", () => {
  const plan = examplePlan();

  it("lists every local and called service once, by name, with its route and whether it runs here", () => {
    for (const cluster of plan.clusters) {
      const ctx = { plan, cluster };
      const names = [...new Set([...cluster.local, ...cluster.routes.map((r) => r.service)])]
        .map((s) => s.service.name)
        .sort();
      expect(servicesHere(ctx).map((h) => h.service.service.name)).toEqual(names);
      for (const h of servicesHere(ctx)) {
        expect(h.route).toBe(cluster.routeTo.get(h.service));
        expect(h.local).toBe(cluster.runs.has(h.service));
      }
    }
    // The example has clusters that both run services and call others.
    expect(plan.clusters.some((c) => c.local.length > 0 && c.routes.length > 0)).toBe(true);
  });

  it("gives the same for lists out of service order", () => {
    for (const cluster of plan.clusters) {
      const reversed = {
        ...cluster,
        local: [...cluster.local].reverse(),
        routes: [...cluster.routes].reverse(),
      };
      expect(named({ plan, cluster: reversed })).toEqual(named({ plan, cluster }));
    }
    expect(plan.clusters.some((c) => c.local.length + c.routes.length > 1)).toBe(true);
  });
});
