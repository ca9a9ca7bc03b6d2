// Which configuration a workload's sidecar receives: its Sidecar resource's egress hosts decide which
// services, VirtualServices and DNS names it has, following istio pilot/pkg/model:
// - push_context.go doGetSidecarScope: a Sidecar in the workload's namespace whose workloadSelector
//   matches the pod's labels, else the namespace's Sidecar without a selector, else the root
//   namespace's Sidecar without a selector, else the default scope (egress hosts "*/*"). Gateways
//   always get the default scope.
// - sidecar.go convertIstioListenerToWrapper / selectServices: an egress host is "<ns>/<dnsName>";
//   "./" is the Sidecar's namespace, "*/" any namespace, "~/" none. A service is imported when a host
//   of its own namespace (the ServiceEntry's, or the Kubernetes Service's) matches its hostname, else a
//   host of "*/" does: hostClassification.Matches (exact hosts exactly, wildcard hosts by SubsetOf).
//   exportTo still applies: only services exported to the namespace are candidates
//   (servicesExportedToNamespace).
// - virtualservice.go SelectVirtualServices: a VirtualService is imported when one of its hosts matches
//   an egress host of its own namespace or of "*/" (VSMatches: either may be the wildcard).
// - sidecar.go collectImportedServices: the destinations of imported VirtualServices are imported too
//   (they get clusters and listeners), but not into the DNS table, which BuildNameTable
//   (pkg/dns/server/name_table.go) builds from the egress listeners' own services.
// - An egress listener with a port imports for that port only (needsPortMatch).
// - Without a listener for an address, the sidecar applies the outbound traffic policy: ALLOW_ANY
//   passes the connection to the original address, REGISTRY_ONLY drops it (Sidecar
//   outboundTrafficPolicy, else the mesh's).

import { type IstioObject, type ObjectRef, refOf } from "./config.js";
import { labelsOf, num, obj, objs, selects, str, strs } from "./fields.js";
import { hostMatches, hostsIntersect, normalize, resolveShortName } from "./host-match.js";
import { LabelCache } from "./label-cache.js";
import { type ClusterIndex, type MeshService, objectsOf, perCluster } from "./registry.js";

interface EgressHost {
  /** A namespace, or "*" for any. */
  readonly namespace: string;
  readonly dnsName: string;
}

interface EgressListener {
  /** Undefined: every port. */
  readonly port?: number;
  readonly hosts: readonly EgressHost[];
}

export interface SidecarScope {
  /** The Sidecar that applies; undefined for the default scope. */
  readonly sidecar?: ObjectRef;
  /** How it was chosen, for hop text. */
  readonly how: "workload selector" | "namespace" | "root namespace" | "default";
  readonly listeners?: readonly EgressListener[];
  readonly outboundTrafficPolicy: "ALLOW_ANY" | "REGISTRY_ONLY";
  /** Whether each service is in the scope through an imported VirtualService (hasService), as found. */
  readonly viaRoutes?: WeakMap<MeshService, boolean>;
}

export const DEFAULT_SCOPE: SidecarScope = { how: "default", outboundTrafficPolicy: "ALLOW_ANY" };

function listenersOf(sidecar: IstioObject): EgressListener[] {
  const egress = objs(sidecar.spec.egress);
  if (egress.length === 0) return [{ hosts: [{ namespace: "*", dnsName: "*" }] }];
  return egress.map((e) => {
    const port = num(obj(e.port).number);
    const hosts = strs(e.hosts).flatMap((h): EgressHost[] => {
      const parts = h.split("/");
      if (parts.length !== 2) return [];
      const [ns = "", name = ""] = parts;
      if (ns === "~") return [];
      return [{ namespace: ns === "." ? sidecar.metadata.namespace : ns, dnsName: normalize(name) }];
    });
    return { ...(port !== undefined && port !== 0 && { port }), hosts };
  });
}

const policyOf = (sidecar: IstioObject | undefined, meshDefault: string | undefined) => {
  const mode = (
    str(obj(sidecar?.spec.outboundTrafficPolicy).mode) ??
    meshDefault ??
    "ALLOW_ANY"
  ).toUpperCase();
  return mode === "REGISTRY_ONLY" ? "REGISTRY_ONLY" : "ALLOW_ANY";
};

const scopes = perCluster(() => new LabelCache<SidecarScope>());
const NO_LABELS: Readonly<Record<string, string>> = {};

/** The scope of a sidecar in `namespace` whose pod has `labels`. */
export function sidecarScopeFor(
  index: ClusterIndex,
  namespace: string,
  labels: Readonly<Record<string, string>> = NO_LABELS,
): SidecarScope {
  return scopes(index).get(labels, namespace, () => buildScope(index, namespace, labels));
}

