// From a route destination to what is behind it: the service in the registry, the DestinationRule
// and subset, the TLS the proxy originates, and the endpoints. An endpoint at another cluster's
// ingress gateway continues there; a Kubernetes Service in this cluster is where the call arrives
// (or the egress gateway, when it is that gateway's Service).

import { authorize } from "./arrival.js";
import { refOf } from "./config.js";
import { type Connection, failed, type ProxyState, prepend, type TraceContext } from "./context.js";
import { origination, subsetOf, tlsSetting, trafficPolicyFor } from "./destination-rule.js";
import { type Found, lookupDestinationRule } from "./destination-rule-index.js";
import { labelsOf, selects, str } from "./fields.js";
import { normalize } from "./host-match.js";
import { releaseText } from "./istio-version.js";
import { type BalancingProxy, balance, outlierOf } from "./load-balancing.js";
import { type ClusterFacts, type MeshFacts, principalOf } from "./mesh.js";
import { type Endpoint, findService, type MeshService } from "./registry.js";
import { hasService, scopeText } from "./sidecar-scope.js";
import type { Hop, Trace } from "./types.js";
import { boundVirtualServices } from "./virtual-service.js";

export interface DestinationRequest {
  readonly host: string;
  readonly port?: number;
  readonly subset?: string;
  /** The port the request came in on, used when the destination names none. */
  readonly incomingPort: number;
  readonly http?: {
    readonly host: string;
    readonly path: string;
    readonly headers?: Readonly<Record<string, string>>;
  };
  /** Set when the proxy forwards TLS it did not terminate (passthrough): the original client's. */
  readonly passthrough?: Connection;
  /**
   * The passed-through TLS goes to an AUTO_PASSTHROUGH (SNI-DNAT) cluster, which takes no TLS
   * settings; a PASSTHROUGH server's tls route goes to an ordinary one, which does.
   */
  readonly sniDnat?: boolean;
}

const TLS_MODE_LABEL = "security.istio.io/tlsMode";

