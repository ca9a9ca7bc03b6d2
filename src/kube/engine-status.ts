// What the GitOps engine says about each cluster's folder: the Argo CD Application or Flux
// Kustomization cw generate --gitops wrote for it, found by the labels every delivery object carries
// (coddiwomple.io/federation, coddiwomple.io/cluster; gitops/names.ts), in the engine's namespace.
//   Argo CD: status.sync.status (Synced, OutOfSync, Unknown), status.health.status, status.sync.revision
//   Flux: the Ready condition (True, False, Unknown, with its reason), status.lastAppliedRevision

import { LABEL_CLUSTER, LABEL_FEDERATION } from "../generate/resource.js";
import type { KubeClient, KubeObject } from "./client.js";

export interface EngineState {
  /** In sync by the engine's own account. */
  readonly synced: boolean;
  /** The engine's words: "Synced, Healthy" or "Ready: ReconciliationSucceeded". */
  readonly summary: string;
  /** The revision it last applied, shortened. */
  readonly revision?: string;
  /** Why not, when the engine says. */
  readonly message?: string;
}

export type Engine = "argocd" | "flux";

const KIND: Record<Engine, { apiVersion: string; kind: string }> = {
  argocd: { apiVersion: "argoproj.io/v1alpha1", kind: "Application" },
  flux: { apiVersion: "kustomize.toolkit.fluxcd.io/v1", kind: "Kustomization" },
};

/** Each cluster's delivery object's state, by cluster name; a cluster with none is absent. */
export async function engineStates(
  client: KubeClient,
  engine: Engine,
  federation: string,
  namespace: string,
): Promise<Map<string, EngineState>> {
  const { apiVersion, kind } = KIND[engine];
  const objects = await client.list(apiVersion, kind, {
    namespace,
    labelSelector: `${LABEL_FEDERATION}=${federation}`,
  });
  const states = new Map<string, EngineState>();
  for (const o of objects) {
    const cluster = o.metadata.labels?.[LABEL_CLUSTER];
    if (cluster !== undefined && o.metadata.labels?.[LABEL_FEDERATION] === federation)
      states.set(cluster, engine === "argocd" ? argoState(o) : fluxState(o));
  }
  return states;
}

const short = (revision: unknown): string | undefined =>
  typeof revision === "string" && revision !== ""
    ? revision.replace(/^(.*@)?(sha1:)?/, "").slice(0, 12)
    : undefined;

function argoState(app: KubeObject): EngineState {
  const status = (app.status ?? {}) as {
    sync?: { status?: string; revision?: string };
    health?: { status?: string; message?: string };
    operationState?: { phase?: string; message?: string };
  };
  const sync = status.sync?.status ?? "Unknown";
  const health = status.health?.status ?? "Unknown";
  const failed = status.operationState?.phase === "Failed" || status.operationState?.phase === "Error";
  const revision = short(status.sync?.revision);
  const message = failed ? status.operationState?.message : status.health?.message;
  return {
    synced: sync === "Synced" && health === "Healthy" && !failed,
    summary: `${sync}, ${health}`,
    ...(revision !== undefined && { revision }),
    ...(message !== undefined && { message }),
  };
}

function fluxState(kustomization: KubeObject): EngineState {
  const status = (kustomization.status ?? {}) as {
    conditions?: { type?: string; status?: string; reason?: string; message?: string }[];
    lastAppliedRevision?: string;
  };
  const ready = status.conditions?.find((c) => c.type === "Ready");
  const revision = short(status.lastAppliedRevision);
  return {
    synced: ready?.status === "True",
    summary: ready ? `Ready ${ready.status}${ready.reason ? `: ${ready.reason}` : ""}` : "not reconciled yet",
    ...(revision !== undefined && { revision }),
    ...(ready?.status !== "True" && ready?.message !== undefined && { message: ready.message }),
  };
}
