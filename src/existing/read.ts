// Reading the `--existing <dir>` folder, once its files are in memory (cli/existing-folder.ts reads
// them). The format, agreed by every command:
//   <dir>/<cluster>/ per cluster, named as in the topology; any *.yaml or *.yml file below it, at any
//   depth, holding one or more YAML documents (Kubernetes objects).
//   Read: every kind of networking.istio.io and security.istio.io (any version), and the mesh config,
//   a v1 ConfigMap named istio or istio-<revision> whose data.mesh is MeshConfig YAML. Other objects
//   (Secrets included) are ignored.
//   Objects labelled app.kubernetes.io/managed-by: coddiwomple and coddiwomple.io/federation: <this
//   federation> are cw's own: skipped, since the new output replaces them.
//   No folder for a cluster: unknown (nothing assumed). An empty folder: known to have nothing.
//   A folder for a cluster the topology does not have: a warning.
// kubectl reads YAML 1.1, and so does this.

import { type Document, isMap, isPair, isScalar, LineCounter, type Node, parseAllDocuments } from "yaml";
import { byText } from "../compare.js";
import { diag } from "../diagnostics/catalog.js";
import type { Diagnostic, Location } from "../diagnostics/diagnostic.js";
import {
  DEFAULT_ROOT_NAMESPACE,
  type ExistingCluster,
  type ExistingConfig,
  type ExistingObject,
  type MeshConfig,
} from "./model.js";

export interface ExistingFile {
  /** The cluster folder it is in. */
  readonly cluster: string;
  /** As the user sees it (the folder given, then the path below it), for diagnostics. */
  readonly path: string;
  readonly text: string;
}

export interface ExistingInput {
  /** Every cluster folder found, empty ones included. */
  readonly folders: readonly string[];
  readonly files: readonly ExistingFile[];
  /** Where the folder is, for the warning about a folder of an unknown cluster. */
  readonly dir: string;
}

export interface ExistingRead {
  readonly existing: ExistingConfig;
  readonly diagnostics: Diagnostic[];
}

const ISTIO_GROUPS = new Set(["networking.istio.io", "security.istio.io"]);
const MESH_CONFIG_MAP = /^istio(-[a-z0-9]([-a-z0-9]*[a-z0-9])?)?$/;

export function readExisting(
  input: ExistingInput,
  federation: string,
  clusters: readonly string[],
): ExistingRead {
  const diagnostics: Diagnostic[] = [];
  const known = new Set(clusters);
  const byCluster = new Map<string, { objects: ExistingObject[]; meshes: ExistingMesh[] }>();
  for (const folder of [...input.folders].sort()) {
    if (!known.has(folder)) {
      diagnostics.push(
        diag(
          "CW4004",
          { folder: `${input.dir}/${folder}`, cluster: folder, known: [...known].sort() },
          { file: `${input.dir}/${folder}`, line: 1, col: 1, length: 1 },
        ),
      );
      continue;
    }
    byCluster.set(folder, { objects: [], meshes: [] });
  }
  for (const file of [...input.files].sort(byText((x) => x.path))) {
    const into = byCluster.get(file.cluster);
    if (!into) continue;
    for (const found of documentsOf(file, diagnostics)) {
      if (isOurs(found.labels, federation)) continue;
      if (found.kind === "mesh") into.meshes.push(found);
      else into.objects.push(found.object);
    }
  }
  const result = new Map<string, ExistingCluster>();
  for (const [name, { objects, meshes }] of byCluster) {
    // The default revision's ConfigMap (istio) wins over a revision's (istio-<rev>).
    const mesh = meshes.sort(byText((x) => x.name))[0];
    const config = mesh && meshConfigOf(mesh, diagnostics);
    result.set(name, { name, objects, ...(config && { mesh: config }) });
  }
  return { existing: { clusters: result }, diagnostics };
}

type Found =
  | { readonly kind: "object"; readonly object: ExistingObject; readonly labels: Labels }
  | ExistingMesh;
interface ExistingMesh {
  readonly kind: "mesh";
  readonly name: string;
  readonly text: unknown;
  readonly location: Location;
  readonly labels: Labels;
}
type Labels = Readonly<Record<string, string>>;

// cw's labels (generate/resource.ts), written out: the tracer reads this folder too, and must not
// depend on the generator.
const isOurs = (labels: Labels, federation: string): boolean =>
  labels["app.kubernetes.io/managed-by"] === "coddiwomple" &&
  labels["coddiwomple.io/federation"] === federation;