function buildScope(
  index: ClusterIndex,
  namespace: string,
  labels: Readonly<Record<string, string>>,
): SidecarScope {
  const rootNamespace = index.rootNamespace;
  const sidecars = objectsOf(index, "Sidecar");
  const inNs = sidecars.filter((s) => s.metadata.namespace === namespace);
  const selected = inNs.find(
    (s) =>
      s.spec.workloadSelector !== undefined && selects(labelsOf(obj(s.spec.workloadSelector).labels), labels),
  );
  const nsWide = inNs.find((s) => s.spec.workloadSelector === undefined);
  const root = sidecars.find(
    (s) => s.metadata.namespace === rootNamespace && s.spec.workloadSelector === undefined,
  );
  const meshPolicy = index.config.mesh.outboundTrafficPolicy?.value;
  const chosen: [IstioObject, SidecarScope["how"]] | undefined = selected
    ? [selected, "workload selector"]
    : nsWide
      ? [nsWide, "namespace"]
      : root
        ? [root, "root namespace"]
        : undefined;
  return chosen
    ? {
        sidecar: refOf(index.config.name, chosen[0]),
        how: chosen[1],
        listeners: listenersOf(chosen[0]),
        outboundTrafficPolicy: policyOf(chosen[0], meshPolicy),
        viaRoutes: new WeakMap(),
      }
    : { ...DEFAULT_SCOPE, outboundTrafficPolicy: policyOf(undefined, meshPolicy) };
}

/** The gateways' scope: every service and VirtualService exported to their namespace. */
export const gatewayScope = (index: ClusterIndex): SidecarScope => ({
  ...DEFAULT_SCOPE,
  outboundTrafficPolicy: policyOf(undefined, index.config.mesh.outboundTrafficPolicy?.value),
});

const listenersFor = (scope: SidecarScope, port: number | undefined) =>
  (scope.listeners ?? []).filter((l) => l.port === undefined || port === undefined || l.port === port);

/** Is the service imported by an egress host (selectServices), on `port` if given? */
export function importsService(
  scope: SidecarScope,
  svc: { readonly host: string; readonly namespace: string },
  port?: number,
): boolean {
  if (!scope.listeners) return true;
  return listenersFor(scope, port).some((l) => {
    const own = l.hosts.filter((h) => h.namespace === svc.namespace);
    if (own.some((h) => hostMatches(h.dnsName, svc.host))) return true;
    return l.hosts.some((h) => h.namespace === "*" && hostMatches(h.dnsName, svc.host));
  });
}

/** Is the VirtualService imported (SelectVirtualServices, non-Gateway-API semantics)? */
export function importsVirtualService(scope: SidecarScope, vs: IstioObject): boolean {
  if (!scope.listeners) return true;
  const hosts = strs(vs.spec.hosts).map((h) => resolveShortName(h, vs.metadata.namespace));
  return (scope.listeners ?? []).some((l) =>
    l.hosts.some(
      (h) =>
        (h.namespace === vs.metadata.namespace || h.namespace === "*") &&
        hosts.some((vh) => hostsIntersect(vh, h.dnsName)),
    ),
  );
}

/**
 * Is the service in the scope at all (it has a cluster and listeners): imported, or the destination
 * of an imported VirtualService (collectImportedServices).
 */
export function hasService(
  scope: SidecarScope,
  svc: MeshService,
  meshVirtualServices: readonly IstioObject[],
): boolean {
  if (!scope.listeners || importsService(scope, svc)) return true;
  const known = scope.viaRoutes ?? new WeakMap<MeshService, boolean>();
  let answer = known.get(svc);
  if (answer === undefined) {
    answer = meshVirtualServices.some(
      (vs) =>
        importsVirtualService(scope, vs) &&
        destinationHosts(vs).some((h) => normalize(resolveShortName(h, vs.metadata.namespace)) === svc.host),
    );
    known.set(svc, answer);
  }
  return answer;
}

function destinationHosts(vs: IstioObject): string[] {
  const routes = [...objs(vs.spec.http), ...objs(vs.spec.tcp), ...objs(vs.spec.tls)];
  return routes.flatMap((r) => objs(r.route).flatMap((d) => strs([obj(d.destination).host])));
}

export const scopeText = (scope: SidecarScope): string =>
  scope.sidecar
    ? `Sidecar ${scope.sidecar.namespace}/${scope.sidecar.name} (${scope.how})`
    : "no Sidecar: the default scope, every service exported to the namespace";
