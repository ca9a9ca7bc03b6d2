// A connection arriving at a gateway's pods (an ingress gateway from another cluster, or this
// cluster's egress gateway), per https://istio.io/latest/docs/reference/config/networking/gateway/
// and istio pilot/pkg/networking/core/gateway.go, in four steps:
// 1. The listener on the port (gateway-listener.ts): servers merged as istiod merges them, filter
//    chains chosen by SNI and ALPN as Envoy chooses; a listener with two chains of the same match is
//    rejected by Envoy and refuses everything.
// 2. TLS: ISTIO_MUTUAL terminates and requires a client certificate from the mesh CA; SIMPLE/MUTUAL
//    present the credentialName certificate, which an Istio mutual TLS client does not accept as a
//    mesh identity; PASSTHROUGH modes do not terminate, so the gateway sees no principal.
// 3. The gateway's AuthorizationPolicies (authz.ts); from Istio 1.20 AUTO_PASSTHROUGH chains carry
//    none ("We do not want any authz here", builtAutoPassthroughFilterChains).
// 4. Routing: HTTPS (and HTTP) servers by Host among the VirtualServices bound to the Gateway whose
//    hosts the server allows ("<namespace>/<host>"), with the release's rule for a port in the Host
//    (gatewayHostMatches); TLS-terminating servers by tcp routes; PASSTHROUGH by tls routes on SNI;
//    AUTO_PASSTHROUGH to the service and subset the SNI names, still encrypted.

import { authzHop, evaluateAuthz } from "./authz.js";
import { refOf } from "./config.js";
import {
  type Connection,
  clusterIndex,
  failed,
  type GatewayProxy,
  MAX_PROXIES,
  type ProxyState,
  prepend,
  type TraceContext,
} from "./context.js";
import { toDestination } from "./destination.js";
import { obj, str } from "./fields.js";
import {
  ANY_PORT,
  chooseChain,
  type FilterChain,
  type GatewayListener,
  gatewayHostMatches,
  gatewayListeners,
  HTTP_PROTOCOLS,
  type Server,
  serverText,
  TLS_PROTOCOLS,
} from "./gateway-listener.js";
import { hostsIntersect } from "./host-match.js";
import { atLeast, releaseText } from "./istio-version.js";
import { principalOf } from "./mesh.js";
import { type ClusterIndex, objectsOf } from "./registry.js";
import { followRoute } from "./route.js";
import { parseOutboundSni } from "./sni.js";
import type { Failure, Hop, Trace } from "./types.js";
import {
  boundVirtualServices,
  hostsOf,
  matchHttp,
  matchTcp,
  matchTls,
  selectByHost,
  visibleFrom,
} from "./virtual-service.js";

interface Arrival {
  readonly ctx: TraceContext;
  readonly gw: GatewayProxy;
  readonly conn: Connection;
  readonly index: ClusterIndex;
  readonly role: string;
  readonly cluster: string;
}

export function gatewayInbound(ctx: TraceContext, gw: GatewayProxy, conn: Connection): Trace {
  const cluster = gw.ref.cluster;
  const role = gw.ref.role === "ingress-gateway" ? "ingress gateway" : "egress gateway";
  if (ctx.depth >= MAX_PROXIES) {
    return failed([], {
      reason: "loop",
      cluster,
      message: `the call has passed ${MAX_PROXIES} proxies: a routing loop`,
    });
  }
  const index = clusterIndex(ctx, cluster);
  if (!index) {
    return failed([], {
      reason: "unknown-endpoint",
      cluster,
      message: `there is no configuration for cluster ${cluster}`,
    });
  }
  const at: Arrival = { ctx: { ...ctx, depth: ctx.depth + 1 }, gw, conn, index, role, cluster };
  const plan = ctx.indexes.memo(gw.facts, planKey(ctx, conn), () => planAt(at));
  switch (plan.kind) {
    case "done":
      return plan.trace;
    case "plain":
      return plainText(at, plan.listener);
    case "terminate":
      return terminated(at, plan);
    case "passthrough":
      return passthrough(at, plan.chain.server, [...plan.hops]);
    default:
      return autoPassthrough(at, plan.chain, [...plan.hops]);
  }
}

