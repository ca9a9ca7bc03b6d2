// What the interpreter reads: per cluster, the Istio objects of its folder (one object per file, or
// any multi-document YAML), the mesh settings it states (MeshConfig in an `istio` ConfigMap,
// IstioOperators that cw asks the user to merge) and the CoreDNS server blocks under dns/. It never
// sees cw's internal plan, so it can check generated and hand-written configuration alike. The config
// a cluster already has (--existing) is read the same way and added, each object marked as existing.

import { parseAllDocuments } from "yaml";
import { byText } from "../compare.js";
import { type CoreDnsZone, parseCoreDns } from "./coredns.js";
import { isObj, type Json, labelsOf, obj, str } from "./fields.js";
import {
  applyMeshConfig,
  istioOperatorSettings,
  type MeshSettings,
  meshConfigOfConfigMap,
  type SettingSource,
} from "./mesh-settings.js";
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
  /** Already in the cluster (read with --existing), not written by this run. */
  readonly existing?: boolean;
}

export interface ClusterConfig {
  readonly name: string;
  readonly objects: readonly IstioObject[];
  /** CoreDNS server blocks (dns/*.server): zones the cluster's DNS answers itself. */
  readonly dnsZones: readonly CoreDnsZone[];
  readonly mesh: MeshSettings;
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

const ISTIO_CONFIG_GROUP = /^(networking|security)\.istio\.io\//;

export interface LoadOptions {
  /** The files are the config the cluster already has. */
  readonly existing?: boolean;
  /** Skip objects labelled as this federation's own (the new output replaces them). */
  readonly federation?: string;
}

const MANAGED_BY = "app.kubernetes.io/managed-by";
const FEDERATION = "coddiwomple.io/federation";

/**
 * Reads one cluster's files. Objects of the Istio config groups are kept; an `istio` ConfigMap and
 * IstioOperators are read as mesh settings; other objects (kustomization.yaml) are skipped.
 */
export function loadClusterConfig(
  name: string,
  files: readonly ConfigFile[],
  options: LoadOptions = {},
): LoadedCluster {
  const objects: IstioObject[] = [];
  const problems: string[] = [];
  const dnsZones: CoreDnsZone[] = [];
  let mesh: MeshSettings = {};
  const existing = options.existing === true;
  for (const file of [...files].sort(byText((x) => x.path))) {
    if (file.path.endsWith(".server")) {
      dnsZones.push(...parseCoreDns(file.path, file.content));
      continue;
    }
    if (!/\.ya?ml$/.test(file.path)) continue;
    for (const value of documentsOf(file.content, (message) =>
      problems.push(`${name}/${file.path}: ${message}`),
    )) {
      if (!isObj(value)) continue;
      const apiVersion = str(value.apiVersion) ?? "";
      const kind = str(value.kind) ?? "";
      const metadata = obj(value.metadata);
      const labels = labelsOf(metadata.labels);
      const from: SettingSource = {
        what: `${kind} ${str(metadata.namespace) ?? "default"}/${str(metadata.name) ?? ""}`,
        file: file.path,
        existing,
      };
      if (kind === "ConfigMap" && apiVersion === "v1") {
        const meshConfig = meshConfigOfConfigMap(value);
        if (meshConfig) mesh = applyMeshConfig(mesh, meshConfig, {}, from);
        continue;
      }
      if (kind === "IstioOperator") {
        const op = istioOperatorSettings(value);
        mesh = applyMeshConfig(mesh, op.mesh, op.env, from);
        continue;
      }
      if (!ISTIO_CONFIG_GROUP.test(apiVersion)) continue;
      if (
        options.federation !== undefined &&
        labels[MANAGED_BY] === "coddiwomple" &&
        labels[FEDERATION] === options.federation
      )
        continue;
      objects.push({
        apiVersion,
        kind,
        metadata: { name: str(metadata.name) ?? "", namespace: str(metadata.namespace) ?? "default", labels },
        spec: isObj(value.spec) ? value.spec : {},
        file: file.path,
        ...(existing && { existing: true }),
      });
    }
  }
  return { config: { name, objects, dnsZones, mesh }, problems };
}

/**
 * A cluster's configuration with what it already has: the existing objects first (they were there
 * before), then ours; mesh settings from the existing config, then ours over them.
 */
export function withExisting(ours: ClusterConfig, existing: ClusterConfig): ClusterConfig {
  let mesh: MeshSettings = existing.mesh;
  for (const [key, setting] of Object.entries(ours.mesh)) {
    if (setting !== undefined) mesh = { ...mesh, [key]: setting };
  }
  return {
    name: ours.name,
    objects: [...existing.objects, ...ours.objects],
    dnsZones: [...existing.dnsZones, ...ours.dnsZones],
    mesh,
  };
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

export const refOf = (cluster: string, o: IstioObject): ObjectRef => ({
  cluster,
  kind: o.kind,
  namespace: o.metadata.namespace,
  name: o.metadata.name,
  ...(o.existing && { existing: true }),
});

export interface ObjectRef {
  readonly cluster: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  /** Already in the cluster (--existing), not written by this run. */
  readonly existing?: boolean;
}

export const refText = (r: ObjectRef): string =>
  `${r.existing ? "existing " : ""}${r.kind} ${r.namespace}/${r.name}`;
