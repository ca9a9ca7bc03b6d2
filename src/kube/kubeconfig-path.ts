// Which kubeconfig file a cluster is reached through. A kubeconfig is code as much as data: its `exec`
// plugins run commands, so a `kubeconfig.path` written in a topology (which may come from a pull
// request nobody has read yet) is followed only when the user says so on the command line. A path
// that names the kubeconfig cw would read anyway ($KUBECONFIG, else ~/.kube/config) is no such risk.
// --kubeconfig on the command line wins over every path in the topology.

import { resolve } from "node:path";

export interface KubeconfigOptions {
  /** --kubeconfig. */
  readonly commandLine?: string;
  /** --kubeconfig-from-topology: the user allows the topology's paths. */
  readonly fromTopology: boolean;
  /** The files cw reads by default, as kubectl does. */
  readonly defaults: readonly string[];
  /** Expands ~ in the topology's paths. */
  readonly expand: (path: string) => string;
}

export type KubeconfigChoice =
  /** `path` undefined: the default kubeconfig. */
  { readonly ok: true; readonly path?: string } | { readonly ok: false; readonly refusal: string };

export function chooseKubeconfig(
  cluster: { readonly name: string; readonly kubeconfig?: { readonly path?: string } },
  options: KubeconfigOptions,
): KubeconfigChoice {
  if (options.commandLine !== undefined) return { ok: true, path: options.commandLine };
  const written = cluster.kubeconfig?.path;
  if (written === undefined) return { ok: true };
  const path = options.expand(written);
  if (options.defaults.some((d) => resolve(d) === resolve(path))) return { ok: true };
  if (options.fromTopology) return { ok: true, path };
  return {
    ok: false,
    refusal: `cluster "${cluster.name}" names the kubeconfig ${JSON.stringify(written)}, and a kubeconfig can run commands (exec plugins): cw follows a path from the topology only with --kubeconfig-from-topology; add it if you trust this topology, or give --kubeconfig`,
  };
}