/**
 * What the gateway decides for a connection before it asks who the caller is: the listener, the
 * filter chain, the TLS handshake, and (for a terminating server) the routes taken once its policies
 * allow the call. Callers of the same gateway, port and SNI/Host differ only in their principal, so
 * the plan is made once per tracer (Indexes.memo) and only the policies are evaluated per caller.
 * Passthrough chains carry the caller's connection on to the pods, and plain text is rare, so those
 * are traced per caller past the chain.
 */
type Plan =
  | { readonly kind: "done"; readonly trace: Trace }
  | { readonly kind: "plain"; readonly listener: GatewayListener }
  | {
      readonly kind: "passthrough" | "auto-passthrough";
      readonly chain: FilterChain;
      readonly hops: readonly Hop[];
    }
  | TerminatePlan;

interface TerminatePlan {
  readonly kind: "terminate";
  readonly server: Server;
  readonly hops: readonly Hop[];
  readonly http: boolean;
  /** The trace past the policies, the same for every caller they allow: made when first needed. */
  rest?: Trace;
}

/**
 * Everything a plan depends on, as Indexes.memo's key: the gateway (the memo's owner, whose facts
 * fix its role and namespace), the trace's depth and clusters down, and the connection but its
 * principal. KeyedFields below fails to compile when Connection grows a field this key leaves out.
 */
function planKey(ctx: TraceContext, conn: Connection): (string | number)[] {
  const down = ctx.input.down ? [...ctx.input.down].sort().join(",") : "";
  const { tls, http } = conn;
  const sans = tls.subjectAltNames.length === 0 ? "" : tls.subjectAltNames.join(" ");
  const request = http
    ? [http.host, http.path, http.headers ? JSON.stringify(http.headers) : ""]
    : [-1, -1, -1];
  return [ctx.depth, down, conn.port, tls.mode, tls.decidedBy, tls.sni ?? -1, sans, ...request];
}

type KeyedFields<T, K extends keyof T> = Exclude<keyof T, K> extends never ? true : never;
const _connectionKeyed: KeyedFields<Connection, "port" | "tls" | "principal" | "http"> = true;
const _tlsKeyed: KeyedFields<Connection["tls"], "mode" | "sni" | "decidedBy" | "subjectAltNames"> = true;
const _httpKeyed: KeyedFields<NonNullable<Connection["http"]>, "host" | "path" | "headers"> = true;

function planAt(at: Arrival): Plan {
  const done = (f: Omit<Failure, "kind">, hops: Hop[] = []): Plan => ({
    kind: "done",
    trace: failed(hops, f),
  });
  const { conn } = at;
  const listener = gatewayListeners(at.index, at.gw.facts.labels, at.gw.facts.namespace).get(conn.port);
  if (!listener || listener.servers.length === 0) return done(portNotExposed(at));
  if (listener.rejected) return done(listenerRejected(at, listener));
  if (conn.tls.mode === "DISABLE") return { kind: "plain", listener };
  const sni = conn.tls.sni;
  const chain = chooseChain(listener, sni, conn.tls.mode === "ISTIO_MUTUAL");
  if (!chain) return done(noChain(at, listener, sni));
  const hops: Hop[] = [gatewayHop(at, chain.server, sni, matchedText(chain, sni))];
  if (chain.kind === "passthrough") return { kind: "passthrough", chain, hops };
  if (chain.kind !== "terminate") return { kind: "auto-passthrough", chain, hops };
  const refused = handshake(at, chain.server);
  if (refused) return done(refused, hops);
  const server = chain.server;
  return {
    kind: "terminate",
    server,
    hops,
    http: server.protocol === "HTTPS" || HTTP_PROTOCOLS.has(server.protocol),
  };
}

