// The caller's sidecar: the outbound listener that captures the connection (by VIP and port), then the
// route. HTTP-family ports are routed by the Host header among the VirtualServices bound to "mesh"
// (and, without one, straight to the service whose host the header names: Envoy answers 404 NR for a
// Host no virtual host has). TCP ports are routed by the service that owns the VIP, TLS ports by the
// application's SNI (tls routes), falling back to the service itself when no route matches.
// The caller's Sidecar scope (sidecar-scope.ts) decides which services have listeners and which
// VirtualServices route: a service outside it has no listener, and the connection goes to the original
// address under the outbound traffic policy (ALLOW_ANY: passed through; REGISTRY_ONLY: dropped).

import type { ProxyState, TraceContext } from "./context.js";
import { failed, prepend } from "./context.js";
import { normalize } from "./host-match.js";
import { findService, type MeshService, servicesAt, servicesNamed } from "./registry.js";
import { followRoute } from "./route.js";
import {
  gatewayScope,
  hasService,
  importsVirtualService,
  type SidecarScope,
  scopeText,
} from "./sidecar-scope.js";
import type { Caller, Failure, Hop, Target, Trace } from "./types.js";
import {
  boundVirtualServices,
  matchHttp,
  matchTcp,
  matchTls,
  type RouteAction,
  selectByHost,
  visibleFrom,
} from "./virtual-service.js";

const HTTP_FAMILY = new Set(["HTTP", "HTTP2", "GRPC", "GRPC-WEB"]);
const TLS_FAMILY = new Set(["HTTPS", "TLS"]);

export function sidecarOutbound(
  ctx: TraceContext,
  self: ProxyState,
  caller: Caller,
  target: Target,
  address: string,
  kubernetes: string | undefined,
): Trace {
  const scope = self.scope ?? gatewayScope(self.index);
  const call: OutboundCall = {
    ctx,
    self,
    caller,
    target,
    address,
    kubernetes,
    scope,
    mesh: boundVirtualServices(self.index, "mesh"),
    // A short Kubernetes name is routed as the Service's full name: the sidecar's virtual hosts list
    // the short forms among their domains.
    name: kubernetes ?? normalize(target.host),
  };
  const listener = listenerFor(call);
  if ("reason" in listener) return failed([], listener);
  const protocol = listener.ports.find((p) => p.number === target.port)?.protocol ?? "TCP";
  const hops: Hop[] = [
    {
      kind: "listener",
      proxy: self.ref,
      address,
      port: target.port,
      protocol,
      service: listener.host,
      ...(listener.source.kind === "service-entry" && { by: listener.source.ref }),
    },
  ];
  return HTTP_FAMILY.has(protocol)
    ? routeHttp(call, listener, hops)
    : routeTcp(call, listener, hops, TLS_FAMILY.has(protocol));
}

/** One outbound call at the caller's sidecar, as the routing steps need it. */
interface OutboundCall {
  readonly ctx: TraceContext;
  readonly self: ProxyState;
  readonly caller: Caller;
  readonly target: Target;
  readonly address: string;
  readonly kubernetes: string | undefined;
  readonly scope: SidecarScope;
  readonly mesh: ReturnType<typeof boundVirtualServices>;
  /** The name routed on: the called host, or the full name of a Kubernetes Service. */
  readonly name: string;
}

/** The service whose listener captures the connection (by VIP or ClusterIP, and port). */
function listenerFor(call: OutboundCall): MeshService | Omit<Failure, "kind"> {
  const { self, caller, target, address, scope, mesh } = call;
  const cluster = self.ref.cluster;
  const ns = caller.namespace;
  const k = call.kubernetes !== undefined ? findService(self.index, call.kubernetes, ns) : undefined;
  const visible = call.kubernetes !== undefined ? (k ? [k] : []) : servicesAt(self.index, address, ns);
  const owners = visible.filter((s) => hasService(scope, s, mesh.all));
  if (owners.length === 0) {
    const outside = visible[0];
    const why = outside
      ? `${outside.host} is outside namespace ${ns}'s ${scopeText(scope)}, so the sidecar has no listener for it`
      : `no service visible to namespace ${ns} in cluster ${cluster} has address ${address}`;
    return {
      reason: "no-listener",
      cluster,
      message:
        scope.outboundTrafficPolicy === "REGISTRY_ONLY"
          ? `${why}; the outbound traffic policy is REGISTRY_ONLY, so the sidecar drops the connection`
          : `${why}: the sidecar passes the connection through to ${address} itself, which nothing answers`,
    };
  }
  const withPort = owners.filter((s) => !s.portsKnown || s.ports.some((p) => p.number === target.port));
  const svc = withPort.find((s) => s.host === call.name) ?? withPort[0];
  if (svc) return svc;
  const first = owners[0];
  return {
    reason: "no-listener",
    cluster,
    message: `${first?.host ?? address} has no port ${target.port} (it has ${first?.ports.map((p) => p.number).join(", ")}): the sidecar passes the connection through to ${address}:${target.port}, which nothing answers`,
  };
}

