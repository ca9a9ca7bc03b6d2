// Following a matched route: one hop naming the VirtualService and rule, then each weighted
// destination in turn (a fork when there are several, each branch with its share of the calls).

import { type IstioObject, refOf } from "./config.js";
import { failed, type ProxyState, prepend, type TraceContext } from "./context.js";
import { type DestinationRequest, toDestination } from "./destination.js";
import type { Hop, Trace } from "./types.js";
import { applyHeaders, type RouteAction } from "./virtual-service.js";

export function followRoute(
  ctx: TraceContext,
  from: ProxyState,
  routedHost: string,
  matched: { readonly vs?: IstioObject; readonly action: RouteAction },
  base: Omit<DestinationRequest, "host" | "port" | "subset">,
): Trace {
  const cluster = from.ref.cluster;
  const { vs, action } = matched;
  const where = vs
    ? `VirtualService ${vs.metadata.namespace}/${vs.metadata.name} ${action.rule}`
    : "the default route";
  if (action.kind === "answer") {
    return failed([], {
      reason: "answered-by-proxy",
      cluster,
      message: `${where} answers with ${action.what}; no service is called`,
    });
  }
  if (action.kind === "unsupported") {
    return failed([], {
      reason: "unsupported",
      cluster,
      message: `${where} uses ${action.what}, which cw trace does not follow`,
    });
  }
  const hop: Hop = {
    kind: "route",
    proxy: from.ref,
    host: routedHost,
    ...(vs && { by: refOf(cluster, vs) }),
    rule: action.rule,
    destinations: action.destinations,
  };
  const live = action.destinations.filter((d) => d.weight > 0);
  const total = live.reduce((n, d) => n + d.weight, 0);
  if (live.length === 0) {
    return failed([hop], {
      reason: "no-route",
      cluster,
      message: `${where} has no destination with a weight above 0`,
    });
  }
  const routed = base.http && {
    ...base.http,
    ...(action.authority !== undefined && { host: action.authority }),
    headers: applyHeaders(base.http.headers ?? {}, action.headers),
  };
  const branches = live.map((d) => {
    const http = routed && { ...routed, headers: applyHeaders(routed.headers, d.headers) };
    return {
      share: d.weight / total,
      label: `${d.host}${d.subset !== undefined ? ` subset ${d.subset}` : ""}${d.port !== undefined ? `:${d.port}` : ""}`,
      trace: toDestination(ctx, from, {
        ...base,
        ...(http && { http }),
        host: d.host,
        ...(d.port !== undefined && { port: d.port }),
        ...(d.subset !== undefined && { subset: d.subset }),
      }),
    };
  });
  if (branches.length === 1 && branches[0]) return prepend([hop], branches[0].trace);
  return { hops: [hop], end: { kind: "fork", by: "weights", branches } };
}
