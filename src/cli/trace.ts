// `cw trace [folder] --from cluster/namespace/serviceaccount --to target`: follows one call through
// the per-cluster configuration in the folder and prints each hop. Mesh facts (trust domains, gateway
// addresses) come from the topology when one is given, else they are inferred from the folder.
// Exit 0 when every path arrives, 1 when any is refused, 2 on misuse.

import type { Command } from "commander";
import { Option } from "commander";
import { meshFactsFromTopology } from "../analysis/mesh-facts.js";
import { formatText, summary } from "../diagnostics/format.js";
import { printable } from "../diagnostics/printable.js";
import { formatTrace } from "../trace/format.js";
import { inferMeshFacts } from "../trace/infer-mesh.js";
import { traceCall } from "../trace/trace.js";
import { type Caller, FAILURES, type Target, tracePaths } from "../trace/types.js";
import { ExitCode, type Io } from "./io.js";
import { load, UsageError } from "./load.js";
import { readOutputFolder } from "./output-folder.js";

export interface TraceOptions {
  readonly folder: string;
  readonly from: string;
  readonly to: string;
  readonly port?: string;
  readonly topology?: string;
  readonly clusterFile?: string;
  readonly serviceFile?: string;
  readonly output: "text" | "json";
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

const DEFAULT_PORTS: Record<string, number> = { "http:": 80, "https:": 443, "grpc:": 80 };

export function parseTarget(to: string, port?: string): Target {
  const explicit = port !== undefined ? Number(port) : undefined;
  if (explicit !== undefined && !(Number.isInteger(explicit) && explicit > 0 && explicit < 65536)) {
    throw new UsageError(`--port ${port} is not a port number`);
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(to)) {
    let url: URL;
    try {
      url = new URL(to);
    } catch {
      throw new UsageError(`--to ${to} is not a URL`);
    }
    const p = explicit ?? (url.port ? Number(url.port) : DEFAULT_PORTS[url.protocol]);
    if (p === undefined) throw new UsageError(`--to ${to}: give the port in the URL or with --port`);
    return { host: url.hostname.replace(/^\[|\]$/g, ""), port: p, path: url.pathname || "/" };
  }
  const m = /^(.*?)(?::(\d+))?$/.exec(to);
  const host = m?.[1] ?? "";
  const p = explicit ?? (m?.[2] !== undefined ? Number(m[2]) : undefined);
  if (!host || p === undefined)
    throw new UsageError(
      `--to ${to}: write host:port (e.g. reviews.global:9080), a URL, or --to host --port N`,
    );
  return { host, port: p };
}

export function runTrace(options: TraceOptions, io: Io): ExitCode {
  const caller = parseCaller(options.from);
  const target = parseTarget(options.to, options.port);
  const folder = readOutputFolder(options.folder);
  if (!folder.clusters.has(caller.cluster)) {
    throw new UsageError(
      `no cluster "${caller.cluster}" in ${options.folder}; it has ${[...folder.clusters.keys()].join(", ") || "none"}`,
    );
  }
  let mesh = inferMeshFacts(folder.clusters);
  if (options.topology !== undefined || options.clusterFile !== undefined) {
    const loaded = load({
      ...(options.topology !== undefined && { topology: options.topology }),
      ...(options.clusterFile !== undefined && { clusterFile: options.clusterFile }),
      ...(options.serviceFile !== undefined && { serviceFile: options.serviceFile }),
    });
    if (!loaded.topology) {
      io.err(`${formatText(loaded.diagnostics, loaded.lineOf)}\n${summary(loaded.diagnostics)}\n`);
      return ExitCode.inputErrors;
    }
    mesh = meshFactsFromTopology(loaded.topology);
  }
  for (const p of folder.problems) io.err(`cw trace: skipped ${printable(p)}\n`);
  const trace = traceCall({ clusters: folder.clusters, mesh }, caller, target);
  const paths = tracePaths(trace);
  const refused = paths.some((p) => p.end.kind === "failed");
  if (options.output === "json") {
    io.out(
      `${JSON.stringify(
        {
          caller,
          target,
          ok: !refused,
          paths: paths.map((p) => ({
            share: p.share,
            end: p.end.kind === "failed" ? { ...p.end, summary: FAILURES[p.end.reason] } : p.end,
          })),
          trace,
        },
        null,
        2,
      )}\n`,
    );
  } else {
    const title = `trace ${caller.cluster}/${caller.namespace}/${caller.serviceAccount} -> ${target.host}:${target.port}${target.path && target.path !== "/" ? target.path : ""}`;
    io.out(formatTrace(title, trace));
  }
  // A refused call is the answer to the question, not an input error; 1 says "not reachable".
  return refused ? ExitCode.inputErrors : ExitCode.ok;
}

export function addTraceCommand(program: Command, io: Io, done: (code: ExitCode) => void): void {
  program
    .command("trace")
    .description("follow one call through the generated (or any) Istio configuration, hop by hop")
    .argument("[folder]", "output folder with one subfolder per cluster", "out")
    .requiredOption(
      "--from <caller>",
      "the caller: cluster[/namespace[/serviceaccount]], e.g. a/default/productpage",
    )
    .requiredOption("--to <target>", "what it calls: host:port (reviews.global:9080) or a URL")
    .option("--port <port>", "the port, when --to is a bare host")
    .option("--topology <file>", "Federation file, for trust domains and gateway addresses (else inferred)")
    .option("--cluster-file <file>", "original Coddiwomple clusters.json (with --service-file)")
    .option("--service-file <file>", "original Coddiwomple services.json (with --cluster-file)")
    .addOption(
      new Option("--output <format>", "text, or json for tools").choices(["text", "json"]).default("text"),
    )
    .action((folder: string, raw: Omit<TraceOptions, "folder">) => {
      done(runTrace({ ...raw, folder }, io));
    });
}
