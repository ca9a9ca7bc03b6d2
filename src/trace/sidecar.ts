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
import { gatewayScope, hasService, importsVirtualService, scopeText } from "./sidecar-scope.js";
import type { Caller, Hop, Target, Trace } from "./types.js";
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
  completed?: string,
): Trace {
  const { index } = self;
  const cluster = self.ref.cluster;
  const ns = caller.namespace;
  // A short Kubernetes name is routed as the Service's full name: the sidecar's virtual hosts list
  // the short forms among their domains (GenerateAltVirtualHosts in
  // pilot/pkg/networking/core/httproute.go goes by the name's form, so a ServiceEntry host of Service
  // form gets them too).
  const name = kubernetes ?? completed ?? normalize(target.host);
  const port = target.port;
  const scope = self.scope ?? gatewayScope(index);
  const mesh = boundVirtualServices(index, "mesh");
  let visible: MeshService[];
  if (kubernetes) {
    const k = findService(index, kubernetes, ns);
    visible = k ? [k] : [];
  } else {
    visible = servicesAt(index, address, ns);
  }
  const owners = visible.filter((s) => hasService(scope, s, mesh.all));
  if (owners.length === 0) {
    const outside = visible[0];
    const why = outside
      ? `${outside.host} is outside namespace ${ns}'s ${scopeText(scope)}, so the sidecar has no listener for it`
      : `no service visible to namespace ${ns} in cluster ${cluster} has address ${address}`;
    return failed([], {
      reason: "no-listener",
      cluster,
      message:
        scope.outboundTrafficPolicy === "REGISTRY_ONLY"
          ? `${why}; the outbound traffic policy is REGISTRY_ONLY, so the sidecar drops the connection`
          : `${why}: the sidecar passes the connection through to ${address} itself, which nothing answers`,
    });
  }
  const withPort = owners.filter((s) => !s.portsKnown || s.ports.some((p) => p.number === port));
  const svc = withPort.find((s) => s.host === name) ?? withPort[0];
  if (!svc) {
    const first = owners[0];
    return failed([], {
      reason: "no-listener",
      cluster,
      message: `${first?.host ?? address} has no port ${port} (it has ${first?.ports.map((p) => p.number).join(", ")}): the sidecar passes the connection through to ${address}:${port}, which nothing answers`,
    });
  }
  const protocol = svc.ports.find((p) => p.number === port)?.protocol ?? "TCP";
  const hops: Hop[] = [
    {
      kind: "listener",
      proxy: self.ref,
      address,
      port,
      protocol,
      service: svc.host,
      ...(svc.source.kind === "service-entry" && { by: svc.source.ref }),
    },
  ];
  const candidates = (host: string) =>
    visibleFrom(mesh.candidates(host), ns).filter((vs) => importsVirtualService(scope, vs));
  const routeCtx = {
    gateway: "mesh",
    port,
    path: target.path ?? "/",
    source: { namespace: ns, ...(caller.labels && { labels: caller.labels }) },
  };
  const defaultRoute = (host: string): { action: RouteAction } => ({
    action: {
      kind: "route",
      rule: "default (no VirtualService)",
      destinations: [{ host, port, weight: 100 }],
    },
  });
  const http = HTTP_FAMILY.has(protocol);
  // The application's Host header: the name it called, with the port unless it is HTTP's own 80, as
  // HTTP clients write it (RFC 9110 7.2). Sidecars match it whatever the port (vhost domains list
  // name:port up to 1.15, and ignore the port from 1.16).
  const authority = port === 80 ? normalize(target.host) : `${normalize(target.host)}:${port}`;
  const base = { incomingPort: port, ...(http && { http: { host: authority, path: target.path ?? "/" } }) };

  if (http) {
    // One VirtualService per host on a sidecar; later ones conflict (IST0109) and are ignored.
    const vs = selectByHost(candidates(name), name).find((v) => v.spec.http !== undefined);
    if (vs) {
      const m = matchHttp([vs], { ...routeCtx, authority });
      if (!m) {
        return failed(hops, {
          reason: "no-route",
          cluster,
          message: `VirtualService ${vs.metadata.namespace}/${vs.metadata.name} has no http route matching ${name}:${port}${routeCtx.path} (404 NR)`,
        });
      }
      return prepend(hops, followRoute(ctx, self, name, m, base));
    }
    const byHost =
      kubernetes || name === address
        ? svc
        : servicesNamed(index, name, ns).find(
            (s) => s.ports.some((p) => p.number === port) && hasService(scope, s, mesh.all),
          );
    if (!byHost) {
      return failed(hops, {
        reason: "no-route",
        cluster,
        // httproute.go buildCatchAllVirtualHost: ALLOW_ANY passes the request on to the original
        // address; REGISTRY_ONLY answers 502.
        message:
          scope.outboundTrafficPolicy === "REGISTRY_ONLY"
            ? `no VirtualService or service host in the sidecar's scope matches Host ${authority} on port ${port}: the block_all virtual host answers 502 (REGISTRY_ONLY)`
            : `no VirtualService or service host in the sidecar's scope matches Host ${authority} on port ${port}: the allow_any virtual host passes the request to ${address}, which nothing answers`,
      });
    }
    return prepend(hops, followRoute(ctx, self, name, defaultRoute(byHost.host), base));
  }
  const vs = selectByHost(candidates(svc.host), svc.host)[0];
  const m =
    (vs && TLS_FAMILY.has(protocol) ? matchTls([vs], routeCtx, name) : undefined) ??
    (vs ? matchTcp([vs], routeCtx) : undefined) ??
    defaultRoute(svc.host);
  return prepend(hops, followRoute(ctx, self, svc.host, m, base));
}
