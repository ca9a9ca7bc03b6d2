// Name resolution in the caller's cluster: the first hop, since an application looks a name up before
// it connects. With Istio's DNS proxy (https://istio.io/latest/docs/ops/configuration/traffic-management/dns-proxy/)
// the sidecar answers a ServiceEntry host with the entry's first address, when the entry is visible to
// the caller's namespace; entries without addresses are not answered (address auto-allocation is off
// by default). With CoreDNS, the hosts table of the server block answers. Kubernetes Service names
// are answered by the cluster's DNS whatever the mode.

import { isIP } from "node:net";
import { type IstioObject, type ObjectRef, refOf } from "./config.js";
import { strs } from "./fields.js";
import { isKubernetesHost, normalize } from "./host-match.js";
import { type ClusterIndex, exportToOf, findService, objectsOf, perCluster, visibleTo } from "./registry.js";
import type { Failure, Hop } from "./types.js";

export type Resolution =
  | { readonly ok: true; readonly address: string; readonly hop: Hop; readonly kubernetes: boolean }
  | { readonly ok: false; readonly failure: Failure };

export function resolveName(index: ClusterIndex, namespace: string, name: string): Resolution {
  const cluster = index.config.name;
  const host = normalize(name);
  if (isIP(host)) {
    return {
      ok: true,
      address: host,
      kubernetes: false,
      hop: { kind: "dns", cluster, name, address: host, by: "literal" },
    };
  }
  if (isKubernetesHost(host)) {
    if (findService(index, host, namespace)?.source.kind === "kubernetes") {
      const address = `ClusterIP of ${host}`;
      return {
        ok: true,
        address,
        kubernetes: true,
        hop: { kind: "dns", cluster, name, address, by: "kubernetes" },
      };
    }
    return fail(cluster, name, `cluster ${cluster} has no Kubernetes Service ${host}`);
  }
  const dns = index.config.dns;
  if (dns.kind === "coredns") {
    const address = dns.hosts.get(host);
    if (address) {
      return {
        ok: true,
        address,
        kubernetes: false,
        hop: { kind: "dns", cluster, name, address, by: { coreDnsFile: dns.file } },
      };
    }
    return fail(cluster, name, `the CoreDNS hosts table (${dns.file}) of cluster ${cluster} has no ${host}`);
  }
  const entries = (entriesByHost(index).get(host) ?? []).filter(({ se }) =>
    visibleTo(exportToOf(se), se.metadata.namespace, namespace),
  );
  const withAddress = entries.find((e) => e.address !== undefined);
  if (withAddress) {
    const address = withAddress.address ?? "";
    const by: ObjectRef = refOf(cluster, withAddress.se);
    return { ok: true, address, kubernetes: false, hop: { kind: "dns", cluster, name, address, by } };
  }
  const why =
    entries.length > 0
      ? `ServiceEntry ${entries[0]?.se.metadata.namespace}/${entries[0]?.se.metadata.name} names ${host} but gives it no address, so the DNS proxy does not answer it`
      : `no ServiceEntry visible to namespace ${namespace} in cluster ${cluster} names ${host}, so Istio's DNS proxy does not answer it`;
  return fail(cluster, name, why);
}

interface Entry {
  readonly se: IstioObject;
  /** The address the DNS proxy answers with, if any. */
  readonly address: string | undefined;
}

/** The ServiceEntries naming each host (normalized), in the cluster's order. */
const entriesByHost = perCluster((index: ClusterIndex): ReadonlyMap<string, readonly Entry[]> => {
  const byHost = new Map<string, Entry[]>();
  for (const se of objectsOf(index, "ServiceEntry")) {
    const entry = { se, address: firstAddress(se) };
    for (const h of new Set(strs(se.spec.hosts).map(normalize))) {
      const list = byHost.get(h);
      if (list) list.push(entry);
      else byHost.set(h, [entry]);
    }
  }
  return byHost;
});

function firstAddress(se: IstioObject): string | undefined {
  return strs(se.spec.addresses).find((a) => !a.includes("/") && isIP(a));
}

function fail(cluster: string, name: string, why: string): Resolution {
  return {
    ok: false,
    failure: {
      kind: "failed",
      reason: "name-not-resolved",
      cluster,
      message: `no such host ${name}: ${why}`,
    },
  };
}
