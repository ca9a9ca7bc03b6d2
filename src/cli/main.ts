// The cw command line. This is the only code that reads argv and sets the exit code:
// 0 ok (warnings allowed), 1 the input (or output folder) has errors, 2 the command was misused,
// 3 a live cluster failed (discover, diff, apply), 4 cw diff found differences, 70 a bug in cw (CW9001,
// reported as such by run and runAsync alike, never as a raw stack).
// Commands that talk to clusters or serve the UI are asynchronous: runAsync runs every command.

import { pathToFileURL } from "node:url";
import { Command, CommanderError, Option } from "commander";
import { federationJsonSchemaText } from "../topology/json-schema.js";
import { addApplyCommand } from "./apply.js";
import { addDiffCommand } from "./diff.js";
import { addDiscoverCommand } from "./discover.js";
import { runExplain } from "./explain.js";
import { type GenerateOptions, runCheck, runGenerate } from "./generate.js";
import { internalError } from "./internal-error.js";
import { ExitCode, type Io, processIo } from "./io.js";
import { UsageError } from "./load.js";
import { addTraceCommand } from "./trace.js";
import { addUiCommand } from "./ui.js";
import { addVerifyCommand } from "./verify.js";

interface RawOptions {
  clusterFile?: string;
  serviceFile?: string;
  output: string;
  cluster?: string;
  lock?: string;
  name?: string;
  force?: boolean;
  format: "text" | "json";
  validate: boolean;
}

function inputOptions(command: Command): Command {
  return command
    .argument("[topology]", "Federation file (YAML or JSON)")
    .option("--cluster-file <file>", "original Coddiwomple clusters.json (with --service-file)")
    .option("--service-file <file>", "original Coddiwomple services.json (with --cluster-file)")
    .option("--name <name>", "federation name for the original's files, which have none")
    .option("--lock <file>", "lock file of VIPs (default: <topology>.lock.yaml beside the topology)")
    .addOption(
      new Option("--format <format>", "diagnostics format").choices(["text", "json"]).default("text"),
    )
    .option("--no-validate", "skip checking generated objects against Istio's schemas");
}

const toOptions = (topology: string | undefined, raw: RawOptions): GenerateOptions => ({
  ...(topology !== undefined && { topology }),
  ...(raw.clusterFile !== undefined && { clusterFile: raw.clusterFile }),
  ...(raw.serviceFile !== undefined && { serviceFile: raw.serviceFile }),
  ...(raw.lock !== undefined && { lock: raw.lock }),
  ...(raw.name !== undefined && { name: raw.name }),
  ...(raw.cluster !== undefined && { cluster: raw.cluster }),
  output: raw.output,
  force: raw.force === true,
  format: raw.format,
  validate: raw.validate,
});

export function run(argv: readonly string[], io: Io): ExitCode {
  try {
    const result = start(argv, io);
    if (typeof result !== "number") throw new Error(`cw ${argv[0]} is asynchronous; call runAsync`);
    return result;
  } catch (e) {
    return failure(e, io);
  }
}

/** Runs any command, including the asynchronous ones (discover, diff, apply, ui). */
export async function runAsync(argv: readonly string[], io: Io): Promise<ExitCode> {
  // A long-running command (cw ui) can meet a bug outside the promise chain, in a timer or an event
  // handler: in the real process that is reported like any other internal error.
  const stray = (e: unknown) => {
    io.err(`${internalError(e, process.env.CW_DEBUG !== undefined)}\n`);
    process.exit(ExitCode.internal);
  };
  if (io === processIo) process.on("uncaughtException", stray);
  try {
    return await start(argv, io);
  } catch (e) {
    return failure(e, io);
  } finally {
    process.off("uncaughtException", stray);
  }
}

function start(argv: readonly string[], io: Io): ExitCode | Promise<ExitCode> {
  let code: ExitCode = ExitCode.ok;
  let pending: Promise<ExitCode> | undefined;
  const later = (p: Promise<ExitCode>) => {
    pending = p;
  };
  const program = new Command("cw")
    .description(
      "Coddiwomple: compile clusters and services into Istio multi-mesh configuration, per cluster.",
    )
    .version("0.1.0")
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .showSuggestionAfterError(true);

  inputOptions(
    program
      .command("generate")
      .description("write each cluster's Istio configuration into a folder (or one cluster's to stdout)"),
  )
    .option("-o, --output <dir>", 'output folder, or "-" for stdout with --cluster', "out")
    .option("--cluster <name>", "with -o -: the cluster to print")
    .option("--force", "overwrite generated files that were edited by hand")
    .action((topology: string | undefined, raw: RawOptions) => {
      code = runGenerate(toOptions(topology, raw), io);
    });

  inputOptions(
    program.command("check").description("report problems in the topology without writing anything"),
  ).action((topology: string | undefined, raw: RawOptions) => {
    code = runCheck(toOptions(topology, { ...raw, output: "-" }), io);
  });

  program
    .command("explain")
    .description("explain a diagnostic code, or list them all")
    .argument("[code]", "a code such as CW1008")
    .action((c: string | undefined) => {
      code = runExplain(c, io);
    });

  program
    .command("schema")
    .description("print the JSON Schema of the Federation file format")
    .action(() => {
      io.out(federationJsonSchemaText());
    });

  addTraceCommand(program, io, (c) => {
    code = c;
  });
  addVerifyCommand(program, io, (c) => {
    code = c;
  });
  addDiscoverCommand(program, io, later);
  addDiffCommand(inputOptions(program.command("diff")), io, later);
  addApplyCommand(inputOptions(program.command("apply")), io, later);
  addUiCommand(program, io, later);

  program.parse([...argv], { from: "user" });
  return pending ?? code;
}

/** What a command that threw gets: misuse is exit 2, anything else is a bug in cw (CW9001). */
function failure(e: unknown, io: Io): ExitCode {
  if (e instanceof CommanderError) {
    return e.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
  }
  if (e instanceof UsageError) {
    io.err(`cw: ${e.message}\n`);
    return ExitCode.usage;
  }
  io.err(`${internalError(e, process.env.CW_DEBUG !== undefined)}\n`);
  return ExitCode.internal;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  runAsync(process.argv.slice(2), processIo).then((code) => {
    process.exitCode = code;
  });
}
