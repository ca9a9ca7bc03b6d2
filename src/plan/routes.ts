// Routes: how callers in one cluster reach one global service. A route exists for every consumer
// cluster that sends at least part of its calls to another cluster:
//   - a consumer without a local backend sends everything away: one remote share of 100, spread over
//     the backend clusters by locality, or in the service's failover order;
//   - with a split, each consumer cluster shares its calls as the split says; a share naming the
//     caller's own cluster stays local (seed 002: 75% to v3 in b, 15% to v1 and 10% to v2 locally);
//   - a consumer that runs the service itself and has no split calls its local backend: no route.
// The mode is the service's, else the calling cluster's. A route leaves through the calling
// cluster's egress gateway in egress mode, and in passthrough mode from a cluster whose own mode is
// egress (seed 004's private cluster): there the sidecar's mTLS passes through both gateways.
// The service's Kubernetes name (routeKubernetesName, seed 002): a route of a cluster that runs the
// service carries its split on that name too, so that callers need no change; with "everywhere", a
// cluster that does not run it gets the name created (a takeover), where its DNS proxy can answer it.

import { byName, compareText } from "../compare.js";
import { kubernetesHost } from "../topology/kubernetes-name.js";
import type { Cluster, Consumer, Service, Subset, Topology } from "../topology/model.js";
import type { Mode } from "../topology/schema.js";
import { istioCapabilities } from "./istio-version.js";

export type Share =
  | { readonly kind: "local"; readonly subset?: Subset; readonly weight: number }
  /** `cluster` undefined: any backend cluster, by locality or failover order. */
  | {
      readonly kind: "remote";
      readonly cluster?: Cluster;
      readonly subset?: Subset;
      readonly weight: number;
    };

export interface RouteInput {
  readonly service: string;
  readonly caller: Cluster;
  readonly mode: Mode;
  /** Where calls leave the calling cluster: its sidecars, or its egress gateway (egress-legs.ts). */
  readonly exit: "sidecar" | "egress-gateway";
  readonly shares: readonly Share[];
  /** Backend clusters in other clusters the caller may reach, preferred first. */
  readonly remotes: readonly Cluster[];
  /** True when `remotes` is the service's explicit failover order. */
  readonly ordered: boolean;
  /** Who in the calling cluster may call: undefined namespaces means anyone. */
  readonly callers: { readonly namespaces?: readonly string[]; readonly serviceAccounts?: readonly string[] };
  /**
   * The service's Kubernetes name that this route also carries in the calling cluster; `takeover` when
   * the cluster runs no such Service and cw creates the name (a ServiceEntry).
   */
  readonly kubernetesName?: { readonly host: string; readonly takeover: boolean };
}

/** A route as planned: RouteInput with its service's plan in place of its name (plan.ts's Route). */
export type RouteOf<S> = Omit<RouteInput, "service"> & { readonly service: S };

// Shared by every route they fit: a plan has a route per consumer cluster of every service (hundreds
// of thousands at 500 x 50,000), and none of them is changed once built.
const EVERYTHING_REMOTE: readonly Share[] = [{ kind: "remote", weight: 100 }];
const ANY_CALLER: RouteInput["callers"] = {};

/** The routes of `service`'s consumers, each naming `owner` (its plan) as its service. */
export function routesOf<S>(
  topology: Topology,
  service: Topology["services"][number],
  clusters: ReadonlyMap<string, Cluster>,
  owner: S,
): RouteOf<S>[] {
  const backendNames = new Set(service.backends.map((b) => b.cluster).filter((n) => clusters.has(n)));
  if (backendNames.size === 0) return [];
  const subsets = new Map(service.subsets.map((s) => [s.name, s]));
  const failover = service.failover.map((f) => clusters.get(f.cluster)).filter((c) => c !== undefined);
  // Remote backends in preference order: the failover order, then the other backends by name. A
  // caller never counts itself, so a caller that is neither a backend nor in the order shares the list.
  const rest = [...backendNames]
    .flatMap((n) => clusters.get(n) ?? [])
    .filter((c) => !failover.includes(c))
    .sort(byName);
  const preferred = [...failover, ...rest];

  // "*" expands to every cluster; a consumer listed by name (with its scope) wins over "*".
  const entries = new Map<string, Consumer>();
  for (const c of service.consumers)
    if (c.cluster === "*") for (const n of clusters.keys()) entries.set(n, c);
  for (const c of service.consumers)
    if (c.cluster !== "*" && clusters.has(c.cluster)) entries.set(c.cluster, c);

  const routes: RouteOf<S>[] = [];
  for (const [name, consumer] of [...entries].sort(([a], [b]) => compareText(a, b))) {
    const caller = clusters.get(name);
    if (!caller) continue;
    const local = backendNames.has(name);
    const shares = sharesOf(service, subsets, clusters, name, local);
    if (!shares) continue;
    const mode = service.mode?.value ?? caller.mode ?? topology.mode;
    const egress = mode === "egress" || (mode === "passthrough" && caller.mode === "egress");
    // Built as one literal of fixed keys, not with spreads: there are hundreds of thousands of
    // routes at scale. The keys and their order are what they were (cluster keys walk them).
    const route = {
      service: owner,
      caller,
      mode,
      exit: egress ? "egress-gateway" : "sidecar",
      shares,
      remotes: preferred.includes(caller) ? preferred.filter((c) => c !== caller) : preferred,
      ordered: failover.some((c) => c !== caller),
      callers: callersOf(consumer),
    } as const;
    const kubernetesName = kubernetesNameOf(service, caller, local);
    routes.push(kubernetesName ? { ...route, kubernetesName } : route);
  }
  return routes;
}

/** Who in the calling cluster may call, as a route keeps it. */
function callersOf(consumer: Consumer): RouteInput["callers"] {
  const { namespaces, serviceAccounts } = consumer;
  if (!namespaces && !serviceAccounts) return ANY_CALLER;
  return { ...(namespaces && { namespaces }), ...(serviceAccounts && { serviceAccounts }) };
}

/** How the calls of the cluster `name` are shared out, or undefined when they all stay local. */
function sharesOf(
  service: Service,
  subsets: ReadonlyMap<string, Subset>,
  clusters: ReadonlyMap<string, Cluster>,
  name: string,
  local: boolean,
): readonly Share[] | undefined {
  if (service.split.length === 0) return local ? undefined : EVERYTHING_REMOTE;
  const shares = service.split.map((share): Share => {
    const subset = share.subset === undefined ? undefined : subsets.get(share.subset);
    const base = { weight: share.weight, ...(subset && { subset }) };
    return share.cluster === name
      ? { kind: "local", ...base }
      : { kind: "remote", cluster: clusters.get(share.cluster), ...base };
  });
  return shares.some((s) => s.kind === "remote") ? shares : undefined;
}

function kubernetesNameOf(
  service: Service,
  caller: Cluster,
  local: boolean,
): RouteInput["kubernetesName"] | undefined {
  const wanted = service.routeKubernetesName?.value;
  if (wanted === undefined) return undefined;
  const own = service.backends.find((b) => b.cluster === caller.name)?.host;
  if (local && own !== undefined) return { host: own, takeover: false };
  // The name is created by a ServiceEntry, which only the sidecars' DNS proxy (1.8+) answers.
  if (wanted !== "everywhere" || istioCapabilities(caller.istioVersion).dns !== "istio-dns-proxy")
    return undefined;
  return { host: kubernetesHost(service), takeover: true };
}