export function toDestination(ctx: TraceContext, from: ProxyState, req: DestinationRequest): Trace {
  const cluster = from.ref.cluster;
  const ns = from.ref.namespace;
  const svc = findService(from.index, req.host, ns);
  if (!svc) {
    return failed([], {
      reason: "destination-not-found",
      cluster,
      message: `the route sends to ${req.host}, but no ServiceEntry or Kubernetes Service in cluster ${cluster} visible to namespace ${ns} has that host (Envoy: cluster not found)`,
    });
  }
  if (from.scope && !hasService(from.scope, svc, boundVirtualServices(from.index, "mesh").all)) {
    return failed([], {
      reason: "destination-not-found",
      cluster,
      message: `the route sends to ${svc.host}, which is outside namespace ${ns}'s ${scopeText(from.scope)}: the sidecar has no cluster for it (503 NC)`,
    });
  }
  const port = req.port ?? (svc.ports.length === 1 && svc.ports[0] ? svc.ports[0].number : req.incomingPort);
  const servicePort = svc.ports.find((p) => p.number === port);
  if (svc.portsKnown && !servicePort) {
    return failed([], {
      reason: "destination-not-found",
      cluster,
      message: `the route sends to ${svc.host}:${port}, but ${describeService(svc)} has no port ${port} (it has ${svc.ports.map((p) => p.number).join(", ") || "none"})`,
    });
  }
  const facts = from.index.facts;
  const found = lookupDestinationRule(from.index, svc.host, ns, svc.namespace, from.labels);
  const dr = found?.chosen.rule;
  if (req.subset !== undefined && !subsetOf(dr, req.subset)) {
    return failed([], {
      reason: "subset-not-found",
      cluster,
      message: dr
        ? `the route names subset "${req.subset}" of ${svc.host}, which DestinationRule ${dr.metadata.namespace}/${dr.metadata.name} does not define`
        : `the route names subset "${req.subset}" of ${svc.host}, but no DestinationRule for it applies`,
    });
  }
  const tls = tlsSetting(dr, port, req.subset);
  const key = { host: svc.host, port, ...(req.subset !== undefined && { subset: req.subset }) };
  const drRef = dr && refOf(cluster, dr);
  const hopBase = {
    kind: "cluster" as const,
    ...(found && { ruleFrom: ruleNote(from, found) }),
    proxy: from.ref,
    host: svc.host,
    port,
    ...(req.subset !== undefined && { subset: req.subset }),
    ...(drRef && { destinationRule: drRef }),
    service: svc.source.kind === "kubernetes" ? ("kubernetes" as const) : svc.source.ref,
  };

  if (svc.source.kind === "kubernetes") {
    const egress = facts?.egress;
    const isEgress = facts !== undefined && egress?.hosts.some((h) => normalize(h) === svc.host) === true;
    // Pods behind a Kubernetes Service have sidecars (or are gateway pods): auto mTLS applies. Without
    // subjectAltNames of its own, Istio mutual TLS expects the identities of the Service's pods
    // (buildUpstreamTLSSettings in pilot/pkg/networking/core/cluster_tls.go, 1.30.3: "Use Service
    // Accounts if Subject Alt names are not specified in TLS settings").
    const pods = isEgress && egress ? egress.serviceAccount : svc.serviceAccount;
    const podNamespace = isEgress && egress ? egress.namespace : svc.namespace;
    const identities =
      pods === undefined ? [] : [`spiffe://${principalOf(from.index.trustDomain, podNamespace, pods)}`];
    const t = req.passthrough?.tls ?? origination(tls, true, key, identities);
    const hop: Hop = { ...hopBase, tls: t, endpoints: 1 };
    const principal = req.passthrough
      ? req.passthrough.principal
      : t.mode === "ISTIO_MUTUAL"
        ? from.principal
        : undefined;
    if (facts && egress && isEgress) {
      const conn: Connection = {
        port,
        tls: t,
        ...(principal !== undefined && { principal }),
        ...(req.http && { http: req.http }),
      };
      const gw = {
        ref: { cluster, role: "egress-gateway" as const, namespace: egress.namespace },
        facts: egress,
        cluster: facts,
      };
      return prepend([hop], ctx.enterGateway(ctx, gw, conn));
    }
    const subsetLabels = labelsOf(req.subset !== undefined ? subsetOf(dr, req.subset)?.labels : undefined);
    return prepend([hop], authorize(from.index, svc, port, principal, req, subsetLabels));
  }

  let endpoints: readonly Endpoint[] = svc.endpoints;
  const subset = req.subset !== undefined ? subsetOf(dr, req.subset) : undefined;
  if (subset) endpoints = endpoints.filter((e) => selects(labelsOf(subset.labels), e.labels));
  if (
    svc.endpoints.length === 0 &&
    (svc.resolution === "DNS" || svc.resolution === "DNS_ROUND_ROBIN") &&
    !svc.host.startsWith("*")
  ) {
    endpoints = [{ address: svc.host, ports: {}, labels: {} }];
  }
  const first = endpoints[0];
  const own = origination(tls, first?.labels[TLS_MODE_LABEL] === "istio", key, svc.subjectAltNames);
  // Istio applies a rule's TLS to every outbound cluster but AUTO_PASSTHROUGH's SNI-DNAT ones
  // (applyTrafficPolicy in pilot/pkg/networking/core/cluster_traffic_policy.go): a PASSTHROUGH
  // server's route to a ServiceEntry wraps the client's TLS in TLS of its own.
  if (req.passthrough && !req.sniDnat && own.mode !== "DISABLE") {
    return failed([], {
      reason: "tls-mode-mismatch",
      cluster,
      message: `the ${from.ref.role} forwards TLS it did not terminate to ${svc.host}:${port}, and ${dr ? `DestinationRule ${dr.metadata.namespace}/${dr.metadata.name}` : "auto mTLS"} wraps it in ${own.mode} of its own (SNI ${own.sni ?? "none"}): the far end reads the caller's TLS handshake as data`,
    });
  }
  const shownTls = req.passthrough?.tls ?? own;
  const policy = trafficPolicyFor(dr, port, req.subset);
  const outlier = outlierOf(policy, from.index.version);
  const balanced = balance(endpoints, policy, proxyOf(from), (e) => downOwner(ctx, e) !== undefined);
  const hop: Hop = {
    ...hopBase,
    tls: shownTls,
    endpoints: endpoints.length,
    ...(outlier && { outlier }),
    ...(endpoints.length > 1 && { balancing: balanced.rule }),
  };
  if (!first) {
    const why =
      svc.endpoints.length === 0
        ? svc.resolution === "NONE"
          ? `${describeService(svc)} has resolution NONE and no endpoints, so the proxy forwards to the original destination address, which nothing answers`
          : `${describeService(svc)} has no endpoints`
        : `subset "${req.subset}" selects none of the ${svc.endpoints.length} endpoints of ${describeService(svc)}`;
    return failed([hop], {
      reason: "no-endpoint",
      cluster,
      message: `no healthy upstream for ${svc.host}:${port}: ${why}`,
    });
  }
  const live = balanced.endpoints.filter((b) => b.share > 0);
  if (live.length === 0) {
    return failed([hop], {
      reason: "no-endpoint",
      cluster,
      message: `no healthy upstream for ${svc.host}:${port}: every endpoint is in a cluster that is down, and outlier detection has ejected them all (503 UH)`,
    });
  }
  const branches = live.map(({ endpoint: e, share, priority, failsBecauseDown }) => {
    const t =
      req.passthrough?.tls ??
      origination(tls, e.labels[TLS_MODE_LABEL] === "istio", key, svc.subjectAltNames);
    const endpointPort = e.ports[servicePort?.name ?? ""] ?? servicePort?.targetPort ?? port;
    const down = failsBecauseDown ? downOwner(ctx, e) : undefined;
    return {
      share,
      label: `${e.address}:${endpointPort}${balanced.endpoints.some((b) => b.priority > 0) ? ` (priority ${priority})` : ""}`,
      trace: down
        ? failed([], {
            reason: "cluster-down",
            cluster,
            message: `${e.address} is the gateway of cluster ${down}, which is down; ${outlier ? "outlier detection may not eject it (maxEjectionPercent)" : "without outlierDetection nothing ejects it"}, so these calls fail (503 UF)`,
          })
        : toEndpoint(ctx, from, e, endpointPort, t, req),
    };
  });
  if (branches.length === 1 && branches[0]) return prepend([hop], branches[0].trace);
  return { hops: [hop], end: { kind: "fork", by: "endpoints", branches } };
}

