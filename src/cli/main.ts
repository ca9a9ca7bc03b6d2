// The cw command line. This is the only code that reads argv and sets the exit code:
// 0 ok (warnings allowed), 1 the input (or output folder) has errors, 2 the command was misused,
// 3 a live cluster failed (discover, diff, apply), 4 cw diff found differences.
// Commands that talk to clusters or serve the UI are asynchronous: runAsync runs every command.

import { pathToFileURL } from "node:url";
import { Command, CommanderError, Option } from "commander";
import type { GitopsFlags } from "../gitops/settings.js";
import { federationJsonSchemaText } from "../topology/json-schema.js";
import { FLUX_MODES, type FluxMode, GITOPS_ENGINES, type GitopsEngine } from "../topology/schema.js";
import { addApplyCommand } from "./apply.js";
import { addDiffCommand } from "./diff.js";
import { addDiscoverCommand } from "./discover.js";
import { runExplain } from "./explain.js";
import { type GenerateOptions, runCheck, runGenerate } from "./generate.js";
import { ExitCode, type Io, processIo } from "./io.js";
import { UsageError } from "./load.js";
import { runPreflight } from "./preflight.js";
import { addLiveCheckOptions, liveCheckValues, refuseLiveOptionsWithout } from "./preflight-options.js";
import { addStatusCommand } from "./status.js";
import { addTraceCommand } from "./trace.js";
import { addUiCommand } from "./ui.js";
import { addVerifyCommand } from "./verify.js";

/** --gitops and the flags that go with it; those flags without it are a mistake. */
function gitopsFlags(raw: RawOptions): { gitops?: GitopsFlags } {
  const given = (["repo", "revision", "pathPrefix", "fluxMode"] as const).filter((k) => raw[k] !== undefined);
  if (raw.gitops === undefined) {
    if (given.length > 0)
      throw new UsageError(
        `--${given[0]?.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} goes with --gitops`,
      );
    return {};
  }
  return {
    gitops: {
      engine: raw.gitops,
      ...(raw.repo !== undefined && { repo: raw.repo }),
      ...(raw.revision !== undefined && { revision: raw.revision }),
      ...(raw.pathPrefix !== undefined && { pathPrefix: raw.pathPrefix }),
      ...(raw.fluxMode !== undefined && { fluxMode: raw.fluxMode }),
    },
  };
}

interface RawOptions {
  gitops?: GitopsEngine;
  repo?: string;
  revision?: string;
  pathPrefix?: string;
  fluxMode?: FluxMode;
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
  const result = start(argv, io);
  if (typeof result !== "number") throw new Error(`internal: cw ${argv[0]} is asynchronous; call runAsync`);
  return result;
}

/** Runs any command, including the asynchronous ones (discover, diff, apply, ui). */
export async function runAsync(argv: readonly string[], io: Io): Promise<ExitCode> {
  const result = start(argv, io);
  try {
    return await result;
  } catch (e) {
    return failure(e, io);
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
    .addOption(
      new Option(
        "--gitops <engine>",
        "also write the objects that deliver each folder, to out/_gitops/",
      ).choices([...GITOPS_ENGINES]),
    )
    .option("--repo <url>", "with --gitops argocd: the repository the folders are committed to")
    .option("--revision <rev>", "with --gitops argocd: the branch, tag or commit to deliver (default HEAD)")
    .option(
      "--path-prefix <path>",
      "with --gitops: where the output folder is in the repository (default: found from git)",
    )
    .addOption(
      new Option("--flux-mode <mode>", "with --gitops flux: how Flux reaches the clusters").choices([
        ...FLUX_MODES,
      ]),
    )
    .action((topology: string | undefined, raw: RawOptions) => {
      code = runGenerate({ ...toOptions(topology, raw), ...gitopsFlags(raw) }, io);
    });

  addLiveCheckOptions(
    inputOptions(
      program
        .command("check")
        .description(
          "report problems in the topology without writing anything; with --live, check that each cluster and link is ready",
        ),
    ),
  ).action((topology: string | undefined, raw: RawOptions & Record<string, unknown>) => {
    refuseLiveOptionsWithout(raw);
    const options = toOptions(topology, { ...raw, output: "-" });
    if (raw.live === true) later(runPreflight({ ...options, ...liveCheckValues(raw) }, io));
    else code = runCheck(options, io);
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
  addStatusCommand(inputOptions(program.command("status")), io, later);
  addUiCommand(program, io, later);

  try {
    program.parse([...argv], { from: "user" });
    return pending ?? code;
  } catch (e) {
    return failure(e, io);
  }
}

function failure(e: unknown, io: Io): ExitCode {
  if (e instanceof CommanderError) {
    return e.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
  }
  if (e instanceof UsageError) {
    io.err(`cw: ${e.message}\n`);
    return ExitCode.usage;
  }
  throw e;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  runAsync(process.argv.slice(2), processIo).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(
        `cw: internal error (CW9001), please report it: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`,
      );
      process.exitCode = 70;
    },
  );
}
