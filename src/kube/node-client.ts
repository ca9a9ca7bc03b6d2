// KubeClient over @kubernetes/client-node: kubeconfig loading (a file, or KUBECONFIG and
// ~/.kube/config as kubectl reads them), then discovery, list, get, server-side apply and delete
// through its KubernetesObjectApi, which finds each kind's URL by asking the server. Every call has a
// time limit, so an address that swallows packets fails like one that refuses them.
//
// Hostile or broken ends are bounded too:
// - credentials (a token, certificates, or an `exec` plugin's answer) are fetched once per client, not
//   once per request, and under the same time limit; a plugin that hangs is killed, and a plugin or
//   kubeconfig that fails fails the cluster (reason Credentials), like an unreachable server;
// - a list follows every page (`continue`), so that prune and diff see every object; a server whose
//   pages do not end fails the call;
// - a kubeconfig that cannot be read is reported with the system's reason, never with its content (a
//   path at a secrets file would otherwise print its lines), and a server's words are cut short and
//   stripped of control characters before they reach a message.

import { type SpawnOptions, spawn } from "node:child_process";
import {
  ApiException,
  ApisApi,
  CoreApi,
  createConfiguration,
  HttpMethod,
  KubeConfig,
  type KubernetesObject,
  KubernetesObjectApi,
  PatchStrategy,
  RequestContext,
  type ResponseContext,
  ServerConfiguration,
  type V1APIResource,
} from "@kubernetes/client-node";
import { printable } from "../diagnostics/printable.js";
import {
  type DeleteOptions,
  FIELD_MANAGER,
  type KubeClient,
  KubeError,
  type KubeObject,
  type KubeRef,
  type KubeWriteOptions,
  type ListOptions,
  type ServedKind,
} from "./client.js";

export interface ConnectOptions {
  /** The kubeconfig context to use. */
  readonly context: string;
  /** A kubeconfig file; default: $KUBECONFIG or ~/.kube/config, as kubectl. */
  readonly kubeconfig?: string;
  /** Time limit of each request, in milliseconds (default 15 000). */
  readonly timeoutMs?: number;
}

/** Items asked for per page of a list; a server may send fewer, and says where to go on. */
const PAGE_SIZE = 500;
/** A list of more pages than this is a server that never ends it (500 x 10 000 = 5 million objects). */
const MAX_PAGES = 10_000;

