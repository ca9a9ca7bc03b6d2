// From a route destination to what is behind it: the service in the registry, the DestinationRule
// and subset, the TLS the proxy originates, and the endpoints. An endpoint at another cluster's
// ingress gateway continues there; a Kubernetes Service in this cluster is where the call arrives
// (or the egress gateway, when it is that gateway's Service).

import { authorize } from "./arrival.js";
import { type IstioObject, refOf } from "./config.js";
import { type Connection, failed, type ProxyState, prepend, type TraceContext } from "./context.js";
import { origination, subsetOf, tlsSetting, trafficPolicyFor } from "./destination-rule.js";
import { type Found, lookupDestinationRule } from "./destination-rule-index.js";
import { type Json, labelsOf, selects } from "./fields.js";
import { normalize } from "./host-match.js";
import { releaseText } from "./istio-version.js";
import { type BalancingProxy, balance, outlierOf } from "./load-balancing.js";
import { type Endpoint, findService, type MeshService, type ServicePort } from "./registry.js";
import { hasService, scopeText } from "./sidecar-scope.js";
import type { Failure, Hop, Trace } from "./types.js";
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
}

const TLS_MODE_LABEL = "security.istio.io/tlsMode";

export function toDestination(ctx: TraceContext, from: ProxyState, req: DestinationRequest): Trace {
  const service = serviceFor(from, req);
  if ("reason" in service) return failed([], service);
  const target = ruleFor(from, req, service);
  if ("reason" in target) return failed([], target);
  return target.svc.source.kind === "kubernetes"
    ? toKubernetesService(ctx, from, req, target)
    : toServiceEntry(ctx, from, req, target);
}

/** The destination's service and port, as the proxy's registry and scope have them. */
interface ServiceTarget {
  readonly svc: MeshService;
  readonly port: number;
  readonly servicePort?: ServicePort;
}

/** What the proxy knows of the destination once its DestinationRule is found. */
interface RuleTarget extends ServiceTarget {
  readonly dr?: IstioObject;
  readonly tls: Json | undefined;
  readonly key: { readonly host: string; readonly port: number; readonly subset?: string };
  readonly hopBase: Omit<Extract<Hop, { kind: "cluster" }>, "tls" | "endpoints">;
}

function serviceFor(from: ProxyState, req: DestinationRequest): ServiceTarget | Omit<Failure, "kind"> {
  const cluster = from.ref.cluster;
  const ns = from.ref.namespace;
  const svc = findService(from.index, req.host, ns);
  if (!svc) {
    return {
      reason: "destination-not-found",
      cluster,
      message: `the route sends to ${req.host}, but no ServiceEntry or Kubernetes Service in cluster ${cluster} visible to namespace ${ns} has that host (Envoy: cluster not found)`,
    };
  }
  if (from.scope && !hasService(from.scope, svc, boundVirtualServices(from.index, "mesh").all)) {
    return {
      reason: "destination-not-found",
      cluster,
      message: `the route sends to ${svc.host}, which is outside namespace ${ns}'s ${scopeText(from.scope)}: the sidecar has no cluster for it (503 NC)`,
    };
  }
  const port = req.port ?? (svc.ports.length === 1 && svc.ports[0] ? svc.ports[0].number : req.incomingPort);
  const servicePort = svc.ports.find((p) => p.number === port);
  if (svc.portsKnown && !servicePort) {
    return {
      reason: "destination-not-found",
      cluster,
      message: `the route sends to ${svc.host}:${port}, but ${describeService(svc)} has no port ${port} (it has ${svc.ports.map((p) => p.number).join(", ") || "none"})`,
    };
  }
  return { svc, port, ...(servicePort && { servicePort }) };
}

function ruleFor(
  from: ProxyState,
  req: DestinationRequest,
  target: ServiceTarget,
): RuleTarget | Omit<Failure, "kind"> {
  const { svc, port } = target;
  const cluster = from.ref.cluster;
  const found = lookupDestinationRule(from.index, svc.host, from.ref.namespace, svc.namespace, from.labels);
  const dr = found?.chosen.rule;
  if (req.subset !== undefined && !subsetOf(dr, req.subset)) {
    return {
      reason: "subset-not-found",
      cluster,
      message: dr
        ? `the route names subset "${req.subset}" of ${svc.host}, which DestinationRule ${dr.metadata.namespace}/${dr.metadata.name} does not define`
        : `the route names subset "${req.subset}" of ${svc.host}, but no DestinationRule for it applies`,
    };
  }
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
  return {
    ...target,
    ...(dr && { dr }),
    tls: tlsSetting(dr, port, req.subset),
    key: { host: svc.host, port, ...(req.subset !== undefined && { subset: req.subset }) },
    hopBase,
  };
}

