// What every generator receives: the whole plan and the cluster it writes for. A generator is a pure
// function (GenerateContext) => Generated[]; the registry in generators.ts lists them all.

import type { ClusterPlan, Plan, ServicePlan } from "../plan/plan.js";
import { type Generated, labels, type Resource } from "./resource.js";

export interface GenerateContext {
  readonly plan: Plan;
  readonly cluster: ClusterPlan;
}

export type Generator = (ctx: GenerateContext) => Generated[];

/** Build one object for `service`, with our labels and the given namespace. */
export function make(
  ctx: GenerateContext,
  service: ServicePlan,
  object: {
    apiVersion: string;
    kind: string;
    name: string;
    namespace: string;
    spec: Record<string, unknown>;
  },
): Generated {
  const resource: Resource = {
    apiVersion: object.apiVersion,
    kind: object.kind,
    metadata: {
      name: object.name,
      namespace: object.namespace,
      labels: labels(ctx.plan.topology.name, service.service.name),
    },
    spec: object.spec,
  };
  return { resource, service: service.service.name, origin: service.service.origin };
}

/** The destination a backend cluster routes a port to: its local Kubernetes Service. */
export function backendDestination(ctx: GenerateContext, service: ServicePlan, targetPort: number) {
  const backend = service.backends.find((b) => b.cluster === ctx.cluster.cluster);
  if (!backend)
    throw new Error(`internal: ${service.service.name} has no backend in ${ctx.cluster.cluster.name}`);
  return { host: backend.backend.host, port: { number: targetPort } };
}