function portNotExposed(at: Arrival): Omit<Failure, "kind"> {
  const podLabels = Object.entries(at.gw.facts.labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(",");
  return {
    reason: "port-not-exposed",
    cluster: at.cluster,
    message: `no Gateway selecting the ${at.role} pods (${podLabels}) of cluster ${at.cluster} has a server on port ${at.conn.port}: connection refused`,
  };
}

function listenerRejected(at: Arrival, listener: GatewayListener): Omit<Failure, "kind"> {
  const r = listener.rejected;
  return {
    reason: "listener-rejected",
    cluster: at.cluster,
    message: `Envoy rejects the whole listener on port ${at.conn.port} of the ${at.role} of cluster ${at.cluster}: ${r ? `${serverText(r.first.server)} and ${serverText(r.second.server)} both make a filter chain for ${r.match}` : "duplicate filter chains"} (istiod does not merge them: builtAutoPassthroughFilterChains, ${releaseText(at.index.version)}), so no connection on that port is accepted`,
  };
}

function noChain(at: Arrival, listener: GatewayListener, sni: string | undefined): Omit<Failure, "kind"> {
  const shadow = listener.dropped.find(
    (d) => sni !== undefined && d.server.hosts.some((h) => hostsIntersect(h.dnsName, sni)),
  );
  const accepted = listener.accepted;
  return {
    reason: "host-not-exposed",
    cluster: at.cluster,
    message: shadow
      ? `${serverText(shadow.server)} would take SNI ${sni}, but istiod dropped it: ${serverText(shadow.by)} already names host ${shadow.host} on port ${at.conn.port} (duplicate host names)`
      : `no filter chain on port ${at.conn.port} of the ${at.role} of cluster ${at.cluster} matches SNI ${sni ?? "(none)"}${at.conn.tls.mode === "ISTIO_MUTUAL" ? "" : " without Istio's ALPN"}; its chains accept ${accepted || "nothing"}`,
  };
}

function matchedText(chain: FilterChain, sni: string | undefined): string {
  const name =
    chain.names.length === 0
      ? "any name"
      : chain.names.length === 1
        ? chain.names[0]
        : chain.names.join(", ");
  if (chain.kind === "auto-passthrough")
    return `SNI ${sni} is a chain of the AUTO_PASSTHROUGH server (one per service port from 1.8.6/1.9.5/1.10)`;
  if (chain.kind === "legacy-auto-passthrough")
    return `SNI ${sni ?? "(none)"} matches ${name} (AUTO_PASSTHROUGH, one chain per server before 1.8.6/1.9.5)`;
  return `SNI ${sni ?? "(none)"} matches ${name}`;
}

function gatewayHop(at: Arrival, server: Server, sni: string | undefined, matched: string): Hop {
  return {
    kind: "gateway",
    proxy: at.gw.ref,
    gateway: refOf(at.cluster, server.gateway),
    server: str(obj(server.spec.port).name) ?? `servers[${server.index}]`,
    protocol: server.protocol,
    tlsMode: server.tlsMode || "none",
    ...(sni !== undefined && { sni }),
    matched,
  };
}

/** The gateway as a proxy making the next connection. */
const selfOf = (at: Arrival): ProxyState => ({
  ref: at.gw.ref,
  index: at.index,
  principal: principalOf(at.index.trustDomain, at.gw.facts.namespace, at.gw.facts.serviceAccount),
  labels: at.gw.facts.labels,
});

const gatewayNameOf = (s: Server) => `${s.gateway.metadata.namespace}/${s.gateway.metadata.name}`;

/** A terminating server: TLS and identity (handshake, in the plan), policy, then routes. */
function terminated(at: Arrival, plan: TerminatePlan): Trace {
  const hops = [...plan.hops];
  const principal = plan.server.tlsMode === "ISTIO_MUTUAL" ? at.conn.principal : undefined;
  const denied = authorizeHere(at, hops, principal, plan.http);
  if (denied) return denied;
  // Routing reads the connection's port, SNI and HTTP request, never its principal (planKey).
  plan.rest ??= plan.http ? routeHttp(at, plan.server, []) : routeTcp(at, plan.server, []);
  return prepend(hops, plan.rest);
}

/** Why the TLS handshake with a terminating server fails, if it does. */
function handshake(at: Arrival, server: Server): Omit<Failure, "kind"> | undefined {
  const mismatch = tlsMismatch(server.tlsMode, at.conn.tls.mode);
  if (mismatch) {
    return {
      reason: "tls-mode-mismatch",
      cluster: at.cluster,
      message: `TLS mode mismatch at the ${at.role} of cluster ${at.cluster}: ${mismatch}`,
    };
  }
  // Terminated mutual TLS ends here: the gateway must be who the caller's subjectAltNames say.
  const sans = at.conn.tls.subjectAltNames;
  if (at.conn.tls.mode === "ISTIO_MUTUAL" && sans.length > 0) {
    const identity = `spiffe://${principalOf(at.index.trustDomain, at.gw.facts.namespace, at.gw.facts.serviceAccount)}`;
    if (!sans.includes(identity)) {
      return {
        reason: "peer-identity-mismatch",
        cluster: at.cluster,
        message: `the ${at.role} of cluster ${at.cluster} presents ${identity}, which is not among the caller's subjectAltNames ${sans.join(", ")}: the TLS handshake fails (certificate verify failed)`,
      };
    }
  }
  return undefined;
}

function tlsMismatch(serverMode: string, client: string): string | false {
  if (serverMode === "ISTIO_MUTUAL")
    return (
      client !== "ISTIO_MUTUAL" &&
      `the server wants Istio mutual TLS (a client certificate from the mesh CA), but the caller sends ${client === "SIMPLE" ? "TLS without a client certificate" : `${client} TLS`}`
    );
  if (client === "ISTIO_MUTUAL")
    return `the server is ${serverMode} and presents its own certificate, not a mesh identity, which the caller's Istio mutual TLS rejects`;
  return (
    serverMode === "MUTUAL" &&
    client === "SIMPLE" &&
    "the server wants a client certificate and the caller sends none"
  );
}

/** The gateway's policies; undefined when the call may go on, else the refusal. */
function authorizeHere(
  at: Arrival,
  hops: Hop[],
  principal: string | undefined,
  http: boolean,
): Trace | undefined {
  const sni = at.conn.tls.mode === "DISABLE" ? undefined : at.conn.tls.sni;
  const host = at.conn.http?.host ?? sni;
  const verdict = evaluateAuthz(
    objectsOf(at.index, "AuthorizationPolicy"),
    {
      cluster: at.cluster,
      namespace: at.gw.facts.namespace,
      labels: at.gw.facts.labels,
      trustDomain: at.index.trustDomain,
      rootNamespace: at.index.rootNamespace,
    },
    {
      principal,
      sni,
      port: at.conn.port,
      http: http && host !== undefined ? { host, path: at.conn.http?.path ?? "/", method: "GET" } : undefined,
    },
  );
  hops.push(authzHop(at.gw.ref, verdict, principal, sni));
  if (verdict.verdict !== "deny") return undefined;
  return failed(hops, {
    reason: "denied-by-policy",
    cluster: at.cluster,
    message: `the ${at.role} of cluster ${at.cluster} refuses ${principal ?? "a caller without a mesh identity"}${sni !== undefined ? ` for SNI ${sni}` : ""} (RBAC: access denied): ${verdict.reason}`,
  });
}

/** The VirtualServices bound to the server's Gateway that its hosts allow. */
function allowedRoutes(at: Arrival, server: Server) {
  const bound = boundVirtualServices(at.index, gatewayNameOf(server)).intersecting(
    server.hosts.map((h) => h.dnsName),
  );
  return visibleFrom(bound, at.gw.facts.namespace).filter((vs) =>
    hostsOf(vs).some((h) =>
      server.hosts.some(
        (sh) =>
          hostsIntersect(h, sh.dnsName) && (sh.namespace === "*" || sh.namespace === vs.metadata.namespace),
      ),
    ),
  );
}

const routeContext = (at: Arrival, server: Server) => ({
  gateway: gatewayNameOf(server),
  port: at.conn.port,
  path: at.conn.http?.path ?? "/",
});

const requestBase = (at: Arrival, passthrough: boolean) => ({
  incomingPort: at.conn.port,
  ...(at.conn.http && { http: at.conn.http }),
  ...(passthrough && { passthrough: at.conn }),
});

function routeHttp(at: Arrival, server: Server, hops: Hop[]): Trace {
  const authority = at.conn.http?.host ?? at.conn.tls.sni ?? "";
  const name = authority.replace(/:\d+$/, "");
  const v = at.index.version;
  const forHost = allowedRoutes(at, server).filter((vs) =>
    server.hosts.some(
      (sh) =>
        gatewayHostMatches(v, at.conn.port, sh.dnsName, authority) &&
        hostsOf(vs).some((h) => gatewayHostMatches(v, at.conn.port, h, authority)) &&
        (sh.namespace === "*" || sh.namespace === vs.metadata.namespace),
    ),
  );
  const list = selectByHost(forHost, name);
  const ctx = { ...routeContext(at, server), authority, headers: at.conn.http?.headers ?? {} };
  const m = list.length > 0 ? matchHttp(list, ctx) : undefined;
  if (!m) {
    const portRule =
      list.length === 0 && authority !== name && !atLeast(v, 6)
        ? ` (${releaseText(v)} gives a gateway host only the domains host and host:${at.conn.port}, and the request says Host ${authority})`
        : "";
    const what =
      list.length > 0
        ? `http route matching ${authority}${ctx.path} with headers ${JSON.stringify(ctx.headers)}`
        : `host ${authority} (404 NR)${portRule}`;
    return failed(hops, noRoute(at, server, what));
  }
  return prepend(hops, followRoute(at.ctx, selfOf(at), name, m, requestBase(at, false)));
}

function routeTcp(at: Arrival, server: Server, hops: Hop[]): Trace {
  const m = matchTcp(allowedRoutes(at, server), routeContext(at, server));
  if (!m) {
    const hosts = server.hosts.map((h) => h.dnsName).join(", ");
    return failed(hops, noRoute(at, server, `tcp route for the hosts of server ${hosts}`));
  }
  return prepend(hops, followRoute(at.ctx, selfOf(at), at.conn.tls.sni ?? "", m, requestBase(at, false)));
}

function passthrough(at: Arrival, server: Server, hops: Hop[]): Trace {
  const denied = authorizeHere(at, hops, undefined, false);
  if (denied) return denied;
  const sni = at.conn.tls.sni;
  const m = matchTls(allowedRoutes(at, server), routeContext(at, server), sni);
  if (!m) return failed(hops, noRoute(at, server, `tls route with sniHosts matching ${sni}`));
  return prepend(hops, followRoute(at.ctx, selfOf(at), sni ?? "", m, requestBase(at, true)));
}

/** AUTO_PASSTHROUGH: on to the service, port and subset the SNI names, still encrypted. */
function autoPassthrough(at: Arrival, chain: FilterChain, hops: Hop[]): Trace {
  if (!atLeast(at.index.version, 20)) {
    const denied = authorizeHere(at, hops, undefined, false);
    if (denied) return denied;
  }
  const key = at.conn.tls.sni !== undefined ? parseOutboundSni(at.conn.tls.sni) : undefined;
  const to = chain.to && chain.to.port !== ANY_PORT ? chain.to : key;
  if (!to) {
    return failed(hops, {
      reason: "host-not-exposed",
      cluster: at.cluster,
      message: `the AUTO_PASSTHROUGH server of the ${at.role} of cluster ${at.cluster} forwards only SNIs of the form outbound_.<port>_.<subset>_.<host>; ${at.conn.tls.sni ?? "no SNI"} is not one (Envoy: no cluster)`,
    });
  }
  return prepend(
    hops,
    toDestination(at.ctx, selfOf(at), {
      ...requestBase(at, true),
      sniDnat: true,
      host: to.host,
      port: to.port,
      ...(to.subset !== "" && { subset: to.subset }),
    }),
  );
}

/** Plain text: HTTP servers by Host, or a TCP server. */
function plainText(at: Arrival, listener: GatewayListener): Trace {
  const authority = at.conn.http?.host;
  const v = at.index.version;
  const http = listener.servers.filter((s) => HTTP_PROTOCOLS.has(s.protocol));
  const server =
    authority !== undefined
      ? http.find((s) => s.hosts.some((h) => gatewayHostMatches(v, at.conn.port, h.dnsName, authority)))
      : undefined;
  const tcp = listener.servers.find((s) => !TLS_PROTOCOLS.has(s.protocol) && !HTTP_PROTOCOLS.has(s.protocol));
  const chosen = server ?? tcp;
  if (!chosen) {
    return failed([], {
      reason: "tls-mode-mismatch",
      cluster: at.cluster,
      message: `the ${at.role} of cluster ${at.cluster} expects TLS on port ${at.conn.port}, but the caller sends plain text (no DestinationRule sets TLS for it)`,
    });
  }
  const hops: Hop[] = [gatewayHop(at, chosen, undefined, server ? `Host ${authority}` : "plain TCP")];
  const denied = authorizeHere(at, hops, undefined, server !== undefined);
  if (denied) return denied;
  return server ? routeHttp(at, server, hops) : routeTcp(at, chosen, hops);
}

function noRoute(at: Arrival, server: Server, what: string): Omit<Failure, "kind"> {
  return {
    reason: "no-route",
    cluster: at.cluster,
    message: `no route at the ${at.role} of cluster ${at.cluster}: no VirtualService bound to Gateway ${gatewayNameOf(server)} has a ${what}`,
  };
}
