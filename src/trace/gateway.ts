// A connection arriving at a gateway's pods (an ingress gateway from another cluster, or this
// cluster's egress gateway), per https://istio.io/latest/docs/reference/config/networking/gateway/:
// - Gateways apply to the pods their selector matches, in any namespace (PILOT_SCOPE_GATEWAY_TO_NAMESPACE
//   is off by default). Servers on the connection's port compete for it.
// - TLS servers are told apart by SNI (Envoy filter-chain server_names: exact beats wildcard; "*"
//   matches any). An AUTO_PASSTHROUGH server accepts SNI outbound_.<port>_.<subset>_.<host> for a
//   host its hosts cover and forwards, still encrypted, to that service (sni.ts).
// - ISTIO_MUTUAL terminates TLS and requires a client certificate from the mesh CA: the client must
//   send Istio mutual TLS. SIMPLE/MUTUAL present the credentialName certificate, which an Istio
//   mutual TLS client does not accept as a mesh identity. PASSTHROUGH modes do not terminate, so the
//   gateway sees no principal.
// - After the handshake, the gateway's AuthorizationPolicies decide (authz.ts); then HTTPS (and
//   HTTP) servers route by Host among the VirtualServices bound to the Gateway whose hosts the server
//   allows ("<namespace>/<host>"), TLS-terminating servers by the bound VirtualServices' tcp routes,
//   and PASSTHROUGH servers by tls routes matched on SNI.

import { authzHop, evaluateAuthz } from "./authz.js";
import { type IstioObject, refOf } from "./config.js";
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
import { type Json, labelsOf, num, obj, objs, selects, str, strs } from "./fields.js";
import { HostIndex } from "./host-index.js";
import {
  type GatewayHost,
  hostMatches,
  hostsIntersect,
  parseGatewayHost,
  specificity,
} from "./host-match.js";
import { principalOf } from "./mesh.js";
import { type ClusterIndex, objectsOf, perCluster } from "./registry.js";
import { followRoute } from "./route.js";
import { parseOutboundSni } from "./sni.js";
import type { Hop, Trace } from "./types.js";
import {
  boundVirtualServices,
  hostsOf,
  matchHttp,
  matchTcp,
  matchTls,
  selectByHost,
  visibleFrom,
} from "./virtual-service.js";

interface Server {
  readonly gateway: IstioObject;
  readonly index: number;
  readonly spec: Json;
  readonly protocol: string;
  readonly tlsMode: string;
  readonly hosts: readonly GatewayHost[];
}

const TLS_PROTOCOLS = new Set(["HTTPS", "TLS"]);
const HTTP_PROTOCOLS = new Set(["HTTP", "HTTP2", "GRPC"]);

/** The servers of the Gateways that select one set of pod labels on one port. */
interface PortServers {
  /** By host, in the cluster's order. */
  readonly servers: HostIndex<Server>;
  /** The names they accept, for the message when none accepts a connection. */
  readonly accepted: string;
}

interface ServersByLabels {
  readonly byObject: WeakMap<object, ReadonlyMap<number, PortServers>>;
  readonly byText: Map<string, ReadonlyMap<number, PortServers>>;
}

const serversCache = perCluster((): ServersByLabels => ({ byObject: new WeakMap(), byText: new Map() }));

/** The servers on each port of the Gateways selecting pods with `labels`, in the cluster's order. */
function serversFor(
  index: ClusterIndex,
  labels: Readonly<Record<string, string>>,
): ReadonlyMap<number, PortServers> {
  const cache = serversCache(index);
  const known = cache.byObject.get(labels);
  if (known) return known;
  const key = JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  let servers = cache.byText.get(key);
  if (!servers) {
    servers = buildServers(index, labels);
    cache.byText.set(key, servers);
  }
  cache.byObject.set(labels, servers);
  return servers;
}

