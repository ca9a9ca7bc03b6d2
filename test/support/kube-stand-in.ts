// A stand-in Kubernetes API server for tests: a small node:http server on 127.0.0.1 that speaks the
// real REST API for the calls cw makes, so the real client library (@kubernetes/client-node) runs
// against it unchanged. It is not Kubernetes: it keeps objects in memory and implements only
//   discovery    GET /version, /api, /api/v1, /apis, /apis/{group}/{version}
//   list         GET .../{plural} and .../namespaces/{ns}/{plural}, with labelSelector (=, ==, !=, key, !key)
//                and paging (limit, continue; a server may answer fewer items than asked, and pageSize
//                makes it do so, so that clients must follow every continue token; endlessPages makes
//                a broken server whose pages never end)
//   get          GET .../namespaces/{ns}/{plural}/{name}
//   apply        PATCH with Content-Type application/apply-patch+yaml, fieldManager, force, dryRun=All
//                (apply replaces spec and merges labels and annotations; conflicts are per manager, not
//                per field)
//   delete       DELETE one object (dryRun, DeleteOptions preconditions) or a collection by labelSelector
//   errors       Status objects: 401, 400, 404, 405, 409, 415, 422, 500
// Tests can seed objects, read what was stored, see every request, and make requests fail (an HTTP
// error, or a connection dropped without an answer) to play a cluster that breaks halfway.

import { randomUUID } from "node:crypto";
import { writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";

export interface StoredObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    uid?: string;
    resourceVersion?: string;
    generation?: number;
    creationTimestamp?: string;
    managedFields?: { manager: string; operation: string; apiVersion: string }[];
    [k: string]: unknown;
  };
  [field: string]: unknown;
}

interface ResourceType {
  readonly group: string;
  readonly versions: readonly string[];
  readonly kind: string;
  readonly plural: string;
  readonly namespaced: boolean;
}

const ISTIO_NETWORKING = ["v1", "v1beta1", "v1alpha3"];
const BUILT_IN: readonly ResourceType[] = [
  { group: "", versions: ["v1"], kind: "Service", plural: "services", namespaced: true },
  { group: "", versions: ["v1"], kind: "ConfigMap", plural: "configmaps", namespaced: true },
  { group: "", versions: ["v1"], kind: "Namespace", plural: "namespaces", namespaced: false },
  { group: "", versions: ["v1"], kind: "Pod", plural: "pods", namespaced: true },
  { group: "", versions: ["v1"], kind: "Secret", plural: "secrets", namespaced: true },
  { group: "apps", versions: ["v1"], kind: "Deployment", plural: "deployments", namespaced: true },
  ...(
    [
      ["DestinationRule", "destinationrules"],
      ["Gateway", "gateways"],
      ["ServiceEntry", "serviceentries"],
      ["Sidecar", "sidecars"],
      ["VirtualService", "virtualservices"],
      ["WorkloadEntry", "workloadentries"],
    ] as const
  ).map(([kind, plural]) => ({
    group: "networking.istio.io",
    versions: ISTIO_NETWORKING,
    kind,
    plural,
    namespaced: true,
  })),
  {
    group: "networking.istio.io",
    versions: ["v1alpha3"],
    kind: "EnvoyFilter",
    plural: "envoyfilters",
    namespaced: true,
  },
  // As Istio serves it: at v1beta1 only, so a client that lists the group's preferred version misses it.
  {
    group: "networking.istio.io",
    versions: ["v1beta1"],
    kind: "ProxyConfig",
    plural: "proxyconfigs",
    namespaced: true,
  },
  ...(
    [
      ["AuthorizationPolicy", "authorizationpolicies"],
      ["PeerAuthentication", "peerauthentications"],
      ["RequestAuthentication", "requestauthentications"],
    ] as const
  ).map(([kind, plural]) => ({
    group: "security.istio.io",
    versions: ["v1", "v1beta1"],
    kind,
    plural,
    namespaced: true,
  })),
];
// The GitOps engines' kinds, served when asked for (StandInOptions.gitops).
const GITOPS: readonly ResourceType[] = [
  {
    group: "argoproj.io",
    versions: ["v1alpha1"],
    kind: "Application",
    plural: "applications",
    namespaced: true,
  },
  {
    group: "argoproj.io",
    versions: ["v1alpha1"],
    kind: "ApplicationSet",
    plural: "applicationsets",
    namespaced: true,
  },
  {
    group: "kustomize.toolkit.fluxcd.io",
    versions: ["v1"],
    kind: "Kustomization",
    plural: "kustomizations",
    namespaced: true,
  },
];
const SERVICE_EXPORT: ResourceType = {
  group: "multicluster.x-k8s.io",
  versions: ["v1alpha1"],
  kind: "ServiceExport",
  plural: "serviceexports",
  namespaced: true,
};

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly contentType?: string;
  readonly body: string;
}