export function connect(options: ConnectOptions): KubeClient {
  const { kc, server } = loadContext(options);
  const timeoutMs = options.timeoutMs ?? 15_000;
  const configuration = createConfiguration({
    baseServer: new ServerConfiguration(server, {}),
    authMethods: { default: credentialsOnce(kc, options.context, timeoutMs) },
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
  const session: Session = {
    objects: new PagedObjectApi(configuration),
    core: new CoreApi(configuration),
    apis: new ApisApi(configuration),
    call: async (what, request) => {
      try {
        return await request();
      } catch (e) {
        throw asKubeError(e, what, server, timeoutMs);
      }
    },
  };
  return {
    context: options.context,
    groups: () => servedGroups(session),
    kinds: (group) => servedKinds(session, group),
    list: (apiVersion, kind, opts = {}) => listAll(session, apiVersion, kind, opts),
    get: (ref) => getObject(session, ref),
    apply: (object, opts) => applyObject(session, object, opts),
    delete: (ref, opts) => deleteObject(session, ref, opts),
  };
}

/** The client's APIs, and every request made through `call` (its errors become KubeErrors). */
interface Session {
  readonly objects: PagedObjectApi;
  readonly core: CoreApi;
  readonly apis: ApisApi;
  readonly call: <T>(what: string, request: () => Promise<T>) => Promise<T>;
}

/** The kubeconfig, set to the context, and its cluster's server: the kubeconfig's own words never. */
function loadContext(options: ConnectOptions): { kc: KubeConfig; server: string } {
  const kc = new KubeConfig();
  try {
    if (options.kubeconfig !== undefined) kc.loadFromFile(options.kubeconfig);
    else kc.loadFromDefault();
  } catch (e) {
    throw new KubeError(
      `cannot read kubeconfig ${options.kubeconfig ?? "(default)"}: ${kubeconfigProblem(e)}`,
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
  return { kc, server };
}

const header = (ref: KubeRef) => ({
  apiVersion: ref.apiVersion,
  kind: ref.kind,
  metadata: { name: ref.name, ...(ref.namespace !== undefined && { namespace: ref.namespace }) },
});

async function servedGroups(s: Session): Promise<Map<string, string>> {
  const served = new Map<string, string>();
  const coreVersions = await s.call("discovery", () => s.core.getAPIVersions());
  const coreVersion = coreVersions.versions[0];
  if (coreVersion !== undefined) served.set("", coreVersion);
  const list = await s.call("discovery", () => s.apis.getAPIVersions());
  for (const g of list.groups) {
    const version = g.preferredVersion?.version ?? g.versions[0]?.version;
    if (version !== undefined) served.set(g.name, version);
  }
  return served;
}

/** Every listable kind of a group, each at the first version serving it (the preferred one first). */
async function servedKinds(s: Session, group: string): Promise<ServedKind[]> {
  const list = await s.call("discovery", () => s.apis.getAPIVersions());
  const served = list.groups.find((g) => g.name === group);
  if (!served) return [];
  const preferred = served.preferredVersion?.groupVersion;
  const versions = served.versions
    .map((v) => v.groupVersion)
    .sort((a, b) => (a === preferred ? -1 : b === preferred ? 1 : 0));
  const found = new Map<string, ServedKind>();
  for (const apiVersion of versions) {
    for (const r of await s.call("discovery", () => s.objects.resourcesOf(apiVersion))) {
      // Subresources (pods/log) are not kinds of their own.
      if (r.name.includes("/") || !r.verbs.includes("list") || found.has(r.kind)) continue;
      found.set(r.kind, { apiVersion, kind: r.kind, namespaced: r.namespaced });
    }
  }
  return [...found.values()];
}

/** Every page of a list: the whole list, or the call fails. */
async function listAll(
  s: Session,
  apiVersion: string,
  kind: string,
  opts: ListOptions,
): Promise<KubeObject[]> {
  const items: KubeObject[] = [];
  const seen = new Set<string>();
  let token: string | undefined;
  for (let page = 1; ; page++) {
    const list = await s.call(`list ${kind}`, () =>
      s.objects.listPage(apiVersion, kind, opts.namespace, opts.labelSelector, PAGE_SIZE, token),
    );
    // Lists of built-in kinds leave apiVersion and kind out of their items.
    for (const item of list.items) items.push({ ...plain(item), apiVersion, kind });
    const next = list.continue;
    if (typeof next !== "string" || next === "") return items;
    if (seen.has(next) || page >= MAX_PAGES) {
      throw new KubeError(
        `list ${kind}: the server's pages do not end (page ${page} points back to an earlier one, or there are more than ${MAX_PAGES}), so the list is incomplete`,
        "BadList",
        0,
      );
    }
    seen.add(next);
    token = next;
  }
}

async function getObject(s: Session, ref: KubeRef): Promise<KubeObject | undefined> {
  try {
    return plain(await s.call(`get ${ref.kind} ${ref.name}`, () => s.objects.read(header(ref))));
  } catch (e) {
    if (e instanceof KubeError && e.reason === "NotFound") return undefined;
    throw e;
  }
}

async function applyObject(s: Session, object: KubeObject, opts: KubeWriteOptions): Promise<KubeObject> {
  // The library fills in missing fields of what it is given: hand it a copy.
  const body = structuredClone(object) as KubernetesObject;
  const applied = await s.call(`apply ${object.kind} ${object.metadata.name}`, () =>
    s.objects.patch(
      body,
      undefined,
      opts.dryRun ? "All" : undefined,
      FIELD_MANAGER,
      true,
      PatchStrategy.ServerSideApply,
    ),
  );
  return plain(applied);
}

async function deleteObject(s: Session, ref: KubeRef, opts: DeleteOptions): Promise<void> {
  const preconditions = opts.preconditions;
  await s.call(`delete ${ref.kind} ${ref.name}`, () =>
    s.objects.delete(
      header(ref),
      undefined,
      opts.dryRun ? "All" : undefined,
      undefined,
      undefined,
      undefined,
      preconditions ? { preconditions: { ...preconditions } } : undefined,
    ),
  );
}

const RAW_LIST = "coddiwomple:raw-list";

/**
 * The library's object API, with a list that keeps the page's `continue` token: its own list reads a
 * custom resource list's metadata as an object's, which has no such field, so the token of every
 * Istio list was dropped and only the first page ever seen.
 */
class PagedObjectApi extends KubernetesObjectApi {
  /** The resources a group version serves (for discover --existing's kinds). */
  async resourcesOf(apiVersion: string): Promise<V1APIResource[]> {
    // resource() fetches and caches the group version's whole list; no kind is named "".
    await this.resource(apiVersion, "");
    return this.apiVersionResourceCache[apiVersion]?.resources ?? [];
  }

  async listPage(
    apiVersion: string,
    kind: string,
    namespace: string | undefined,
    labelSelector: string | undefined,
    limit: number,
    token: string | undefined,
  ): Promise<{ items: KubernetesObject[]; continue?: string }> {
    const path = await this.specUriPath(
      { apiVersion, kind, metadata: { ...(namespace && { namespace }) } },
      "list",
    );
    const request = this.configuration.baseServer.makeRequestContext(path, HttpMethod.GET);
    request.setHeaderParam("Accept", "application/json");
    if (labelSelector !== undefined) request.setQueryParam("labelSelector", labelSelector);
    request.setQueryParam("limit", String(limit));
    if (token !== undefined) request.setQueryParam("continue", token);
    const list = (await this.requestPromise(request, RAW_LIST)) as unknown as {
      items?: unknown;
      metadata?: { continue?: unknown };
    };
    const next = list.metadata?.continue;
    return {
      items: Array.isArray(list.items) ? (list.items as KubernetesObject[]) : [],
      ...(typeof next === "string" && { continue: next }),
    };
  }

  protected override async processResponse<T extends KubernetesObject>(
    response: ResponseContext,
    type?: string,
  ): Promise<T> {
    if (type !== RAW_LIST) return super.processResponse<T>(response, type);
    if (response.httpStatusCode < 200 || response.httpStatusCode > 299) {
      throw new ApiException(
        response.httpStatusCode,
        "Unsuccessful HTTP Request",
        await response.getBodyAsAny(),
        response.headers,
      );
    }
    return JSON.parse(await response.body.text()) as T;
  }
}

/**
 * Credentials are resolved once per client: the library would run a kubeconfig's exec plugin for
 * every request (it caches an answer only when it says when it expires), without a time limit.
 */
function credentialsOnce(kc: KubeConfig, context: string, timeoutMs: number) {
  boundExecPlugins(kc, timeoutMs);
  let resolved: Promise<{ headers: Record<string, string>; agent: unknown }> | undefined;
  const resolve = async () => {
    const probe = new RequestContext("http://credentials.invalid/", HttpMethod.GET);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new KubeError(
              `no credentials for context "${context}" within ${timeoutMs / 1000} s (the kubeconfig's exec plugin did not answer)`,
              "Credentials",
              0,
            ),
          ),
        timeoutMs,
      );
    });
    try {
      await Promise.race([kc.applySecurityAuthentication(probe), late]);
    } catch (e) {
      if (e instanceof KubeError) throw e;
      throw new KubeError(
        `no credentials for context "${context}": ${printable(errorText(e), 200)}`,
        "Credentials",
        0,
      );
    } finally {
      clearTimeout(timer);
    }
    return { headers: probe.getHeaders(), agent: probe.getAgent() };
  };
  return {
    getName: () => "coddiwomple-credentials",
    async applySecurityAuthentication(ctx: RequestContext): Promise<void> {
      resolved ??= resolve();
      const { headers, agent } = await resolved;
      for (const [key, value] of Object.entries(headers)) ctx.setHeaderParam(key, value);
      ctx.setAgent(agent as Parameters<RequestContext["setAgent"]>[0]);
    },
  };
}