function buildServers(
  index: ClusterIndex,
  labels: Readonly<Record<string, string>>,
): ReadonlyMap<number, PortServers> {
  const byPort = new Map<number, Server[]>();
  for (const g of objectsOf(index, "Gateway")) {
    if (!selects(labelsOf(g.spec.selector), labels)) continue;
    objs(g.spec.servers).forEach((s, i) => {
      const port = num(obj(s.port).number);
      if (port === undefined) return;
      const protocol = (str(obj(s.port).protocol) ?? "").toUpperCase();
      const tlsMode = (str(obj(s.tls).mode) ?? (TLS_PROTOCOLS.has(protocol) ? "SIMPLE" : "")).toUpperCase();
      const server = {
        gateway: g,
        index: i,
        spec: s,
        protocol,
        tlsMode,
        hosts: strs(s.hosts).map((h) => parseGatewayHost(h, g.metadata.namespace)),
      };
      const list = byPort.get(port);
      if (list) list.push(server);
      else byPort.set(port, [server]);
    });
  }
  return new Map(
    [...byPort].map(([port, list]) => [
      port,
      {
        servers: new HostIndex(list, (s) => s.hosts.map((h) => h.dnsName)),
        accepted: [...new Set(list.flatMap((s) => s.hosts.map((h) => h.dnsName)))].join(", "),
      },
    ]),
  );
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
  const inner: TraceContext = { ...ctx, depth: ctx.depth + 1 };
  const index = clusterIndex(ctx, cluster);
  if (!index) {
    return failed([], {
      reason: "unknown-endpoint",
      cluster,
      message: `there is no configuration for cluster ${cluster}`,
    });
  }
  const onPort = serversFor(index, gw.facts.labels).get(conn.port);
  const servers = onPort?.servers.all ?? [];
  if (servers.length === 0) {
    const podLabels = Object.entries(gw.facts.labels)
      .map(([k, v]) => `${k}=${v}`)
      .join(",");
    return failed([], {
      reason: "port-not-exposed",
      cluster,
      message: `no Gateway selecting the ${role} pods (${podLabels}) of cluster ${cluster} has a server on port ${conn.port}: connection refused`,
    });
  }

  const sni = conn.tls.mode === "DISABLE" ? undefined : conn.tls.sni;
  // Only servers with a host that can match the SNI (or the name in an AUTO_PASSTHROUGH SNI) can
  // win; the others score -1 below.
  const sniKey = sni !== undefined ? parseOutboundSni(sni) : undefined;
  const contenders =
    conn.tls.mode === "DISABLE" || !onPort
      ? servers
      : onPort.servers.candidates(...(sni !== undefined ? [sni] : []), ...(sniKey ? [sniKey.host] : []));
  let chosen: { server: Server; matched: string } | undefined;
  let best = -1;
  for (const s of contenders) {
    let score = -1;
    let matched = "";
    if (conn.tls.mode === "DISABLE") {
      if (TLS_PROTOCOLS.has(s.protocol)) continue;
      const host = conn.http?.host;
      if (HTTP_PROTOCOLS.has(s.protocol)) {
        for (const h of s.hosts)
          if (host !== undefined && hostMatches(h.dnsName, host) && specificity(h.dnsName) > score) {
            score = specificity(h.dnsName);
            matched = `Host ${host} matches ${h.dnsName}`;
          }
      } else {
        score = 0;
        matched = "plain TCP";
      }
    } else {
      if (!TLS_PROTOCOLS.has(s.protocol)) continue;
      const key = s.tlsMode === "AUTO_PASSTHROUGH" && sni !== undefined ? parseOutboundSni(sni) : undefined;
      const name = s.tlsMode === "AUTO_PASSTHROUGH" ? key?.host : sni;
      for (const h of s.hosts) {
        const ok = name === undefined ? h.dnsName === "*" : hostMatches(h.dnsName, name);
        if (ok && specificity(h.dnsName) > score) {
          score = specificity(h.dnsName);
          matched = `SNI ${sni ?? "(none)"} matches ${h.dnsName}${s.tlsMode === "AUTO_PASSTHROUGH" ? " (AUTO_PASSTHROUGH)" : ""}`;
        }
      }
    }
    if (score > best) {
      best = score;
      chosen = { server: s, matched };
    }
  }
  if (!chosen) {
    if (conn.tls.mode === "DISABLE") {
      return failed([], {
        reason: "tls-mode-mismatch",
        cluster,
        message: `the ${role} of cluster ${cluster} expects TLS on port ${conn.port}, but the caller sends plain text (no DestinationRule sets TLS for it)`,
      });
    }
    return failed([], {
      reason: "host-not-exposed",
      cluster,
      message: `no server on port ${conn.port} of the ${role} of cluster ${cluster} accepts SNI ${sni ?? "(none)"}; its servers accept ${onPort?.accepted ?? ""}`,
    });
  }
  const { server } = chosen;
  const gatewayName = `${server.gateway.metadata.namespace}/${server.gateway.metadata.name}`;
  const hops: Hop[] = [
    {
      kind: "gateway",
      proxy: gw.ref,
      gateway: refOf(cluster, server.gateway),
      server: str(obj(server.spec.port).name) ?? `servers[${server.index}]`,
      protocol: server.protocol,
      tlsMode: server.tlsMode || "none",
      ...(sni !== undefined && { sni }),
      matched: chosen.matched,
    },
  ];

  const passthrough = server.tlsMode === "PASSTHROUGH" || server.tlsMode === "AUTO_PASSTHROUGH";
  const terminates = conn.tls.mode !== "DISABLE" && !passthrough;
  if (terminates) {
    const client = conn.tls.mode;
    const mismatch =
      server.tlsMode === "ISTIO_MUTUAL"
        ? client !== "ISTIO_MUTUAL" &&
          `the server wants Istio mutual TLS (a client certificate from the mesh CA), but the caller sends ${client === "SIMPLE" ? "TLS without a client certificate" : `${client} TLS`}`
        : client === "ISTIO_MUTUAL"
          ? `the server is ${server.tlsMode} and presents its own certificate, not a mesh identity, which the caller's Istio mutual TLS rejects`
          : server.tlsMode === "MUTUAL" &&
            client === "SIMPLE" &&
            "the server wants a client certificate and the caller sends none";
    if (mismatch) {
      return failed(hops, {
        reason: "tls-mode-mismatch",
        cluster,
        message: `TLS mode mismatch at the ${role} of cluster ${cluster}: ${mismatch}`,
      });
    }
  }
  // Terminated mutual TLS ends here: the gateway must be who the caller's subjectAltNames say.
  const sans = conn.tls.subjectAltNames;
  if (terminates && conn.tls.mode === "ISTIO_MUTUAL" && sans.length > 0) {
    const identity = `spiffe://${principalOf(index.trustDomain, gw.facts.namespace, gw.facts.serviceAccount)}`;
    if (!sans.includes(identity)) {
      return failed(hops, {
        reason: "peer-identity-mismatch",
        cluster,
        message: `the ${role} of cluster ${cluster} presents ${identity}, which is not among the caller's subjectAltNames ${sans.join(", ")}: the TLS handshake fails (certificate verify failed)`,
      });
    }
  }
  const principal = terminates && server.tlsMode === "ISTIO_MUTUAL" ? conn.principal : undefined;
  const parsesHttp = HTTP_PROTOCOLS.has(server.protocol) || (server.protocol === "HTTPS" && terminates);
  const httpHost = conn.http?.host ?? sni;
  const verdict = evaluateAuthz(
    objectsOf(index, "AuthorizationPolicy"),
    {
      cluster,
      namespace: gw.facts.namespace,
      labels: gw.facts.labels,
      trustDomain: index.trustDomain,
      rootNamespace: index.rootNamespace,
    },
    {
      principal,
      sni,
      port: conn.port,
      http:
        parsesHttp && httpHost !== undefined
          ? { host: httpHost, path: conn.http?.path ?? "/", method: "GET" }
          : undefined,
    },
  );
  hops.push(authzHop(gw.ref, verdict, principal, sni));
  if (verdict.verdict === "deny") {
    return failed(hops, {
      reason: "denied-by-policy",
      cluster,
      message: `the ${role} of cluster ${cluster} refuses ${principal ?? "a caller without a mesh identity"}${sni !== undefined ? ` for SNI ${sni}` : ""} (RBAC: access denied): ${verdict.reason}`,
    });
  }

  const self: ProxyState = {
    ref: gw.ref,
    index,
    principal: principalOf(index.trustDomain, gw.facts.namespace, gw.facts.serviceAccount),
    labels: gw.facts.labels,
  };
  const bound = boundVirtualServices(index, gatewayName).intersecting(server.hosts.map((h) => h.dnsName));
  const allowed = visibleFrom(bound, gw.facts.namespace).filter((vs) =>
    hostsOf(vs).some((h) =>
      server.hosts.some(
        (sh) =>
          hostsIntersect(h, sh.dnsName) && (sh.namespace === "*" || sh.namespace === vs.metadata.namespace),
      ),
    ),
  );
  const routeCtx = { gateway: gatewayName, port: conn.port, path: conn.http?.path ?? "/" };
  const base = {
    incomingPort: conn.port,
    ...(conn.http && { http: conn.http }),
    ...(passthrough && { passthrough: conn }),
  };

  if (server.tlsMode === "AUTO_PASSTHROUGH") {
    const key = sni !== undefined ? parseOutboundSni(sni) : undefined;
    if (!key)
      return failed(hops, {
        reason: "host-not-exposed",
        cluster,
        message: "internal: AUTO_PASSTHROUGH without a cluster SNI",
      });
    return prepend(
      hops,
      toDestination(inner, self, {
        ...base,
        host: key.host,
        port: key.port,
        ...(key.subset !== "" && { subset: key.subset }),
      }),
    );
  }
  if (server.tlsMode === "PASSTHROUGH") {
    const m = matchTls(allowed, routeCtx, sni);
    if (!m)
      return failed(hops, noRoute(cluster, role, gatewayName, `tls route with sniHosts matching ${sni}`));
    return prepend(hops, followRoute(inner, self, sni ?? "", m, base));
  }
  if (parsesHttp) {
    const host = httpHost ?? "";
    const forHost = allowed.filter((vs) =>
      server.hosts.some(
        (sh) =>
          hostMatches(sh.dnsName, host) && (sh.namespace === "*" || sh.namespace === vs.metadata.namespace),
      ),
    );
    const list = selectByHost(forHost, host);
    const m =
      list.length > 0
        ? matchHttp(list, { ...routeCtx, authority: host, headers: conn.http?.headers ?? {} })
        : undefined;
    if (!m) {
      return failed(
        hops,
        noRoute(
          cluster,
          role,
          gatewayName,
          list.length > 0
            ? `http route matching ${host}${routeCtx.path} with headers ${JSON.stringify(conn.http?.headers ?? {})}`
            : `host ${host} (404 NR)`,
        ),
      );
    }
    return prepend(hops, followRoute(inner, self, host, m, base));
  }
  const m = matchTcp(allowed, routeCtx);
  if (!m)
    return failed(
      hops,
      noRoute(
        cluster,
        role,
        gatewayName,
        `tcp route for the hosts of server ${server.hosts.map((h) => h.dnsName).join(", ")}`,
      ),
    );
  return prepend(hops, followRoute(inner, self, sni ?? "", m, base));
}

function noRoute(cluster: string, role: string, gatewayName: string, what: string) {
  return {
    reason: "no-route" as const,
    cluster,
    message: `no route at the ${role} of cluster ${cluster}: no VirtualService bound to Gateway ${gatewayName} has a ${what}`,
  };
}
