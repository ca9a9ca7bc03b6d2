// `cw trace [topology] -o folder --from cluster/namespace/serviceaccount --to target`: follows one
// call through the per-cluster configuration in the folder and prints each hop. Mesh facts (trust
// domains, gateway addresses) come from the topology when there is one (given, or ./federation.yaml),
// else they are inferred from the folder. Exit 0 when every path arrives, 1 when any is refused (or
// the folder is another federation's output), 2 on misuse.

import { statSync } from "node:fs";
import { meshFactsFromTopology } from "../analysis/mesh-facts.js";
import { printable } from "../diagnostics/printable.js";
import { formatTrace } from "../trace/format.js";
import { inferMeshFacts } from "../trace/infer-mesh.js";
import { parseTargetText } from "../trace/target-text.js";
import { traceCall } from "../trace/trace.js";
import { type Caller, FAILURES, type Target, tracePaths } from "../trace/types.js";
import { folderFederationProblem } from "./folder-federation.js";
import { ExitCode, type Io, paintOut } from "./io.js";
import { load } from "./load.js";
import type { Format, InputOptions } from "./options.js";
import { readWithExisting } from "./output-folder.js";
import { printResult, reportDiagnostics } from "./report.js";
import { paintVerdicts } from "./style.js";
import { UsageError } from "./usage-error.js";

export interface TraceOptions extends InputOptions {
  /** The folder to trace through (-o). */
  readonly folder: string;
  readonly from: string;
  readonly to: string;
  readonly port?: string;
  readonly format: Format;
  /** A folder of the config the clusters already have (cw discover --existing writes one). */
  readonly existing?: string;
  /** Clusters to take down, comma-separated: where do calls go then? */
  readonly down?: string;
}

export function parseCaller(from: string): Caller {
  const [cluster, namespace = "default", serviceAccount = "default", ...rest] = from.split("/");
  if (!cluster || rest.length > 0) {
    throw new UsageError(
      `--from ${from}: write the caller as cluster[/namespace[/serviceaccount]], e.g. a/default/productpage`,
    );
  }
  return { cluster, namespace, serviceAccount };
}

export function parseTarget(to: string, port?: string): Target {
  const parsed = parseTargetText(to, port);
  if (!parsed.ok) throw new UsageError(parsed.problem);
  return parsed.target;
}

/** --down a,b: clusters that exist in the folder or the topology. */
function parseDown(text: string | undefined, known: ReadonlySet<string>): ReadonlySet<string> {
  const names = (text ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = names.filter((n) => !known.has(n));
  if (unknown.length > 0) {
    throw new UsageError(
      `--down ${text}: no cluster ${unknown.join(", ")}; the clusters are ${[...known].sort().join(", ")}`,
    );
  }
  return new Set(names);
}

export function runTrace(options: TraceOptions, io: Io): ExitCode {
  const caller = parseCaller(options.from);
  const target = parseTarget(options.to, options.port);
  if (options.topology !== undefined && isFolder(options.topology)) {
    throw new UsageError(
      `${options.topology} is a folder: give the folder to trace with -o ${options.topology} (the argument is the topology file)`,
    );
  }
  const folder = readWithExisting(options.folder, options.existing);
  if (!folder.clusters.has(caller.cluster)) {
    throw new UsageError(
      `no cluster "${caller.cluster}" in ${options.folder}; it has ${[...folder.clusters.keys()].join(", ") || "none"}`,
    );
  }
  let mesh = inferMeshFacts(folder.clusters);
  if (options.topology !== undefined || options.clusterFile !== undefined) {
    const loaded = load(options);
    const foreign =
      loaded.topology &&
      folderFederationProblem(options.folder, loaded.topology.name, options.topology ?? "", true);
    if (!loaded.topology || foreign) {
      reportDiagnostics(io, foreign ? [foreign] : loaded.diagnostics, loaded.lineOf, options.format);
      return ExitCode.inputErrors;
    }
    mesh = meshFactsFromTopology(loaded.topology);
  }
  for (const p of folder.problems) io.err(`cw trace: skipped ${printable(p)}\n`);
  const down = parseDown(options.down, new Set([...folder.clusters.keys(), ...mesh.clusters.keys()]));
  const trace = traceCall(
    { clusters: folder.clusters, mesh, ...(down.size > 0 && { down }) },
    caller,
    target,
  );
  const paths = tracePaths(trace);
  const refused = paths.some((p) => p.end.kind === "failed");
  const title = `trace ${caller.cluster}/${caller.namespace}/${caller.serviceAccount} -> ${target.host}:${target.port}${target.path && target.path !== "/" ? target.path : ""}`;
  printResult(
    io,
    options.format,
    () => ({
      caller,
      target,
      ok: !refused,
      paths: paths.map((p) => ({
        share: p.share,
        end: p.end.kind === "failed" ? { ...p.end, summary: FAILURES[p.end.reason] } : p.end,
      })),
      trace,
    }),
    () => paintVerdicts(formatTrace(title, trace), paintOut(io)),
  );
  // A refused call is the answer to the question, not an input error; 1 says "not reachable".
  return refused ? ExitCode.inputErrors : ExitCode.ok;
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