/**
 * The library runs exec plugins with child_process.spawn and no time limit: give its runner one, so a
 * plugin that hangs is killed rather than left behind, with whatever it started (a plugin is often a
 * script: it runs in a process group of its own, and the whole group goes). Reaches into the library's
 * authenticator list, which has no public way in; without it, the time limit above still holds, only
 * the plugin lingers.
 */
function boundExecPlugins(kc: KubeConfig, timeoutMs: number): void {
  const authenticators = (kc as unknown as { authenticators?: unknown[] }).authenticators ?? [];
  const run = (command: string, args: readonly string[] | undefined, opts: SpawnOptions) => {
    const child = spawn(command, args ?? [], { ...opts, detached: true });
    const timer = setTimeout(() => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
      } catch {
        // already gone
      }
    }, timeoutMs);
    child.on("close", () => clearTimeout(timer));
    return child;
  };
  for (const a of authenticators) {
    if (a !== null && typeof a === "object" && "execFn" in a) {
      (a as { execFn: unknown }).execFn = run;
    }
  }
}

const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e)).trim() || "it failed";

/** Why a kubeconfig could not be read, without quoting the file (which may not be a kubeconfig). */
function kubeconfigProblem(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === "ENOENT") return "no such file";
  if (code === "EACCES" || code === "EPERM") return "permission denied";
  if (code === "EISDIR") return "it is a folder";
  if (typeof code === "string") return code;
  return "it is not a kubeconfig (YAML with clusters, users and contexts)";
}

// The library hands back class instances (dates as Date); cw works on plain JSON data.
const plain = (value: unknown): KubeObject => JSON.parse(JSON.stringify(value)) as KubeObject;

function asKubeError(e: unknown, what: string, server: string, timeoutMs: number): KubeError {
  if (e instanceof KubeError) return e;
  if (e instanceof ApiException) {
    const status = statusOf(e.body);
    const reason = printable(status?.reason ?? (e.code === 404 ? "NotFound" : `HTTP${e.code}`), 40);
    const message = printable(status?.message ?? `the server answered ${e.code}`, 300);
    return new KubeError(`${what}: ${message} (${reason}, ${e.code})`, reason, e.code);
  }
  const error = e as Error & { code?: string; type?: string };
  if (error?.name === "AbortError" || error?.type === "aborted") {
    return new KubeError(`${what}: no answer from ${server} within ${timeoutMs / 1000} s`, "Timeout", 0);
  }
  if (error?.name === "FetchError" || typeof error?.code === "string") {
    // node-fetch says "request to <url> failed, reason: <why>"; the URL is the server's plus the call's.
    const why = /reason: (.*)$/s.exec(error.message)?.[1] ?? error.message;
    return new KubeError(`${what}: cannot reach ${server}: ${printable(why, 200)}`, "Unreachable", 0);
  }
  const message = printable(error instanceof Error ? error.message : String(e), 300);
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
