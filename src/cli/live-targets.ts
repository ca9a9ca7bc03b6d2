// Which live clusters a command talks to, and through which kubeconfig context: a topology cluster's
// kubeconfig.context (default: its name) in --kubeconfig, else $KUBECONFIG or ~/.kube/config, as
// kubectl; the topology's kubeconfig.path only with --kubeconfig-from-topology (a kubeconfig can run
// commands: src/kube/kubeconfig-path.ts). And what to put there: the topology compiled, as cw
// generate would write it.

import { homedir } from "node:os";
import { delimiter, join } from "node:path";
import { compile } from "../compile.js";
import { hasErrors } from "../diagnostics/diagnostic.js";
import { annotateResource } from "../emit/spec-hash.js";
import type { KubeClient, KubeObject } from "../kube/client.js";
import { chooseKubeconfig } from "../kube/kubeconfig-path.js";
import { type ConnectOptions, connect } from "../kube/node-client.js";
import { renderLock } from "../plan/lock.js";
import type { Cluster, Topology } from "../topology/model.js";
import type { Io } from "./io.js";
import { load } from "./load.js";
import type { Format, InputOptions, LiveOptions } from "./options.js";
import { reportDiagnostics } from "./report.js";
import { UsageError } from "./usage-error.js";

export interface LiveTarget {
  readonly cluster: string;
  readonly connect: ConnectOptions;
}

export const expandHome = (path: string): string =>
  path === "~" ? homedir() : path.startsWith("~/") ? join(homedir(), path.slice(2)) : path;

export function liveTargets(clusters: readonly Cluster[], options: LiveOptions): LiveTarget[] {
  const names = clusters.map((c) => c.name);
  for (const wanted of options.clusters) {
    if (!names.includes(wanted)) {
      throw new UsageError(`no cluster "${wanted}" in the topology; it has ${names.join(", ")}`);
    }
  }
  return clusters
    .filter((c) => options.clusters.length === 0 || options.clusters.includes(c.name))
    .map((c) => {
      const path = kubeconfigOf(c, options);
      return {
        cluster: c.name,
        connect: {
          context: c.kubeconfig?.context ?? c.name,
          ...(path !== undefined && { kubeconfig: path }),
          timeoutMs: options.timeout * 1000,
        },
      };
    });
}

/** The kubeconfig file of a topology cluster (undefined: the default), or a usage error. */
export function kubeconfigOf(
  cluster: { readonly name: string; readonly kubeconfig?: { readonly path?: string } },
  options: { readonly kubeconfig?: string; readonly kubeconfigFromTopology?: boolean },
): string | undefined {
  const env = process.env.KUBECONFIG;
  const choice = chooseKubeconfig(cluster, {
    ...(options.kubeconfig !== undefined && { commandLine: options.kubeconfig }),
    fromTopology: options.kubeconfigFromTopology === true,
    defaults: env ? env.split(delimiter).filter((p) => p !== "") : [join(homedir(), ".kube", "config")],
    expand: expandHome,
  });
  if (!choice.ok) throw new UsageError(choice.refusal);
  return choice.path;
}

/** A client for the target; connecting only reads the kubeconfig, so failures here are local ones. */
export const clientFor = (target: LiveTarget): KubeClient => connect(target.connect);

export interface Desired {
  readonly federation: string;
  readonly topology: Topology;
  /** The federation's name is cw's default, not the user's (see Topology.unnamed). */
  readonly unnamed?: true;
  readonly clusters: readonly Cluster[];
  /** Generated objects by cluster name. */
  readonly objects: ReadonlyMap<string, readonly KubeObject[]>;
  /** The lock file text for the VIPs this compile used, and where it goes. */
  readonly lock: { readonly path: string; readonly text: string };
}

/** Read and compile the topology; report its diagnostics. Undefined when it has errors. */
export function loadDesired(
  options: InputOptions & { readonly validate?: boolean },
  format: Format,
  io: Io,
): Desired | undefined {
  const loaded = load(options);
  const compiled =
    loaded.topology && compile(loaded.topology, loaded.lock, { validate: options.validate !== false });
  const diagnostics = [...loaded.diagnostics, ...(compiled?.diagnostics ?? [])];
  if (diagnostics.length > 0) reportDiagnostics(io, diagnostics, loaded.lineOf, format);
  if (hasErrors(diagnostics) || !compiled?.plan || !loaded.topology) return undefined;
  return {
    federation: loaded.topology.name,
    topology: loaded.topology,
    ...(loaded.topology.unnamed && { unnamed: true as const }),
    clusters: loaded.topology.clusters,
    objects: new Map(
      compiled.clusters.map((c) => [
        c.cluster,
        c.objects.map((g) => annotateResource(g.resource) as unknown as KubeObject),
      ]),
    ),
    lock: { path: loaded.lockPath, text: renderLock(compiled.plan.vips) },
  };
}
