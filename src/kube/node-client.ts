// KubeClient over @kubernetes/client-node: kubeconfig loading (a file, or KUBECONFIG and
// ~/.kube/config as kubectl reads them), then discovery, list, get, server-side apply and delete
// through its KubernetesObjectApi, which finds each kind's URL by asking the server. Every call has a
// time limit, so an address that swallows packets fails like one that refuses them. Lists are asked
// for page by page and every continue token is followed: a list is whole or the call fails.

import {
  ApiException,
  ApisApi,
  CoreApi,
  createConfiguration,
  KubeConfig,
  type KubernetesObject,
  KubernetesObjectApi,
  PatchStrategy,
  ServerConfiguration,
  type V1APIResource,
} from "@kubernetes/client-node";
import {
  FIELD_MANAGER,
  type KubeClient,
  KubeError,
  type KubeObject,
  type ListOptions,
  type ObjectRef,
  type ServedKind,
} from "./client.js";

/** Items per list request: the API server's paging keeps each answer small on a large cluster. */
const PAGE_SIZE = 500;

/** The object API, with the resource list of a group version (the library keeps that protected). */
class ObjectApi extends KubernetesObjectApi {
  async resourcesOf(apiVersion: string): Promise<V1APIResource[]> {
    // resource() fetches and caches the group version's whole list; no kind is named "".
    await this.resource(apiVersion, "");
    return this.apiVersionResourceCache[apiVersion]?.resources ?? [];
  }
}

export interface ConnectOptions {
  /** The kubeconfig context to use. */
  readonly context: string;
  /** A kubeconfig file; default: $KUBECONFIG or ~/.kube/config, as kubectl. */
  readonly kubeconfig?: string;
  /** Time limit of each request, in milliseconds (default 15 000). */
  readonly timeoutMs?: number;
}

export function connect(options: ConnectOptions): KubeClient {
  const kc = new KubeConfig();
  try {
    if (options.kubeconfig !== undefined) kc.loadFromFile(options.kubeconfig);
    else kc.loadFromDefault();
  } catch (e) {
    throw new KubeError(
      `cannot read kubeconfig ${options.kubeconfig ?? "(default)"}: ${(e as Error).message}`,
      "NoKubeconfig",
      0,
    );
  }
  if (!kc.getContextObject(options.context)) {
    const known = kc.getContexts().map((c) => c.name);
    throw new KubeError(
      `kubeconfig has no context "${options.context}"${known.length > 0 ? ` (it has ${known.join(", ")})` : ""}`,
      "NoContext",
      0,
    );
  }
  kc.setCurrentContext(options.context);
  const server = kc.getCurrentCluster()?.server;
  if (!server) throw new KubeError(`context "${options.context}" names no cluster`, "NoContext", 0);
  const timeoutMs = options.timeoutMs ?? 15_000;
  const configuration = createConfiguration({
    baseServer: new ServerConfiguration(server, {}),
    authMethods: { default: kc },
    promiseMiddleware: [
      {
        pre: async (ctx) => {
          ctx.setSignal(AbortSignal.timeout(timeoutMs));
          return ctx;
        },
        post: async (response) => response,
      },
    ],
  });
  const objects = new ObjectApi(configuration);
  const core = new CoreApi(configuration);
  const apis = new ApisApi(configuration);
  const call = async <T>(what: string, request: () => Promise<T>): Promise<T> => {
    try {
      return await request();
    } catch (e) {
      throw asKubeError(e, what, server, timeoutMs);
    }
  };
  const header = (ref: ObjectRef) => ({
    apiVersion: ref.apiVersion,
    kind: ref.kind,
    metadata: { name: ref.name, ...(ref.namespace !== undefined && { namespace: ref.namespace }) },
  });

  return {
    context: options.context,
    async groups() {
      const served = new Map<string, string>();
      const coreVersions = await call("discovery", () => core.getAPIVersions());
      const coreVersion = coreVersions.versions[0];
      if (coreVersion !== undefined) served.set("", coreVersion);
      const list = await call("discovery", () => apis.getAPIVersions());
      for (const g of list.groups) {
        const version = g.preferredVersion?.version ?? g.versions[0]?.version;
        if (version !== undefined) served.set(g.name, version);
      }
      return served;
    },
    async kinds(group: string) {
      const list = await call("discovery", () => apis.getAPIVersions());
      const served = list.groups.find((g) => g.name === group);
      if (!served) return [];
      const preferred = served.preferredVersion?.groupVersion;
      const versions = served.versions
        .map((v) => v.groupVersion)
        .sort((a, b) => (a === preferred ? -1 : b === preferred ? 1 : 0));
      const found = new Map<string, ServedKind>();
      for (const apiVersion of versions) {
        for (const r of await call("discovery", () => objects.resourcesOf(apiVersion))) {
          // Subresources (pods/log) are not kinds of their own.
          if (r.name.includes("/") || !r.verbs.includes("list") || found.has(r.kind)) continue;
          found.set(r.kind, { apiVersion, kind: r.kind, namespaced: r.namespaced });
        }
      }
      return [...found.values()];
    },
    async list(apiVersion: string, kind: string, opts: ListOptions = {}) {
      const items: KubeObject[] = [];
      let token: string | undefined;
      do {
        const page = await call(`list ${kind}`, () =>
          objects.list(
            apiVersion,
            kind,
            opts.namespace,
            undefined,
            undefined,
            undefined,
            undefined,
            opts.labelSelector,
            PAGE_SIZE,
            token,
          ),
        );
        // Lists of built-in kinds leave apiVersion and kind out of their items.
        for (const item of page.items) items.push({ ...plain(item), apiVersion, kind });
        token = page.metadata?._continue || undefined;
      } while (token !== undefined);
      return items;
    },
    async get(ref: ObjectRef) {
      try {
        return plain(await call(`get ${ref.kind} ${ref.name}`, () => objects.read(header(ref))));
      } catch (e) {
        if (e instanceof KubeError && e.reason === "NotFound") return undefined;
        throw e;
      }
    },
    async apply(object: KubeObject, opts) {
      // The library fills in missing fields of what it is given: hand it a copy.
      const body = structuredClone(object) as KubernetesObject;
      const applied = await call(`apply ${object.kind} ${object.metadata.name}`, () =>
        objects.patch(
          body,
          undefined,
          opts.dryRun ? "All" : undefined,
          FIELD_MANAGER,
          true,
          PatchStrategy.ServerSideApply,
        ),
      );
      return plain(applied);
    },
    async delete(ref: ObjectRef, opts) {
      const preconditions = opts.preconditions;
      await call(`delete ${ref.kind} ${ref.name}`, () =>
        objects.delete(
          header(ref),
          undefined,
          opts.dryRun ? "All" : undefined,
          undefined,
          undefined,
          undefined,
          preconditions ? { preconditions: { ...preconditions } } : undefined,
        ),
      );
    },
  };
}