const routeContext = (call: OutboundCall) => ({
  gateway: "mesh",
  port: call.target.port,
  path: call.target.path ?? "/",
  source: { namespace: call.caller.namespace, ...(call.caller.labels && { labels: call.caller.labels }) },
});

const defaultRoute = (host: string, port: number): { action: RouteAction } => ({
  action: { kind: "route", rule: "default (no VirtualService)", destinations: [{ host, port, weight: 100 }] },
});

/** The mesh VirtualServices the caller's namespace sees and its Sidecar imports, for a host. */
const candidates = (call: OutboundCall, host: string) =>
  visibleFrom(call.mesh.candidates(host), call.caller.namespace).filter((vs) =>
    importsVirtualService(call.scope, vs),
  );

/** HTTP: by the Host header, among the mesh VirtualServices, else the service the Host names. */
function routeHttp(call: OutboundCall, svc: MeshService, hops: Hop[]): Trace {
  const { ctx, self, target, name, address, scope } = call;
  const cluster = self.ref.cluster;
  const port = target.port;
  // The application's Host header: the name it called, with the port unless it is HTTP's own 80, as
  // HTTP clients write it (RFC 9110 7.2). Sidecars match it whatever the port (vhost domains list
  // name:port up to 1.15, and ignore the port from 1.16).
  const authority = port === 80 ? normalize(target.host) : `${normalize(target.host)}:${port}`;
  const base = { incomingPort: port, http: { host: authority, path: target.path ?? "/" } };
  // One VirtualService per host on a sidecar; later ones conflict (IST0109) and are ignored.
  const vs = selectByHost(candidates(call, name), name).find((v) => v.spec.http !== undefined);
  if (vs) {
    const m = matchHttp([vs], { ...routeContext(call), authority });
    if (m) return prepend(hops, followRoute(ctx, self, name, m, base));
    return failed(hops, {
      reason: "no-route",
      cluster,
      message: `VirtualService ${vs.metadata.namespace}/${vs.metadata.name} has no http route matching ${name}:${port}${base.http.path} (404 NR)`,
    });
  }
  const byHost =
    call.kubernetes || name === address
      ? svc
      : servicesNamed(self.index, name, call.caller.namespace).find(
          (s) => s.ports.some((p) => p.number === port) && hasService(scope, s, call.mesh.all),
        );
  if (byHost) return prepend(hops, followRoute(ctx, self, name, defaultRoute(byHost.host, port), base));
  // httproute.go buildCatchAllVirtualHost: ALLOW_ANY passes the request on to the original address;
  // REGISTRY_ONLY answers 502.
  const unmatched = `no VirtualService or service host in the sidecar's scope matches Host ${authority} on port ${port}`;
  return failed(hops, {
    reason: "no-route",
    cluster,
    message:
      scope.outboundTrafficPolicy === "REGISTRY_ONLY"
        ? `${unmatched}: the block_all virtual host answers 502 (REGISTRY_ONLY)`
        : `${unmatched}: the allow_any virtual host passes the request to ${address}, which nothing answers`,
  });
}

/** TCP by the service that owns the address; TLS by the application's SNI (tls routes) first. */
function routeTcp(call: OutboundCall, svc: MeshService, hops: Hop[], tls: boolean): Trace {
  const vs = selectByHost(candidates(call, svc.host), svc.host)[0];
  const ctx = routeContext(call);
  const m =
    (vs && tls ? matchTls([vs], ctx, call.name) : undefined) ??
    (vs ? matchTcp([vs], ctx) : undefined) ??
    defaultRoute(svc.host, call.target.port);
  return prepend(hops, followRoute(call.ctx, call.self, svc.host, m, { incomingPort: call.target.port }));
}
