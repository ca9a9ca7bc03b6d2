// `cw verify <topology> [-o folder]`: traces every call the topology allows and every call it does
// not (src/analysis/verify.ts) through the folder's configuration and prints a summary table. Exit 0
// when every check holds, 1 on any mismatch (or errors in the topology), 2 on misuse.

import type { Command } from "commander";
import { Option } from "commander";
import { formatVerify, verify } from "../analysis/verify.js";
import { hasErrors } from "../diagnostics/diagnostic.js";
import { formatText, summary } from "../diagnostics/format.js";
import { printable } from "../diagnostics/printable.js";
import { ExitCode, type Io } from "./io.js";
import { load } from "./load.js";
import { readOutputFolder } from "./output-folder.js";

export interface VerifyOptions {
  readonly topology?: string;
  readonly clusterFile?: string;
  readonly serviceFile?: string;
  readonly output: string;
  readonly format: "text" | "json";
  readonly verbose?: boolean;
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
  const folder = readOutputFolder(options.output);
  for (const p of folder.problems) io.err(`cw verify: skipped ${printable(p)}\n`);
  const result = verify({ topology: loaded.topology, clusters: folder.clusters });
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
    .option("--verbose", "also show the checks cw cannot enforce (CW1019, CW1022) with their traces")
    .addOption(
      new Option("--format <format>", "text, or json for tools").choices(["text", "json"]).default("text"),
    )
    .action((topology: string | undefined, raw: Omit<VerifyOptions, "topology">) => {
      done(runVerify({ ...raw, ...(topology !== undefined && { topology }) }, io));
    });
}