// The library hands back class instances (dates as Date); cw works on plain JSON data.
const plain = (value: unknown): KubeObject => JSON.parse(JSON.stringify(value)) as KubeObject;

function asKubeError(e: unknown, what: string, server: string, timeoutMs: number): KubeError {
  if (e instanceof KubeError) return e;
  if (e instanceof ApiException) {
    const status = statusOf(e.body);
    const reason = status?.reason ?? (e.code === 404 ? "NotFound" : `HTTP${e.code}`);
    const message = status?.message ?? `the server answered ${e.code}`;
    return new KubeError(`${what}: ${message} (${reason}, ${e.code})`, reason, e.code);
  }
  const error = e as Error & { code?: string; type?: string };
  if (error?.name === "AbortError" || error?.type === "aborted") {
    return new KubeError(`${what}: no answer from ${server} within ${timeoutMs / 1000} s`, "Timeout", 0);
  }
  if (error?.name === "FetchError" || typeof error?.code === "string") {
    // node-fetch says "request to <url> failed, reason: <why>"; the URL is the server's plus the call's.
    const why = /reason: (.*)$/s.exec(error.message)?.[1] ?? error.message;
    return new KubeError(`${what}: cannot reach ${server}: ${why}`, "Unreachable", 0);
  }
  const message = error instanceof Error ? error.message : String(e);
  // The library's own words for a kind the server does not serve at that version.
  if (/^Unrecognized API version and kind/.test(message)) return new KubeError(message, "NotFound", 404);
  return new KubeError(`${what}: ${message}`, "Unknown", 0);
}

function statusOf(body: unknown): { reason?: string; message?: string } | undefined {
  let parsed = body;
  if (typeof body === "string") {
    try {
      parsed = JSON.parse(body);
    } catch {
      return undefined;
    }
  }
  if (parsed === null || typeof parsed !== "object") return undefined;
  const s = parsed as { kind?: unknown; reason?: unknown; message?: unknown };
  return {
    ...(typeof s.reason === "string" && s.reason !== "" && { reason: s.reason }),
    ...(typeof s.message === "string" && { message: s.message }),
  };
}
