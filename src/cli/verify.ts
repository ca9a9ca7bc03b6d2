// `cw verify [topology] [-o folder]`: traces every call the topology allows and every call it does
// not (src/analysis/verify.ts) through the folder's configuration and prints a summary table. Exit 0
// when every check holds, 1 on any mismatch (or errors in the topology, or a folder that is another
// federation's output), 2 on misuse.

import { formatSummary, formatVerify, verify, verifySummary } from "../analysis/verify.js";
import { hasErrors } from "../diagnostics/diagnostic.js";
import { printable } from "../diagnostics/printable.js";
import { folderFederationProblem } from "./folder-federation.js";
import { ExitCode, type Io, paintOut } from "./io.js";
import { type InputTexts, parseInputs, readInputs } from "./load.js";
import { type Format, type InputOptions, inputOptionsOf, type Jobs } from "./options.js";
import { readWithExisting } from "./output-folder.js";
import { printResult, reportDiagnostics } from "./report.js";
import { paintVerdicts } from "./style.js";
import { type RunningVerifyHelpers, startVerifyHelpers, verifyHelperCount } from "./verify-helpers.js";

export interface VerifyOptions extends InputOptions {
  /** The output folder. */
  readonly out: string;
  /** Whether -o was given; the default folder must have this federation's manifest. */
  readonly outGiven?: boolean;
  readonly format: Format;
  readonly verbose?: boolean;
  /** A folder of the config the clusters already have (cw discover --existing writes one). */
  readonly existing?: string;
  /** Threads that trace the checks of the text report (verify-helpers.ts); default 1. */
  readonly jobs?: Jobs;
}

export function runVerify(options: VerifyOptions, io: Io): ExitCode {
  const input = readInputs(options);
  const helpers = options.format === "text" ? startHelpersFor(options, input) : undefined;
  try {
    return verifyWith(options, io, input, helpers);
  } finally {
    helpers?.close();
  }
}

/** Helper threads for the text report (--jobs), started at once so that they read beside the main one. */
function startHelpersFor(options: VerifyOptions, input: InputTexts): RunningVerifyHelpers | undefined {
  const count = verifyHelperCount(options.jobs ?? 1, input);
  if (count === 0) return undefined;
  const job = {
    options: inputOptionsOf(options),
    input,
    out: options.out,
    ...(options.existing !== undefined && { existing: options.existing }),
  };
  return startVerifyHelpers(job, count);
}

function verifyWith(
  options: VerifyOptions,
  io: Io,
  texts: InputTexts,
  helpers: RunningVerifyHelpers | undefined,
): ExitCode {
  const loaded = parseInputs(options, texts);
  if (!loaded.topology || hasErrors(loaded.diagnostics)) {
    reportDiagnostics(io, loaded.diagnostics, loaded.lineOf, options.format);
    return ExitCode.inputErrors;
  }
  const topologyFile = options.topology ?? options.serviceFile ?? "";
  const foreign = folderFederationProblem(
    options.out,
    loaded.topology.name,
    topologyFile,
    options.outGiven === true,
  );
  if (foreign) {
    reportDiagnostics(io, [foreign], loaded.lineOf, options.format);
    return ExitCode.inputErrors;
  }
  const folder = readWithExisting(options.out, options.existing, loaded.topology.name);
  for (const p of folder.problems) io.err(`cw verify: skipped ${printable(p)}\n`);
  const known = new Set(loaded.topology.clusters.map((c) => c.name));
  for (const name of folder.clusters.keys())
    if (!known.has(name))
      io.err(`cw verify: folder ${name} is not a cluster of the topology; it is not checked\n`);
  const input = {
    topology: loaded.topology,
    clusters: folder.clusters,
    withExisting: options.existing !== undefined,
  };
  const verbose = options.verbose === true;
  if (options.format === "text") {
    // The text report counts the checks that hold and keeps only the others (verify-summary.ts).
    const summary = verifySummary(input, helpers);
    printResult(
      io,
      "text",
      () => undefined,
      () => paintVerdicts(formatSummary(summary, { verbose }), paintOut(io)),
    );
    return summary.ok ? ExitCode.ok : ExitCode.inputErrors;
  }
  const result = verify(input);
  // Traces of checks that hold are left out, and not read: reading one traces the call again.
  const checks = () =>
    result.checks.map((c) => {
      const { kind, call, expected, status, problem } = c;
      return status === "ok"
        ? { kind, call, expected, status, problem }
        : { kind, call, expected, status, problem, trace: c.trace };
    });
  printResult(
    io,
    options.format,
    () => ({ ok: result.ok, checks: checks() }),
    () => paintVerdicts(formatVerify(result, { verbose }), paintOut(io)),
  );
  return result.ok ? ExitCode.ok : ExitCode.inputErrors;
}