/** A Kubernetes Service of this cluster: the pods (or, for its egress gateway's Service, that gateway). */
function toKubernetesService(
  ctx: TraceContext,
  from: ProxyState,
  req: DestinationRequest,
  t: RuleTarget,
): Trace {
  // Pods behind a Kubernetes Service have sidecars (or are gateway pods): auto mTLS applies.
  const tls = req.passthrough?.tls ?? origination(t.tls, true, t.key, []);
  const hop: Hop = { ...t.hopBase, tls, endpoints: 1 };
  const principal = req.passthrough
    ? req.passthrough.principal
    : tls.mode === "ISTIO_MUTUAL"
      ? from.principal
      : undefined;
  const facts = from.index.facts;
  const egress = facts?.egress;
  if (facts && egress?.hosts.some((h) => normalize(h) === t.svc.host)) {
    const conn: Connection = {
      port: t.port,
      tls,
      ...(principal !== undefined && { principal }),
      ...(req.http && { http: req.http }),
    };
    const gw = {
      ref: { cluster: from.ref.cluster, role: "egress-gateway" as const, namespace: egress.namespace },
      facts: egress,
      cluster: facts,
    };
    return prepend([hop], ctx.enterGateway(ctx, gw, conn));
  }
  const subsetLabels = labelsOf(req.subset !== undefined ? subsetOf(t.dr, req.subset)?.labels : undefined);
  return prepend([hop], authorize(from.index, t.svc, t.port, principal, req, subsetLabels));
}

/** The endpoints a ServiceEntry (or its subset) gives, a DNS host standing for itself. */
function endpointsOf(svc: MeshService, subset: Json | undefined): readonly Endpoint[] {
  const dnsHost =
    svc.endpoints.length === 0 &&
    (svc.resolution === "DNS" || svc.resolution === "DNS_ROUND_ROBIN") &&
    !svc.host.startsWith("*");
  if (dnsHost) return [{ address: svc.host, ports: {}, labels: {} }];
  return subset ? svc.endpoints.filter((e) => selects(labelsOf(subset.labels), e.labels)) : svc.endpoints;
}

/** A ServiceEntry's endpoints, balanced as the proxy's load balancing (and --down) decides. */
function toServiceEntry(ctx: TraceContext, from: ProxyState, req: DestinationRequest, t: RuleTarget): Trace {
  const { svc, port } = t;
  const cluster = from.ref.cluster;
  const endpoints = endpointsOf(svc, req.subset !== undefined ? subsetOf(t.dr, req.subset) : undefined);
  const first = endpoints[0];
  const shownTls =
    req.passthrough?.tls ??
    origination(t.tls, first?.labels[TLS_MODE_LABEL] === "istio", t.key, svc.subjectAltNames);
  const policy = trafficPolicyFor(t.dr, port, req.subset);
  const outlier = outlierOf(policy, from.index.version);
  const balanced = balance(endpoints, policy, proxyOf(from), (e) => downOwner(ctx, e) !== undefined);
  const hop: Hop = {
    ...t.hopBase,
    tls: shownTls,
    endpoints: endpoints.length,
    ...(outlier && { outlier }),
    ...(endpoints.length > 1 && { balancing: balanced.rule }),
  };
  const live = balanced.endpoints.filter((b) => b.share > 0);
  if (!first || live.length === 0) {
    const why = !first
      ? noEndpointReason(svc, req.subset)
      : "every endpoint is in a cluster that is down, and outlier detection has ejected them all (503 UH)";
    return failed([hop], {
      reason: "no-endpoint",
      cluster,
      message: `no healthy upstream for ${svc.host}:${port}: ${why}`,
    });
  }
  const ranked = balanced.endpoints.some((b) => b.priority > 0);
  const branches = live.map((b) => {
    const tls =
      req.passthrough?.tls ??
      origination(t.tls, b.endpoint.labels[TLS_MODE_LABEL] === "istio", t.key, svc.subjectAltNames);
    const endpointPort = b.endpoint.ports[t.servicePort?.name ?? ""] ?? t.servicePort?.targetPort ?? port;
    const down = b.failsBecauseDown ? downOwner(ctx, b.endpoint) : undefined;
    return {
      share: b.share,
      label: `${b.endpoint.address}:${endpointPort}${ranked ? ` (priority ${b.priority})` : ""}`,
      trace: down
        ? failed([], {
            reason: "cluster-down",
            cluster,
            message: `${b.endpoint.address} is the gateway of cluster ${down}, which is down; ${outlier ? "outlier detection may not eject it (maxEjectionPercent)" : "without outlierDetection nothing ejects it"}, so these calls fail (503 UF)`,
          })
        : toEndpoint(ctx, from, b.endpoint, endpointPort, tls, req),
    };
  });
  if (branches.length === 1 && branches[0]) return prepend([hop], branches[0].trace);
  return { hops: [hop], end: { kind: "fork", by: "endpoints", branches } };
}

function noEndpointReason(svc: MeshService, subset: string | undefined): string {
  if (svc.endpoints.length > 0) {
    return `subset "${subset}" selects none of the ${svc.endpoints.length} endpoints of ${describeService(svc)}`;
  }
  return svc.resolution === "NONE"
    ? `${describeService(svc)} has resolution NONE and no endpoints, so the proxy forwards to the original destination address, which nothing answers`
    : `${describeService(svc)} has no endpoints`;
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
  const owner = ctx.indexes.ingressOwner(e.address);
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
  const owner = ctx.indexes.ingressOwner(e.address)?.name;
  return owner !== undefined && down.has(owner) ? owner : undefined;
}

/** The calling proxy, as load balancing sees it. */
const proxyOf = (from: ProxyState): BalancingProxy => ({
  labels: from.labels,
  ...(from.index.facts?.locality !== undefined && { locality: from.index.facts.locality }),
  version: from.index.version,
  meshLocalityLb: from.index.config.mesh.localityLb?.value ?? true,
});

export function describeService(svc: MeshService): string {
  return svc.source.kind === "kubernetes"
    ? `Kubernetes Service ${svc.host}`
    : `ServiceEntry ${svc.source.ref.namespace}/${svc.source.ref.name} (host ${svc.host})`;
}
