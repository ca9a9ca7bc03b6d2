// What a generator returns: Kubernetes objects for one cluster, each remembering the service it
// serves and the input it came from (for diagnostics, never written into the output: a line number
// in the YAML would make every later object change when one service is added above it).

import type { Origin } from "../topology/source.js";

export interface Resource {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace: string;
    readonly labels: Readonly<Record<string, string>>;
    /** Only the hash annotation (emit/spec-hash.ts), added after generation. */
    readonly annotations?: Readonly<Record<string, string>>;
  };
  readonly spec: Readonly<Record<string, unknown>>;
}

export interface Generated {
  readonly resource: Resource;
  /** The global service this object serves. */
  readonly service: string;
  readonly origin: Origin;
}

export const MANAGED_BY = "coddiwomple";
export const LABEL_FEDERATION = "coddiwomple.io/federation";
export const LABEL_SERVICE = "coddiwomple.io/service";
export const LABEL_CLUSTER = "coddiwomple.io/cluster";

export function labels(federation: string, service: string): Record<string, string> {
  return {
    "app.kubernetes.io/managed-by": MANAGED_BY,
    [LABEL_FEDERATION]: federation,
    [LABEL_SERVICE]: service,
  };
}
