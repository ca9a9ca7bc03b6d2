// What the interpreter reads: per cluster, the Istio objects of its folder (one object per file, or
// any multi-document YAML) and its DNS setting under dns/. It never sees cw's internal plan, so it can
// check generated and hand-written configuration alike.

import { parseAllDocuments } from "yaml";
import { isObj, type Json, labelsOf, str } from "./fields.js";
import { readPlainYaml } from "./plain-yaml.js";

export interface IstioObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace: string;
    readonly labels: Readonly<Record<string, string>>;
  };
  readonly spec: Json;
  /** The file it came from, relative to the cluster's folder. */
  readonly file?: string;
}

/** How workloads in a cluster resolve names that no Kubernetes Service owns. */
export type DnsSetting =
  /** The sidecar's DNS proxy answers from ServiceEntry addresses (ISTIO_META_DNS_CAPTURE). */
  | { readonly kind: "istio-dns-proxy"; readonly file?: string }
  /** A CoreDNS server block with a hosts table. */
  | { readonly kind: "coredns"; readonly file: string; readonly hosts: ReadonlyMap<string, string> };

export interface ClusterConfig {
  readonly name: string;
  readonly objects: readonly IstioObject[];
  readonly dns: DnsSetting;
}

export interface ConfigFile {
  /** Relative to the cluster's folder, "/"-separated. */
  readonly path: string;
  readonly content: string;
}

export interface LoadedCluster {
  readonly config: ClusterConfig;
  /** Files or documents that could not be read, in words. */
  readonly problems: readonly string[];
}

const ISTIO_GROUP = /(^|\.)istio\.io\//;

/**
 * Reads one cluster's files. Objects of groups other than *.istio.io are skipped (kustomization.yaml,
 * an IstioOperator is read only as a DNS setting). Without any DNS setting file the cluster is taken
 * to run Istio's DNS proxy, which is what global names need from Istio 1.8 on.
 */
export function loadClusterConfig(name: string, files: readonly ConfigFile[]): LoadedCluster {
  const objects: IstioObject[] = [];
  const problems: string[] = [];
  let dns: DnsSetting = { kind: "istio-dns-proxy" };
  for (const file of [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    if (file.path.endsWith(".server")) {
      dns = { kind: "coredns", file: file.path, hosts: coreDnsHosts(file.content) };
      continue;
    }
    if (!/\.ya?ml$/.test(file.path)) continue;
    for (const value of documentsOf(file.content, (message) =>
      problems.push(`${name}/${file.path}: ${message}`),
    )) {
      if (!isObj(value)) continue;
      const apiVersion = str(value.apiVersion) ?? "";
      const kind = str(value.kind) ?? "";
      if (kind === "IstioOperator" && file.path.startsWith("dns/")) {
        dns = { kind: "istio-dns-proxy", file: file.path };
        continue;
      }
      if (!ISTIO_GROUP.test(apiVersion)) continue;
      const metadata = isObj(value.metadata) ? value.metadata : {};
      objects.push({
        apiVersion,
        kind,
        metadata: {
          name: str(metadata.name) ?? "",
          namespace: str(metadata.namespace) ?? "default",
          labels: labelsOf(metadata.labels),
        },
        spec: isObj(value.spec) ? value.spec : {},
        file: file.path,
      });
    }
  }
  return { config: { name, objects, dns }, problems };
}

/**
 * The values of a file's documents. kubectl reads YAML 1.1; so do we: plain block YAML through the
 * fast reader, anything else through the yaml library, whose errors are reported per document.
 */
function documentsOf(text: string, problem: (message: string) => void): unknown[] {
  const plain = readPlainYaml(text);
  if (plain) return plain;
  const values: unknown[] = [];
  const docs = parseAllDocuments(text, { version: "1.1" });
  for (const doc of Array.isArray(docs) ? docs : [docs]) {
    if (doc.errors.length > 0) problem(doc.errors[0]?.message ?? "unreadable YAML");
    else values.push(doc.toJS());
  }
  return values;
}

/** The `hosts` table of a CoreDNS server block: "<ip> <name> <name>..." lines. */
function coreDnsHosts(text: string): Map<string, string> {
  const hosts = new Map<string, string>();
  const block = /hosts\s*\{([^}]*)\}/.exec(text)?.[1] ?? "";
  for (const line of block.split("\n")) {
    const words = line.replace(/#.*/, "").trim().split(/\s+/).filter(Boolean);
    const [ip, ...names] = words;
    if (!ip || !/^[\d.]+$|:/.test(ip)) continue;
    for (const n of names) if (!hosts.has(n.toLowerCase())) hosts.set(n.toLowerCase(), ip);
  }
  return hosts;
}

export const refOf = (cluster: string, o: IstioObject): ObjectRef => ({
  cluster,
  kind: o.kind,
  namespace: o.metadata.namespace,
  name: o.metadata.name,
});

export interface ObjectRef {
  readonly cluster: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
}

export const refText = (r: ObjectRef): string => `${r.kind} ${r.namespace}/${r.name}`;
