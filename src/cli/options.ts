// The options several commands share, spelt once: the topology input (a Federation file, by default
// ./federation.yaml, or the original Coddiwomple's two files), the output folder (-o/--out), the
// result format (--format text|json|yaml) and the live-cluster options of discover, diff and apply.
// Light on purpose: the command definitions load this module for `cw --help`; the code that does the
// work is loaded when a command runs.

import { existsSync } from "node:fs";
import { type Command, Option } from "commander";
import { UsageError } from "./usage-error.js";

/** How a command prints its result: text for people, JSON or YAML for tools. */
export type Format = "text" | "json" | "yaml";
export const FORMATS: readonly Format[] = ["text", "json", "yaml"];

/** The topology file a command reads when it is given none. */
export const DEFAULT_TOPOLOGY = "federation.yaml";
/** The output folder generate writes and verify, trace read when given none. */
export const DEFAULT_OUT = "out";

/** What a topology-reading command was given: a Federation file, or the original's two files. */
export interface InputOptions {
  readonly topology?: string;
  readonly clusterFile?: string;
  readonly serviceFile?: string;
  readonly lock?: string;
  readonly name?: string;
}

/** The input options alone, out of a command's options (what a helper thread reads the input with). */
export const inputOptionsOf = ({
  topology,
  clusterFile,
  serviceFile,
  lock,
  name,
}: InputOptions): InputOptions => ({
  topology,
  clusterFile,
  serviceFile,
  lock,
  name,
});

export const topologyArgument = (command: Command, what = "Federation file (YAML or JSON)"): Command =>
  command.argument("[topology]", `${what} (default: ./${DEFAULT_TOPOLOGY})`);

export const legacyOptions = (command: Command): Command =>
  command
    .option("--cluster-file <file>", "original Coddiwomple clusters.json (with --service-file)")
    .option("--service-file <file>", "original Coddiwomple services.json (with --cluster-file)");

export const formatOption = (command: Command, choices: readonly Format[] = FORMATS): Command =>
  command.addOption(
    new Option("--format <format>", "how to print the result: text, or json or yaml for tools")
      .choices(choices)
      .default(choices[0]),
  );

export const outOption = (command: Command, what: string): Command =>
  command.option("-o, --out <dir>", what, DEFAULT_OUT);

/**
 * The VIP lock file. Every command that reads a topology reads it; one below /dev or /proc (a topology
 * piped in) has no place for it beside, and needs this (load.ts).
 */
export const lockOption = (command: Command): Command =>
  command.option("--lock <file>", "lock file of VIPs (default: <topology>.lock.yaml beside the topology)");

/** The options of every command that compiles a topology: generate, check, diff, apply. */
export function inputOptions(command: Command): Command {
  return lockOption(
    formatOption(legacyOptions(topologyArgument(command))).option(
      "--name <name>",
      "federation name for the original's files, which have none",
    ),
  ).option("--no-validate", "skip checking generated objects against Istio's schemas");
}

/**
 * The input a command was given. With neither a topology nor the original's files, it is
 * ./federation.yaml, which must then exist.
 */
export function inputOf(topology: string | undefined, raw: Record<string, unknown>): InputOptions {
  const text = (key: string) => (typeof raw[key] === "string" ? { [key]: raw[key] as string } : {});
  const legacy = raw.clusterFile !== undefined || raw.serviceFile !== undefined;
  const file = topology ?? (legacy ? undefined : defaultTopology());
  return {
    ...(file !== undefined && { topology: file }),
    ...text("clusterFile"),
    ...text("serviceFile"),
    ...text("lock"),
    ...text("name"),
  };
}

/** ./federation.yaml, when it is there. */
export function defaultTopology(): string {
  if (!existsSync(DEFAULT_TOPOLOGY)) {
    throw new UsageError(
      `no topology file given and no ./${DEFAULT_TOPOLOGY} here; give one (cw check path/to/federation.yaml), or write a starter one with cw init`,
    );
  }
  return DEFAULT_TOPOLOGY;
}

/** Collects a repeatable option's values. */
export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

export function parseTimeout(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--timeout ${value} is not a number of seconds`);
  return n;
}

/** --jobs: how many threads make clusters, or "auto" (cluster-helpers.ts decides by the input's size). */
export type Jobs = number | "auto";

export function parseJobs(value: string): Jobs {
  if (value === "auto") return value;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 64) {
    throw new UsageError(`--jobs ${value} is not a number of threads from 1 to 64, or auto`);
  }
  return n;
}

/** Which live clusters discover, diff and apply talk to, and how long they wait for each request. */
export interface LiveOptions {
  /** --cluster: only these clusters (default: all). */
  readonly clusters: readonly string[];
  readonly kubeconfig?: string;
  /** --kubeconfig-from-topology: follow the topology's kubeconfig.path (src/kube/kubeconfig-path.ts). */
  readonly kubeconfigFromTopology?: boolean;
  /** Time limit of each request to a cluster, in seconds. */
  readonly timeout: number;
}

/** The options diff and apply add to the topology input options. */
export function liveOptions(command: Command): Command {
  return command
    .option("--cluster <name>", "only this cluster (repeat for more; default: all)", collect)
    .option("--kubeconfig <file>", "kubeconfig file (default: $KUBECONFIG or ~/.kube/config)")
    .option(KUBECONFIG_FROM_TOPOLOGY, KUBECONFIG_FROM_TOPOLOGY_HELP)
    .option("--timeout <seconds>", "time limit of each request to a cluster", "15");
}

/** A kubeconfig can run commands: a path the topology names is followed only when the user says so. */
export const KUBECONFIG_FROM_TOPOLOGY = "--kubeconfig-from-topology";
export const KUBECONFIG_FROM_TOPOLOGY_HELP =
  "follow each cluster's kubeconfig.path in the topology (a kubeconfig can run commands)";

export function liveOptionValues(raw: Record<string, unknown>): LiveOptions {
  return {
    clusters: (raw.cluster as string[] | undefined) ?? [],
    ...(raw.kubeconfig !== undefined && { kubeconfig: raw.kubeconfig as string }),
    kubeconfigFromTopology: raw.kubeconfigFromTopology === true,
    timeout: parseTimeout((raw.timeout as string | undefined) ?? "15"),
  };
}