/** What a failing request gets: an HTTP error with a Status, or a connection closed without answer. */
export type Failure = { readonly code: number; readonly reason: string; readonly message: string } | "drop";

export interface StandInOptions {
  /** Serve the Kubernetes MCS API (ServiceExport). */
  readonly serviceExports?: boolean;
  /** Objects present at start. */
  readonly objects?: readonly StoredObject[];
  /** Serve Argo CD's Application and ApplicationSet and Flux's Kustomization. */
  readonly gitops?: boolean;
  /** The bearer token clients must send (default "stand-in-token"). */
  readonly token?: string;
  /** Answer at most this many items per list page, whatever limit the client asks for. */
  readonly pageSize?: number;
}

export class StandInKubeApi {
  readonly requests: RecordedRequest[] = [];
  /** Decides, per request, whether it fails; checked before anything else. */
  failWhen: (request: RecordedRequest) => Failure | undefined = () => undefined;
  /** Extra validation of applied objects: a message makes the apply fail with 422 Invalid. */
  rejectApply: (object: StoredObject) => string | undefined = () => undefined;
  /** The most items a list page holds, whatever limit the client asks for (a paging server). */
  pageSize?: number;
  /** A broken server: every page says to go on to the same page again. */
  endlessPages = false;

  private readonly store = new Map<string, StoredObject>();
  private readonly types: readonly ResourceType[];
  private readonly sockets = new Set<Socket>();
  private revision = 100;
  private server?: Server;
  private port = 0;
  readonly token: string;

  private constructor(options: StandInOptions) {
    this.types = [
      ...BUILT_IN,
      ...(options.serviceExports ? [SERVICE_EXPORT] : []),
      ...(options.gitops ? GITOPS : []),
    ];
    this.token = options.token ?? "stand-in-token";
    this.pageSize = options.pageSize;
    for (const o of options.objects ?? []) this.seed(o);
  }