/** The objects of one file that cw reads, with a diagnostic for each document it cannot. */
function documentsOf(file: ExistingFile, diagnostics: Diagnostic[]): Found[] {
  const lineCounter = new LineCounter();
  const lines = file.text.split(/\r?\n/);
  const at = (offset: number, end = offset + 1): Location => {
    const { line, col } = lineCounter.linePos(Math.min(offset, file.text.length));
    const length = Math.max(1, Math.min(end - offset, (lines[line - 1] ?? "").length - col + 1));
    return { file: file.path, line, col, length };
  };
  const found: Found[] = [];
  for (const doc of parseAllDocuments(file.text, { version: "1.1", lineCounter, prettyErrors: false })) {
    const error = doc.errors[0];
    if (error) {
      diagnostics.push(
        diag(
          "CW4002",
          { file: file.path, error: error.message.replace(/ at line \d+, column \d+.*$/s, "") },
          at(...error.pos),
        ),
      );
      continue;
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (e) {
      diagnostics.push(
        diag("CW4002", { file: file.path, error: (e as Error).message, aliases: true }, at(0)),
      );
      continue;
    }
    if (value === null || value === undefined) continue;
    const start = (doc.contents as Node | null)?.range?.[0] ?? 0;
    const object = objectOf(value, file, diagnostics, at(start));
    if (!object) continue;
    const nameAt = offsetOf(doc, ["metadata", "name"]) ?? start;
    const location = at(nameAt, nameAt + object.name.length);
    if (object.kind === "ConfigMap") {
      const data = record(object.raw.data);
      found.push({ kind: "mesh", name: object.name, text: data.mesh, location, labels: object.labels });
      continue;
    }
    found.push({
      kind: "object",
      labels: object.labels,
      object: {
        apiVersion: object.apiVersion,
        kind: object.kind,
        name: object.name,
        namespace: object.namespace,
        labels: object.labels,
        spec: record(object.raw.spec),
        location,
      },
    });
  }
  return found;
}

interface Raw {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace: string;
  readonly labels: Labels;
  readonly raw: Readonly<Record<string, unknown>>;
}

/** A Kubernetes object cw reads, or undefined for one of another kind (or one it cannot read). */
function objectOf(
  value: unknown,
  file: ExistingFile,
  diagnostics: Diagnostic[],
  where: Location,
): Raw | undefined {
  const raw = record(value);
  const metadata = record(raw.metadata);
  const { apiVersion, kind } = raw;
  const name = metadata.name;
  if (
    typeof apiVersion !== "string" ||
    typeof kind !== "string" ||
    typeof name !== "string" ||
    value !== raw
  ) {
    diagnostics.push(diag("CW4003", { file: file.path }, where));
    return undefined;
  }
  const group = apiVersion.includes("/") ? apiVersion.slice(0, apiVersion.indexOf("/")) : "";
  const mesh = apiVersion === "v1" && kind === "ConfigMap" && MESH_CONFIG_MAP.test(name);
  if (!ISTIO_GROUPS.has(group) && !mesh) return undefined;
  const namespace = typeof metadata.namespace === "string" ? metadata.namespace : "default";
  const labels = Object.fromEntries(
    Object.entries(record(metadata.labels)).filter((e): e is [string, string] => typeof e[1] === "string"),
  );
  return { apiVersion, kind, name, namespace, labels, raw };
}

function meshConfigOf(mesh: ExistingMesh, diagnostics: Diagnostic[]): MeshConfig | undefined {
  if (mesh.text === undefined)
    return { rootNamespace: DEFAULT_ROOT_NAMESPACE, caTrustDomains: [], location: mesh.location };
  const docs = typeof mesh.text === "string" ? parseAllDocuments(mesh.text, { version: "1.1" }) : [];
  const doc = docs[0];
  const problem =
    typeof mesh.text !== "string"
      ? "its data.mesh is not text"
      : docs.length > 1
        ? "its data.mesh holds more than one YAML document"
        : doc?.errors[0]?.message.replace(/ at line \d+, column \d+.*$/s, "");
  const value = !problem && doc ? doc.toJS() : undefined;
  if (problem || (value !== null && value !== undefined && record(value) !== value)) {
    diagnostics.push(
      diag("CW4005", { configMap: mesh.name, problem: problem ?? "it is not a mapping" }, mesh.location),
    );
    return undefined;
  }
  const config = record(value);
  const root = config.rootNamespace;
  const trustDomain = config.trustDomain;
  const caTrustDomains = (Array.isArray(config.caCertificates) ? config.caCertificates : []).flatMap((c) => {
    const domains = record(c).trustDomains;
    return Array.isArray(domains) ? domains.filter((d): d is string => typeof d === "string") : [];
  });
  return {
    rootNamespace: typeof root === "string" && root !== "" ? root : DEFAULT_ROOT_NAMESPACE,
    ...(typeof trustDomain === "string" && { trustDomain }),
    caTrustDomains,
    location: mesh.location,
  };
}

const record = (x: unknown): Readonly<Record<string, unknown>> =>
  typeof x === "object" && x !== null && !Array.isArray(x) ? (x as Record<string, unknown>) : {};

/** The source offset of the value at a path of mapping keys, if it is there. */
function offsetOf(doc: Document, path: readonly string[]): number | undefined {
  let node: unknown = doc.contents;
  for (const key of path) {
    if (!isMap(node)) return undefined;
    const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === key);
    node = pair?.value;
  }
  return (node as Node | undefined)?.range?.[0];
}
