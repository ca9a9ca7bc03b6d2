// Objects a cluster cannot take, and, with the clusters' existing config, where cw's objects and the
// existing ones collide (as the tracer's models of istiod see it): each is a "conflict" check that
// does not hold, naming the objects, even when no traced call happens to pass through it:
//   - an object of an API version the cluster's Istio release does not serve;
//   - a gateway listener Envoy rejects for duplicate filter chains;
//   - a Gateway server istiod drops because an earlier server names the same host;
//   - DestinationRules for one host in one namespace that Istio merges or keeps apart.

import type { Topology } from "../topology/model.js";
import { refOf, refText } from "../trace/config.js";
import { destinationRuleConflicts } from "../trace/destination-rule-index.js";
import { gatewayListeners, serverText } from "../trace/gateway-listener.js";
import { releaseText, serves } from "../trace/istio-version.js";
import type { Tracer } from "../trace/trace.js";

export interface Conflict {
  readonly cluster: string;
  readonly what: string;
  readonly problem: string;
}

export function conflictsOf(tracer: Tracer, topology: Topology): Conflict[] {
  const out: Conflict[] = [];
  for (const cluster of topology.clusters) {
    const index = tracer.indexes.cluster(cluster.name);
    if (!index) continue;
    const config = index.config;
    for (const o of config.objects) {
      if (o.existing || serves(index.version, o.apiVersion)) continue;
      out.push({
        cluster: cluster.name,
        what: refText(refOf(cluster.name, o)),
        problem: `${releaseText(index.version)} does not serve ${o.apiVersion}: the API server refuses the object`,
      });
    }
    if (!config.objects.some((o) => o.existing)) continue;
    const gateways = [
      { role: "ingress gateway", g: cluster.ingress },
      ...(cluster.egress ? [{ role: "egress gateway", g: cluster.egress }] : []),
    ];
    for (const { role, g } of gateways) {
      for (const listener of gatewayListeners(index, g.selector, g.namespace).values()) {
        const r = listener.rejected;
        if (r && (r.first.server.gateway.existing || r.second.server.gateway.existing)) {
          out.push({
            cluster: cluster.name,
            what: `${role} port ${listener.port}`,
            problem: `${serverText(r.first.server)} and ${serverText(r.second.server)} both make a filter chain for ${r.match}: Envoy rejects the whole listener`,
          });
        }
        for (const d of listener.dropped) {
          if (d.server.gateway.existing === d.by.gateway.existing) continue;
          out.push({
            cluster: cluster.name,
            what: `${role} port ${listener.port}`,
            problem: `istiod drops ${serverText(d.server)}: ${serverText(d.by)} already names host ${d.host}`,
          });
        }
      }
    }
    for (const c of destinationRuleConflicts(index)) {
      const names = c.rules.map((r) => refText(refOf(cluster.name, r))).join(", ");
      out.push({
        cluster: cluster.name,
        what: `DestinationRules for ${c.host} in namespace ${c.namespace}`,
        problem:
          c.how === "merged"
            ? `${names} are merged into one: only the first one's traffic policy applies, the others add subsets`
            : `${names} are kept apart (their exportTo differ, Istio 1.24+): a proxy uses only the last one without a selector`,
      });
    }
  }
  return out;
}
