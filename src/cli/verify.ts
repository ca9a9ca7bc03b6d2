// `cw verify <topology> [-o folder]`: traces every call the topology allows and every call it does
// not (src/analysis/verify.ts) through the folder's configuration and prints a summary table. Exit 0
// when every check holds, 1 on any mismatch (or errors in the topology), 2 on misuse.

import type { Command } from "commander";
import { Option } from "commander";
import { formatVerify, verify } from "../analysis/verify.js";
import { hasErrors } from "../diagnostics/diagnostic.js";
import { formatText, summary } from "../diagnostics/format.js";
import { ExitCode, type Io } from "./io.js";
import { load } from "./load.js";
import { readWithExisting } from "./output-folder.js";

export interface VerifyOptions {
  readonly topology?: string;
  readonly clusterFile?: string;
  readonly serviceFile?: string;
  readonly output: string;
  readonly format: "text" | "json";
  readonly verbose?: boolean;
  /** A folder of the config the clusters already have (cw discover --existing writes one). */
  readonly existing?: string;
}

export function runVerify(options: VerifyOptions, io: Io): ExitCode {
  const loaded = load({
    ...(options.topology !== undefined && { topology: options.topology }),
    ...(options.clusterFile !== undefined && { clusterFile: options.clusterFile }),
    ...(options.serviceFile !== undefined && { serviceFile: options.serviceFile }),
  });
  if (!loaded.topology || hasErrors(loaded.diagnostics)) {
    io.err(`${formatText(loaded.diagnostics, loaded.lineOf)}\n${summary(loaded.diagnostics)}\n`);
    return ExitCode.inputErrors;
  }
  const folder = readWithExisting(options.output, options.existing, loaded.topology.name);
  for (const p of folder.problems) io.err(`cw verify: skipped ${p}\n`);
  const known = new Set(loaded.topology.clusters.map((c) => c.name));
  for (const name of folder.clusters.keys())
    if (!known.has(name))
      io.err(`cw verify: folder ${name} is not a cluster of the topology; it is not checked\n`);
  const result = verify({
    topology: loaded.topology,
    clusters: folder.clusters,
    withExisting: options.existing !== undefined,
  });
  if (options.format === "json") {
    // Traces of checks that hold are left out, and not read: reading one traces the call again.
    const checks = result.checks.map((c) => {
      const { kind, call, expected, status, problem } = c;
      return status === "ok"
        ? { kind, call, expected, status, problem }
        : { kind, call, expected, status, problem, trace: c.trace };
    });
    io.out(`${JSON.stringify({ ok: result.ok, checks }, null, 2)}\n`);
  } else {
    io.out(formatVerify(result, { verbose: options.verbose === true }));
  }
  return result.ok ? ExitCode.ok : ExitCode.inputErrors;
}

export function addVerifyCommand(program: Command, io: Io, done: (code: ExitCode) => void): void {
  program
    .command("verify")
    .description("prove the output folder routes every allowed call and no other")
    .argument("[topology]", "Federation file (YAML or JSON)")
    .option("--cluster-file <file>", "original Coddiwomple clusters.json (with --service-file)")
    .option("--service-file <file>", "original Coddiwomple services.json (with --cluster-file)")
    .option("-o, --output <dir>", "the output folder to verify", "out")
    .option(
      "--existing <dir>",
      "the config the clusters already have, one folder per cluster (cw discover --existing)",
    )
    .option("--verbose", "also show the checks cw cannot enforce (CW1019, CW1022) with their traces")
    .addOption(
      new Option("--format <format>", "text, or json for tools").choices(["text", "json"]).default("text"),
    )
    .action((topology: string | undefined, raw: Omit<VerifyOptions, "topology">) => {
      done(runVerify({ ...raw, ...(topology !== undefined && { topology }) }, io));
    });
}
