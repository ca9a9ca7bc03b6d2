// Live clusters, as cw sees them: one small interface over a Kubernetes API server. discover, diff and
// apply are written against it; node-client.ts implements it with @kubernetes/client-node, and tests
// can hand in anything that speaks it. Failures are KubeErrors carrying the server's Status reason, so
// callers can tell "not found" from "refused" without parsing messages.

export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: ObjectMeta;
  readonly [field: string]: unknown;
}

export interface ObjectMeta {
  readonly name: string;
  readonly namespace?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly uid?: string;
  readonly resourceVersion?: string;
  readonly [field: string]: unknown;
}

/** Which object: enough to build its URL. */
export interface KubeRef {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
}

export interface ListOptions {
  /** Omit for every namespace. */
  readonly namespace?: string;
  /** A Kubernetes label selector, e.g. "a=b,c=d". */
  readonly labelSelector?: string;
}

export interface KubeWriteOptions {
  /** Ask the server to check and answer without persisting anything (dryRun=All). */
  readonly dryRun: boolean;
}

export interface DeleteOptions extends KubeWriteOptions {
  /** Delete only if the object still has this uid and resourceVersion (the server answers 409 otherwise). */
  readonly preconditions?: { readonly uid?: string; readonly resourceVersion?: string };
}

/** A kind the server serves, at the version cw reads it. */
export interface ServedKind {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespaced: boolean;
}

export interface KubeClient {
  /** The kubeconfig context this client talks to; for messages. */
  readonly context: string;
  /** API groups the server serves and each one's preferred version ("" is the core group). */
  groups(): Promise<ReadonlyMap<string, string>>;
  /**
   * Every listable kind of an API group, each at the first version that serves it, the preferred
   * version first: a kind served at an older version only (Istio's ProxyConfig, EnvoyFilter) is kept.
   * Empty when the server does not serve the group.
   */
  kinds(group: string): Promise<ServedKind[]>;
  /** Every item, following the server's continue tokens page by page. */
  list(apiVersion: string, kind: string, options?: ListOptions): Promise<KubeObject[]>;
  /** The object, or undefined when the server says it does not exist. */
  get(ref: KubeRef): Promise<KubeObject | undefined>;
  /** Server-side apply under cw's field manager, taking over conflicting fields. */
  apply(object: KubeObject, options: KubeWriteOptions): Promise<KubeObject>;
  delete(ref: KubeRef, options: DeleteOptions): Promise<void>;
}

/** The field manager of every apply: what `kubectl get -o yaml --show-managed-fields` shows for cw. */
export const FIELD_MANAGER = "coddiwomple";

/**
 * Why a call failed, from the server's Status (reason NotFound, Conflict, Invalid, Forbidden, ...) or
 * from the connection (reason Unreachable, Timeout), with code 0 when no HTTP answer came.
 */
export class KubeError extends Error {
  constructor(
    message: string,
    readonly reason: string,
    readonly code: number,
  ) {
    super(message);
    this.name = "KubeError";
  }
}

/**
 * True when the error means the whole cluster cannot be talked to, so there is no point going on:
 * no HTTP answer at all (unreachable, timed out, no credentials, an answer that is not HTTP or not
 * the API's), or an answer that refuses the credentials. Going on would only repeat it per object.
 */
export const isConnectionFailure = (e: unknown): boolean =>
  e instanceof KubeError && (e.code === 0 || e.code === 401);

export const errorMessage = (e: unknown): string => (e instanceof Error ? e.message : String(e));

export const groupOf = (apiVersion: string): string =>
  apiVersion.includes("/") ? (apiVersion.split("/")[0] ?? "") : "";

export const kubeRefOf = (o: KubeObject): KubeRef => ({
  apiVersion: o.apiVersion,
  kind: o.kind,
  ...(o.metadata.namespace !== undefined && { namespace: o.metadata.namespace }),
  name: o.metadata.name,
});

/** kind/namespace/name with the API group, not the version: the same object at any served version. */
export const identity = (r: KubeRef): string =>
  `${groupOf(r.apiVersion)}/${r.kind}/${r.namespace ?? ""}/${r.name}`;

/** How people write an object: ServiceEntry istio-system/reviews-global. */
export const describeRef = (r: KubeRef): string =>
  `${r.kind} ${r.namespace !== undefined ? `${r.namespace}/` : ""}${r.name}`;