function toEndpoint(
  ctx: TraceContext,
  from: ProxyState,
  e: Endpoint,
  port: number,
  tls: Connection["tls"],
  req: DestinationRequest,
): Trace {
  const cluster = from.ref.cluster;
  const owner = ingressOwner(ctx.input.mesh, e.address);
  const ingress = owner?.ingress;
  const hop: Hop = {
    kind: "endpoint",
    proxy: from.ref,
    address: e.address,
    port,
    labels: e.labels,
    ...(e.locality !== undefined && { locality: e.locality }),
    reaches: owner ? `the ingress gateway of cluster ${owner.name}` : "an address of no known gateway",
  };
  if (!owner || !ingress) {
    return failed([hop], {
      reason: "unknown-endpoint",
      cluster,
      message: `endpoint ${e.address}:${port} is not the ingress gateway of any cluster in the mesh facts; the call leaves for an unknown place`,
    });
  }
  const passthroughPrincipal = req.passthrough?.principal;
  const principal = req.passthrough
    ? passthroughPrincipal
    : tls.mode === "ISTIO_MUTUAL"
      ? from.principal
      : undefined;
  const conn: Connection = {
    port,
    tls,
    ...(principal !== undefined && { principal }),
    ...(req.http && { http: req.http }),
  };
  const gw = {
    ref: { cluster: owner.name, role: "ingress-gateway" as const, namespace: ingress.namespace },
    facts: ingress,
    cluster: owner,
  };
  return prepend([hop], ctx.enterGateway(ctx, gw, conn));
}

/** Where the rule came from, and how the release merged it, for the hop text. */
function ruleNote(from: ProxyState, found: Found): string {
  const merged = found.chosen.from.length > 1 ? `, ${found.chosen.from.length} rules merged` : "";
  const apart =
    found.candidates.length > 1
      ? `, one of ${found.candidates.length} kept apart by exportTo, the last applies`
      : "";
  return `${found.pool}${merged}${apart}, ${releaseText(from.index.version)}`;
}

/** The cluster, taken down by `--down`, whose ingress gateway the endpoint is. */
function downOwner(ctx: TraceContext, e: Endpoint): string | undefined {
  const down = ctx.input.down;
  if (!down || down.size === 0) return undefined;
  const owner = ingressOwner(ctx.input.mesh, e.address)?.name;
  return owner !== undefined && down.has(owner) ? owner : undefined;
}

/** The calling proxy, as load balancing sees it. */
const proxyOf = (from: ProxyState): BalancingProxy => ({
  labels: from.labels,
  ...(from.index.facts?.locality !== undefined && { locality: from.index.facts.locality }),
  version: from.index.version,
  meshLocalityLb: from.index.config.mesh.localityLb?.value ?? true,
});

const owners = new WeakMap<MeshFacts, ReadonlyMap<string, ClusterFacts>>();

/** The first cluster (in the facts' order) whose ingress gateway has `address`. */
function ingressOwner(mesh: MeshFacts, address: string): ClusterFacts | undefined {
  let byAddress = owners.get(mesh);
  if (!byAddress) {
    const map = new Map<string, ClusterFacts>();
    for (const c of mesh.clusters.values())
      for (const a of c.ingress?.addresses ?? []) if (!map.has(a)) map.set(a, c);
    owners.set(mesh, map);
    byAddress = map;
  }
  return byAddress.get(address);
}

export function describeService(svc: MeshService): string {
  return svc.source.kind === "kubernetes"
    ? `Kubernetes Service ${svc.host}`
    : `ServiceEntry ${svc.source.ref.namespace}/${svc.source.ref.name} (host ${svc.host})`;
}

export const modeOf = (x: unknown): string => (str(x) ?? "").toUpperCase();