  static async start(options: StandInOptions = {}): Promise<StandInKubeApi> {
    const api = new StandInKubeApi(options);
    await api.listen();
    return api;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Put an object in the store as if someone had created it. */
  seed(object: StoredObject): StoredObject {
    const type = this.typeOf(object.apiVersion, object.kind);
    if (!type) throw new Error(`stand-in: no kind ${object.apiVersion} ${object.kind}`);
    const stored: StoredObject = structuredClone(object);
    stored.metadata.uid ??= randomUUID();
    stored.metadata.resourceVersion ??= String(++this.revision);
    stored.metadata.creationTimestamp ??= "2026-01-01T00:00:00Z";
    this.store.set(this.key(type, stored.metadata.namespace, stored.metadata.name), stored);
    return stored;
  }

  /** What is stored, at the version it was written. */
  objects(kind?: string): StoredObject[] {
    return [...this.store.values()]
      .filter((o) => kind === undefined || o.kind === kind)
      .map((o) => structuredClone(o));
  }

  find(kind: string, namespace: string | undefined, name: string): StoredObject | undefined {
    return this.objects(kind).find((o) => o.metadata.namespace === namespace && o.metadata.name === name);
  }

  /** Requests that changed or would change something (PATCH and DELETE). */
  writes(): RecordedRequest[] {
    return this.requests.filter((r) => r.method === "PATCH" || r.method === "DELETE");
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private listen(): Promise<void> {
    const server = createServer((req, res) => {
      this.handle(req, res).catch((e: unknown) => {
        this.status(res, 500, "InternalError", `stand-in: ${(e as Error).message}`);
      });
    });
    server.on("connection", (s) => {
      this.sockets.add(s);
      s.on("close", () => this.sockets.delete(s));
    });
    this.server = server;
    return new Promise((resolve) => {
      server.listen(0, "127.0.0.1", () => {
        this.port = (server.address() as AddressInfo).port;
        resolve();
      });
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<Answered | undefined> {
    const url = new URL(req.url ?? "/", "http://stand-in");
    const body = await readBody(req);
    const contentType = req.headers["content-type"];
    const request: RecordedRequest = {
      method: req.method ?? "GET",
      path: url.pathname,
      query: url.searchParams,
      ...(contentType !== undefined && { contentType }),
      body,
    };
    this.requests.push(request);
    const failure = this.failWhen(request);
    if (failure === "drop") {
      req.socket.destroy();
      return undefined;
    }
    if (failure) return this.status(res, failure.code, failure.reason, failure.message);
    if (req.headers.authorization !== `Bearer ${this.token}`) {
      return this.status(res, 401, "Unauthorized", "Unauthorized");
    }
    const dryRun = url.searchParams.get("dryRun");
    if (dryRun !== null && dryRun !== "All") {
      return this.status(res, 400, "BadRequest", `dryRun: Unsupported value: "${dryRun}"`);
    }
    const route = this.route(url.pathname);
    if (!route) return this.status(res, 404, "NotFound", "the server could not find the requested resource");
    if (route.kind === "discovery") return send(res, 200, route.body);
    const { type, version, namespace, name } = route;
    switch (request.method) {
      case "GET":
        return name === undefined
          ? this.list(res, type, version, namespace, url.searchParams)
          : this.get(res, type, version, namespace, name);
      case "PATCH":
        if (name === undefined)
          return this.status(res, 405, "MethodNotAllowed", "PATCH needs an object name");
        return this.apply(res, request, type, version, namespace, name);
      case "DELETE":
        return name === undefined
          ? this.deleteCollection(res, type, version, namespace, url.searchParams)
          : this.delete(res, request, type, namespace, name);
      default:
        return this.status(
          res,
          405,
          "MethodNotAllowed",
          `the server does not allow this method on the requested resource`,
        );
    }
  }

  private route(
    path: string,
  ):
    | { kind: "discovery"; body: unknown }
    | { kind: "resource"; type: ResourceType; version: string; namespace?: string; name?: string }
    | undefined {
    const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
    if (path === "/version")
      return { kind: "discovery", body: { major: "1", minor: "31", gitVersion: "v1.31.0-stand-in" } };
    if (path === "/api")
      return {
        kind: "discovery",
        body: { kind: "APIVersions", versions: ["v1"], serverAddressByClientCIDRs: [] },
      };
    if (path === "/apis") return { kind: "discovery", body: this.groupList() };
    let group: string;
    let version: string;
    let rest: string[];
    if (parts[0] === "api" && parts.length >= 2) {
      group = "";
      version = parts[1] as string;
      rest = parts.slice(2);
    } else if (parts[0] === "apis" && parts.length >= 3) {
      group = parts[1] as string;
      version = parts[2] as string;
      rest = parts.slice(3);
    } else return undefined;
    const served = this.types.filter((t) => t.group === group && t.versions.includes(version));
    if (served.length === 0) return undefined;
    if (rest.length === 0) {
      return {
        kind: "discovery",
        body: {
          kind: "APIResourceList",
          apiVersion: "v1",
          groupVersion: group === "" ? version : `${group}/${version}`,
          resources: served.map((t) => ({
            name: t.plural,
            singularName: t.kind.toLowerCase(),
            namespaced: t.namespaced,
            kind: t.kind,
            verbs: ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"],
          })),
        },
      };
    }
    let namespace: string | undefined;
    if (rest[0] === "namespaces" && rest.length >= 3) {
      namespace = rest[1];
      rest = rest.slice(2);
    }
    const type = served.find((t) => t.plural === rest[0]);
    if (!type || rest.length > 2 || (namespace !== undefined && !type.namespaced)) return undefined;
    return {
      kind: "resource",
      type,
      version,
      ...(namespace !== undefined && { namespace }),
      ...(rest[1] !== undefined && { name: rest[1] }),
    };
  }

  private groupList() {
    const groups = new Map<string, string[]>();
    for (const t of this.types) {
      if (t.group === "") continue;
      const versions = groups.get(t.group) ?? [];
      for (const v of t.versions) if (!versions.includes(v)) versions.push(v);
      groups.set(t.group, versions);
    }
    return {
      kind: "APIGroupList",
      apiVersion: "v1",
      groups: [...groups].map(([name, versions]) => ({
        name,
        versions: versions.map((version) => ({ groupVersion: `${name}/${version}`, version })),
        preferredVersion: { groupVersion: `${name}/${versions[0]}`, version: versions[0] },
      })),
    };
  }

  private list(
    res: ServerResponse,
    type: ResourceType,
    version: string,
    namespace: string | undefined,
    query: URLSearchParams,
  ): Answered {
    let matches: (o: StoredObject) => boolean;
    try {
      matches = selector(query.get("labelSelector") ?? "");
    } catch (e) {
      return this.status(res, 400, "BadRequest", `unable to parse requirement: ${(e as Error).message}`);
    }
    const builtIn = type.group === "" || type.group === "apps";
    const all = [...this.store.entries()]
      .filter(([, o]) => this.typeOf(o.apiVersion, o.kind) === type)
      .filter(([, o]) => namespace === undefined || o.metadata.namespace === namespace)
      .filter(([, o]) => matches(o))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const page = this.page(all.length, query);
    if (typeof page === "string") return this.status(res, 410, "Expired", page);
    const items = all
      .slice(page.from, page.to)
      .map(([, o]) => o)
      .map((o) => {
        const at = this.atVersion(o, type, version);
        // Like the real server, lists of built-in kinds leave apiVersion and kind out of their items.
        if (builtIn) {
          const { apiVersion: _a, kind: _k, ...rest } = at;
          return rest;
        }
        return at;
      });
    // A broken server points every page back at the one just served.
    const next = this.endlessPages ? page.from : page.to;
    return send(res, 200, {
      apiVersion: apiVersionOf(type.group, version),
      kind: `${type.kind}List`,
      metadata: {
        resourceVersion: String(this.revision),
        ...((page.to < all.length || this.endlessPages) && {
          continue: Buffer.from(`offset:${next}`).toString("base64"),
          remainingItemCount: all.length - page.to,
        }),
      },
      items,
    });
  }

  /** Which items a list request gets: from its continue token, at most limit (and pageSize) of them. */
  private page(total: number, query: URLSearchParams): { from: number; to: number } | string {
    const token = query.get("continue");
    let from = 0;
    if (token) {
      const m = /^offset:(\d+)$/.exec(Buffer.from(token, "base64").toString("utf8"));
      if (!m) return "The provided continue parameter is too old to display a consistent list result.";
      from = Number(m[1]);
    }
    const limit = Number(query.get("limit") ?? "0");
    const caps = [limit > 0 ? limit : Number.POSITIVE_INFINITY, this.pageSize ?? Number.POSITIVE_INFINITY];
    return { from, to: Math.min(total, from + Math.min(...caps)) };
  }

  private get(
    res: ServerResponse,
    type: ResourceType,
    version: string,
    namespace: string | undefined,
    name: string,
  ): Answered {
    const found = this.store.get(this.key(type, namespace, name));
    if (!found) return this.notFound(res, type, name);
    return send(res, 200, this.atVersion(found, type, version));
  }

  private apply(
    res: ServerResponse,
    request: RecordedRequest,
    type: ResourceType,
    version: string,
    namespace: string | undefined,
    name: string,
  ): Answered {
    const mediaType = (request.contentType ?? "").split(";")[0]?.trim();
    if (mediaType !== "application/apply-patch+yaml") {
      return this.status(
        res,
        415,
        "UnsupportedMediaType",
        `the body of the request was in an unknown format - accepted media types include: application/apply-patch+yaml`,
      );
    }
    const manager = request.query.get("fieldManager");
    if (!manager) {
      return this.status(
        res,
        400,
        "BadRequest",
        'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
      );
    }
    let object: StoredObject;
    try {
      object = parseYaml(request.body) as StoredObject;
    } catch (e) {
      return this.status(res, 400, "BadRequest", `error decoding YAML: ${(e as Error).message}`);
    }
    if (object?.apiVersion !== apiVersionOf(type.group, version) || object.kind !== type.kind) {
      return this.status(
        res,
        400,
        "BadRequest",
        `the API version in the data (${object?.apiVersion}) and kind (${object?.kind}) do not match the URL`,
      );
    }
    if (object.metadata?.name !== name) {
      return this.status(
        res,
        400,
        "BadRequest",
        `the name of the object (${object.metadata?.name}) does not match the name on the URL (${name})`,
      );
    }
    if (type.namespaced && (object.metadata.namespace ?? namespace) !== namespace) {
      return this.status(
        res,
        400,
        "BadRequest",
        "the namespace of the provided object does not match the namespace sent on the request",
      );
    }
    const invalid =
      (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(name) &&
        `metadata.name: Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.'`) ||
      (type.group.endsWith("istio.io") &&
        (object.spec === null || typeof object.spec !== "object") &&
        "spec: Required value") ||
      this.rejectApply(object);
    if (invalid) {
      return this.status(res, 422, "Invalid", `${type.kind}.${type.group} "${name}" is invalid: ${invalid}`, {
        name,
        group: type.group,
        kind: type.kind,
        causes: [{ reason: "FieldValueInvalid", message: invalid }],
      });
    }
    const key = this.key(type, namespace, name);
    const existing = this.store.get(key);
    const force = request.query.get("force") === "true";
    const others = (existing?.metadata.managedFields ?? []).filter((m) => m.manager !== manager);
    if (existing && others.length > 0 && !force) {
      return this.status(
        res,
        409,
        "Conflict",
        `Apply failed with ${others.length} conflict${others.length === 1 ? "" : "s"}: ${others.map((m) => `conflict with "${m.manager}"`).join(", ")}`,
      );
    }
    const merged: StoredObject = {
      ...(existing ? structuredClone(existing) : {}),
      ...structuredClone(object),
      metadata: {
        ...(existing ? structuredClone(existing.metadata) : {}),
        name,
        ...(namespace !== undefined && { namespace }),
        labels: { ...existing?.metadata.labels, ...object.metadata.labels },
        annotations: { ...existing?.metadata.annotations, ...object.metadata.annotations },
      },
    };
    if (Object.keys(merged.metadata.annotations ?? {}).length === 0) delete merged.metadata.annotations;
    if (Object.keys(merged.metadata.labels ?? {}).length === 0) delete merged.metadata.labels;
    const changed =
      !existing ||
      JSON.stringify(existing.spec) !== JSON.stringify(merged.spec) ||
      JSON.stringify(existing.metadata.labels) !== JSON.stringify(merged.metadata.labels) ||
      JSON.stringify(existing.metadata.annotations) !== JSON.stringify(merged.metadata.annotations);
    merged.metadata.uid = existing?.metadata.uid ?? randomUUID();
    merged.metadata.creationTimestamp = existing?.metadata.creationTimestamp ?? "2026-01-01T00:00:00Z";
    merged.metadata.generation = (existing?.metadata.generation ?? 0) + (changed ? 1 : 0);
    merged.metadata.resourceVersion = changed
      ? String(this.revision + 1)
      : (existing?.metadata.resourceVersion ?? String(this.revision + 1));
    merged.metadata.managedFields = [
      ...(force ? [] : others),
      { manager, operation: "Apply", apiVersion: object.apiVersion },
    ];
    if (request.query.get("dryRun") !== "All" && changed) {
      this.revision++;
      this.store.set(key, merged);
    } else if (request.query.get("dryRun") !== "All" && existing) {
      this.store.set(key, {
        ...existing,
        metadata: { ...existing.metadata, managedFields: merged.metadata.managedFields },
      });
    }
    return send(res, existing ? 200 : 201, this.atVersion(merged, type, version));
  }

  private delete(
    res: ServerResponse,
    request: RecordedRequest,
    type: ResourceType,
    namespace: string | undefined,
    name: string,
  ): Answered {
    const key = this.key(type, namespace, name);
    const existing = this.store.get(key);
    if (!existing) return this.notFound(res, type, name);
    const options = (request.body ? JSON.parse(request.body) : {}) as {
      preconditions?: { uid?: string; resourceVersion?: string };
    };
    const pre = options.preconditions ?? {};
    if (pre.uid !== undefined && pre.uid !== existing.metadata.uid) {
      return this.status(
        res,
        409,
        "Conflict",
        `Operation cannot be fulfilled on ${type.plural}.${type.group} "${name}": Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${existing.metadata.uid}`,
      );
    }
    if (pre.resourceVersion !== undefined && pre.resourceVersion !== existing.metadata.resourceVersion) {
      return this.status(
        res,
        409,
        "Conflict",
        `Operation cannot be fulfilled on ${type.plural}.${type.group} "${name}": Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${existing.metadata.resourceVersion}`,
      );
    }
    if (request.query.get("dryRun") !== "All") this.store.delete(key);
    return send(res, 200, {
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Success",
      details: { name, group: type.group, kind: type.plural, uid: existing.metadata.uid },
    });
  }

  private deleteCollection(
    res: ServerResponse,
    type: ResourceType,
    version: string,
    namespace: string | undefined,
    query: URLSearchParams,
  ): Answered {
    const matches = selector(query.get("labelSelector") ?? "");
    const gone: StoredObject[] = [];
    for (const [key, o] of this.store) {
      if (this.typeOf(o.apiVersion, o.kind) !== type) continue;
      if (namespace !== undefined && o.metadata.namespace !== namespace) continue;
      if (!matches(o)) continue;
      gone.push(this.atVersion(o, type, version));
      if (query.get("dryRun") !== "All") this.store.delete(key);
    }
    return send(res, 200, {
      apiVersion: apiVersionOf(type.group, version),
      kind: `${type.kind}List`,
      metadata: {},
      items: gone,
    });
  }

  private typeOf(apiVersion: string, kind: string): ResourceType | undefined {
    const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
    return this.types.find((t) => t.group === group && t.kind === kind && t.versions.includes(version ?? ""));
  }

  private atVersion(o: StoredObject, type: ResourceType, version: string): StoredObject {
    return { ...structuredClone(o), apiVersion: apiVersionOf(type.group, version) };
  }

  private key(type: ResourceType, namespace: string | undefined, name: string): string {
    return `${type.group}/${type.plural}/${type.namespaced ? (namespace ?? "") : ""}/${name}`;
  }

  private notFound(res: ServerResponse, type: ResourceType, name: string): Answered {
    const what = type.group === "" ? type.plural : `${type.plural}.${type.group}`;
    return this.status(res, 404, "NotFound", `${what} "${name}" not found`, {
      name,
      group: type.group,
      kind: type.plural,
    });
  }

  private status(
    res: ServerResponse,
    code: number,
    reason: string,
    message: string,
    details?: unknown,
  ): Answered {
    return send(res, code, {
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message,
      reason,
      ...(details !== undefined && { details }),
      code,
    });
  }
}

/** What a handler returns once it has answered the request. */
type Answered = "answered";

const apiVersionOf = (group: string, version: string): string =>
  group === "" ? version : `${group}/${version}`;

function send(res: ServerResponse, code: number, body: unknown): Answered {
  const text = JSON.stringify(body);
  res.writeHead(code, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text) });
  res.end(text);
  return "answered";
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

/** Equality-based label selectors: a=b, a==b, a!=b, a, !a, joined by commas. */
function selector(text: string): (o: StoredObject) => boolean {
  const requirements = text
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)
    .map((req) => {
      const m = /^(!?)([A-Za-z0-9._/-]+)\s*(?:(==|=|!=)\s*([A-Za-z0-9._-]*))?$/.exec(req);
      if (!m) throw new Error(`"${req}"`);
      const [, not, key = "", op, value] = m;
      return (labels: Record<string, string>) => {
        if (op === undefined) return not ? !(key in labels) : key in labels;
        if (not) throw new Error(`"${req}"`);
        return op === "!=" ? labels[key] !== value : labels[key] === value;
      };
    });
  return (o) => requirements.every((r) => r(o.metadata.labels ?? {}));
}

/** A kubeconfig with one context per stand-in (or any URL, for an unreachable cluster). */
export function writeKubeconfig(
  file: string,
  contexts: readonly { readonly name: string; readonly url: string; readonly token?: string }[],
): string {
  const config = {
    apiVersion: "v1",
    kind: "Config",
    "current-context": contexts[0]?.name ?? "",
    // The client library refuses plain HTTP unless TLS checking is off: the stand-in has no TLS.
    clusters: contexts.map((c) => ({
      name: c.name,
      cluster: { server: c.url, "insecure-skip-tls-verify": true },
    })),
    users: contexts.map((c) => ({ name: `${c.name}-user`, user: { token: c.token ?? "stand-in-token" } })),
    contexts: contexts.map((c) => ({ name: c.name, context: { cluster: c.name, user: `${c.name}-user` } })),
  };
  writeFileSync(file, stringifyYaml(config));
  return file;
}

/** An address on this machine where nothing listens: a cluster that cannot be reached. */
export async function unreachableUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}
