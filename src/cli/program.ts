// The command line's surface: every command, argument, flag, default and exit code, as `cw --help`
// shows them. Only commander and the light option helpers are loaded here, so that `cw --version` and
// `cw --help` start at once; each action loads the module that does its work when it runs (the
// compiler, the tracer, the Kubernetes client, the UI server).

import { existsSync } from "node:fs";
import { Argument, Command, Option } from "commander";
import packageJson from "../../package.json" with { type: "json" };
import { DEFAULT_LAYOUT, LAYOUTS, type Layout } from "../emit/layouts.js";
import { gitopsFlags, gitopsOptions } from "./gitops-options.js";
import type { ExitCode, Io } from "./io.js";
import {
  collect,
  DEFAULT_TOPOLOGY,
  type Format,
  formatOption,
  inputOf,
  inputOptions,
  KUBECONFIG_FROM_TOPOLOGY,
  KUBECONFIG_FROM_TOPOLOGY_HELP,
  legacyOptions,
  liveOptions,
  liveOptionValues,
  lockOption,
  outOption,
  parseJobs,
  parseTimeout,
  topologyArgument,
} from "./options.js";
import { addLiveCheckOptions, liveCheckValues, refuseLiveOptionsWithout } from "./preflight-options.js";

/** Where an action hands its exit code. */
type Done = (code: ExitCode) => void;
type Raw = Record<string, unknown>;

const EXIT_CODES = `
Exit codes:
  0  success (warnings allowed)
  1  the input or the output folder has errors; verify: a check failed; trace: the call is refused;
     diff: there are differences
  2  the command was misused (unknown flag, missing file)
  3  a live cluster could not be read or refused changes (discover, diff, apply; the others are done);
     check --live and status exit 1 on any ✘, an unreachable cluster included
  5  diff: the input has errors (diff keeps 1 for "differences", as kubectl diff does)`;

export function buildProgram(io: Io, done: Done): Command {
  const program = new Command("cw")
    .description(
      "Coddiwomple: compile clusters and services into Istio multi-mesh configuration, per cluster.",
    )
    .version(packageJson.version)
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .showSuggestionAfterError(true)
    .addHelpText("after", EXIT_CODES);
  addInit(program, io, done);
  addGenerate(program, io, done);
  addCheck(program, io, done);
  addVerify(program, io, done);
  addTrace(program, io, done);
  addDiscover(program, io, done);
  addDiff(program, io, done);
  addApply(program, io, done);
  addStatus(program, io, done);
  addUi(program, io, done);
  addExplain(program, io, done);
  addSchema(program, io, done);
  addCompletion(program, io, done);
  return program;
}

function addGenerate(program: Command, io: Io, done: Done): void {
  const command = inputOptions(
    program
      .command("generate")
      .description("write each cluster's Istio configuration into a folder (or one cluster's to stdout)"),
  );
  outOption(command, 'output folder, or "-" for stdout with --cluster')
    .option("--cluster <name>", "with -o -: the cluster to print")
    .option("--force", "overwrite generated files that were edited by hand")
    .addOption(
      new Option(
        "--layout <layout>",
        "files per cluster folder: one per object, one per service, or one for the cluster",
      )
        .choices(LAYOUTS)
        .default(DEFAULT_LAYOUT),
    )
    .option(EXISTING_FLAG, EXISTING_HELP)
    .option(
      "--jobs <n>",
      "threads that make clusters: a number, or auto (2 for large input on several cores, memory allowing)",
      "auto",
    );
  gitopsOptions(command).action(async (topology: string | undefined, raw: Raw) => {
    const { runGenerate } = await import("./generate.js");
    const jobs = parseJobs(raw.jobs as string);
    done(runGenerate({ ...generateOptions(topology, raw), jobs, ...gitopsFlags(raw) }, io));
  });
}

function addCheck(program: Command, io: Io, done: Done): void {
  addLiveCheckOptions(
    inputOptions(
      program
        .command("check")
        .description(
          "report problems in the topology without writing anything; with --live, check that each cluster and link is ready",
        ),
    ).option(EXISTING_FLAG, EXISTING_HELP),
  ).action(async (topology: string | undefined, raw: Raw) => {
    refuseLiveOptionsWithout(raw);
    if (raw.live === true) {
      const { runPreflight } = await import("./preflight.js");
      done(await runPreflight({ ...liveInput(topology, raw), ...liveCheckValues(raw) }, io));
      return;
    }
    const { runCheck } = await import("./generate.js");
    done(runCheck(generateOptions(topology, { ...raw, cluster: undefined, out: "-" }), io));
  });
}

const EXISTING_FLAG = "--existing <dir>";
const EXISTING_HELP =
  "folder of the Istio config each cluster already has (<dir>/<cluster>/*.yaml, as cw discover --existing writes it): adapt to it, report conflicts";

const generateOptions = (topology: string | undefined, raw: Raw) => ({
  ...inputOf(topology, raw),
  ...(raw.cluster !== undefined && { cluster: raw.cluster as string }),
  ...(raw.existing !== undefined && { existing: raw.existing as string }),
  out: raw.out as string,
  force: raw.force === true,
  format: raw.format as Format,
  validate: raw.validate !== false,
  layout: (raw.layout as Layout | undefined) ?? DEFAULT_LAYOUT,
});

const EXISTING_TRACE_HELP =
  "folder of the Istio config each cluster already has (<dir>/<cluster>/*.yaml, as cw discover --existing writes it): traced with cw's output, conflicts reported";

function addVerify(program: Command, io: Io, done: Done): void {
  const command = program
    .command("verify")
    .description("prove the output folder routes every allowed call and no other");
  formatOption(
    outOption(
      lockOption(legacyOptions(topologyArgument(command))),
      "the output folder to verify; its manifest must name this federation (one given with -o may have none)",
    ),
  )
    .option("--verbose", "also show the checks cw cannot enforce (CW1019, CW1022) with their traces")
    .option(EXISTING_FLAG, EXISTING_TRACE_HELP)
    .option(
      "--jobs <n>",
      "threads that trace the checks of the text report: a number, or auto (2 for large input on several cores, memory allowing)",
      "auto",
    )
    .action(async (topology: string | undefined, raw: Raw, cmd: Command) => {
      const { runVerify } = await import("./verify.js");
      const jobs = parseJobs(raw.jobs as string);
      done(
        runVerify(
          {
            ...inputOf(topology, raw),
            out: raw.out as string,
            outGiven: cmd.getOptionValueSource("out") !== "default",
            format: raw.format as Format,
            verbose: raw.verbose === true,
            ...(raw.existing !== undefined && { existing: raw.existing as string }),
            jobs,
          },
          io,
        ),
      );
    });
}

function addTrace(program: Command, io: Io, done: Done): void {
  const command = program
    .command("trace")
    .description("follow one call through the generated (or any) Istio configuration, hop by hop");
  topologyArgument(
    command,
    "Federation file, for trust domains and gateway addresses; without one (and no ./federation.yaml) they are inferred from the folder",
  );
  outOption(lockOption(legacyOptions(command)), "the folder to trace through: one subfolder per cluster")
    .requiredOption(
      "--from <caller>",
      "the caller: cluster[/namespace[/serviceaccount]], e.g. a/default/productpage",
    )
    .requiredOption("--to <target>", "what it calls: host:port (reviews.global:9080) or a URL")
    .option("--port <port>", "the port, when --to is a bare host")
    .option("--down <clusters>", "clusters to take down, comma-separated: shows where calls fail over")
    .option(EXISTING_FLAG, EXISTING_TRACE_HELP);
  formatOption(command).action(async (topology: string | undefined, raw: Raw) => {
    const { runTrace } = await import("./trace.js");
    done(runTrace(traceOptions(topology, raw), io));
  });
}

function traceOptions(topology: string | undefined, raw: Raw) {
  const legacy = raw.clusterFile !== undefined || raw.serviceFile !== undefined;
  // The topology is optional here: trace reads any folder of Istio configuration.
  const optional = topology === undefined && !legacy && !existsSync(DEFAULT_TOPOLOGY);
  return {
    ...(!optional && inputOf(topology, raw)),
    folder: raw.out as string,
    from: raw.from as string,
    to: raw.to as string,
    ...(raw.port !== undefined && { port: raw.port as string }),
    ...(raw.down !== undefined && { down: raw.down as string }),
    ...(raw.existing !== undefined && { existing: raw.existing as string }),
    format: raw.format as Format,
  };
}

function addExplain(program: Command, io: Io, done: Done): void {
  const command = program
    .command("explain")
    .description("explain a diagnostic code, or list them all")
    .argument("[code]", "a code such as CW1008");
  formatOption(command).action(async (code: string | undefined, raw: Raw) => {
    const { runExplain } = await import("./explain.js");
    done(runExplain(code, raw.format as Format, io));
  });
}

function addSchema(program: Command, io: Io, done: Done): void {
  const command = program
    .command("schema")
    .description("print the JSON Schema of the Federation file format");
  formatOption(command, ["json", "yaml"]).action(async (raw: Raw) => {
    const { runSchema } = await import("./explain.js");
    done(runSchema(raw.format as "json" | "yaml", io));
  });
}

function addUi(program: Command, io: Io, done: Done): void {
  lockOption(
    topologyArgument(
      program
        .command("ui")
        .description(
          "a local web page over a topology: matrix, picture, YAML, diagnostics, trace; reloads on change",
        ),
      "Federation file",
    ),
  )
    .option("--port <port>", "port to listen on", "7878")
    .option("--host <address>", "address to bind: one IP address of this machine", "127.0.0.1")
    .option("--allow-remote", "allow a --host other machines can reach (the page has no login)")
    .option("--kubeconfig <file>", "kubeconfig for the page's live checks (default: as cw check --live)")
    .option("--timeout <seconds>", "time limit of each request the page's live checks make", "5")
    .action(async (topology: string | undefined, raw: Raw) => {
      const { runUiCommand } = await import("./ui.js");
      const input = inputOf(topology, raw);
      done(await runUiCommand(input.topology ?? DEFAULT_TOPOLOGY, raw, io));
    });
}

/** The flags discover and init --from-discover share: which clusters to read, and how. */
function discoverOptions(command: Command, contexts: string, name: string): Command {
  return command
    .option(
      "--context <context>",
      `a kubeconfig context to read, as "context" or "cluster=context" ${contexts}`,
      collect,
    )
    .option(
      "-n, --namespace <namespace>",
      "read Services in this namespace only, and write them to the topology (repeat for more)",
      collect,
    )
    .option("--kubeconfig <file>", "kubeconfig file (default: $KUBECONFIG or ~/.kube/config)")
    .option(KUBECONFIG_FROM_TOPOLOGY, KUBECONFIG_FROM_TOPOLOGY_HELP)
    .option("--name <name>", name)
    .option("--istio-namespace <namespace>", "namespace of istiod", "istio-system")
    .option("--timeout <seconds>", "time limit of each request to a cluster", "15");
}

const discoverValues = (raw: Raw) => ({
  contexts: (raw.context as string[] | undefined) ?? [],
  namespaces: (raw.namespace as string[] | undefined) ?? [],
  ...(raw.kubeconfig !== undefined && { kubeconfig: raw.kubeconfig as string }),
  kubeconfigFromTopology: raw.kubeconfigFromTopology === true,
  ...(raw.name !== undefined && { name: raw.name as string }),
  istioNamespace: raw.istioNamespace as string,
  timeout: parseTimeout(raw.timeout as string),
});

function addDiscover(program: Command, io: Io, done: Done): void {
  const command = program
    .command("discover")
    .description(
      "read live clusters' Services, gateways and Istio settings; with --write, merge them into the topology",
    );
  topologyArgument(command, "Federation file to read clusters from and (with --write) merge into");
  discoverOptions(
    command,
    "(repeat for more; default: the topology's clusters)",
    "federation name for a new topology file (default: from the file's name)",
  )
    .option("--write", "merge what was found into the topology file (created if missing)")
    .option("--update", "with --write: replace values in the file that differ from the cluster's")
    .option(
      "--existing <dir>",
      "also write each cluster's existing Istio config to <dir>/<cluster>/, for cw generate --existing",
    )
    .option("--force", "with --existing: overwrite files there that cw did not write or that were edited");
  formatOption(command).action(async (topology: string | undefined, raw: Raw) => {
    const { runDiscover } = await import("./discover.js");
    const file = topology ?? DEFAULT_TOPOLOGY;
    done(
      await runDiscover(
        {
          topology: file,
          ...discoverValues(raw),
          write: raw.write === true,
          update: raw.update === true,
          format: raw.format as Format,
          ...(raw.existing !== undefined && { existing: raw.existing as string }),
          force: raw.force === true,
        },
        io,
      ),
    );
  });
}

function addInit(program: Command, io: Io, done: Done): void {
  const command = program
    .command("init")
    .description("write a starter topology file, commented, with the schema line for editors")
    .argument("[file]", `where to write it (default: ./${DEFAULT_TOPOLOGY}); an existing file is left alone`)
    .option("--from-discover", "fill it from live clusters, as cw discover --write does (give --context)");
  discoverOptions(
    command,
    "(with --from-discover; repeat for more)",
    "the federation's name (default: from the file's name)",
  ).action(async (file: string | undefined, raw: Raw) => {
    const { runInit } = await import("./init.js");
    done(
      await runInit(
        { file: file ?? DEFAULT_TOPOLOGY, fromDiscover: raw.fromDiscover === true, ...discoverValues(raw) },
        io,
      ),
    );
  });
}

function addDiff(program: Command, io: Io, done: Done): void {
  liveOptions(inputOptions(program.command("diff")))
    .description("show what cw apply --prune would change in each live cluster")
    .addHelpText(
      "after",
      "\nExit codes, as kubectl diff: 0 no differences, 1 differences found, >1 an error (2 misuse,\n3 a cluster could not be compared, 5 the input has errors).",
    )
    .action(async (topology: string | undefined, raw: Raw) => {
      const { runDiff } = await import("./diff.js");
      done(await runDiff({ ...liveInput(topology, raw) }, io));
    });
}

function addApply(program: Command, io: Io, done: Done): void {
  liveOptions(inputOptions(program.command("apply")))
    .description("apply each cluster's generated objects to it with server-side apply")
    .option("--dry-run", "let the servers check everything, change nothing")
    .option("--prune", "delete this federation's objects that are no longer generated")
    .action(async (topology: string | undefined, raw: Raw) => {
      const { runApply } = await import("./apply.js");
      done(
        await runApply(
          { ...liveInput(topology, raw), dryRun: raw.dryRun === true, prune: raw.prune === true },
          io,
        ),
      );
    });
}

const liveInput = (topology: string | undefined, raw: Raw) => ({
  ...inputOf(topology, raw),
  ...liveOptionValues(raw),
  format: raw.format as Format,
  validate: raw.validate !== false,
  layout: (raw.layout as Layout | undefined) ?? DEFAULT_LAYOUT,
});

function addStatus(program: Command, io: Io, done: Done): void {
  liveOptions(inputOptions(program.command("status")))
    .description("show whether each cluster runs what cw generates for it (and what the GitOps engine says)")
    .addOption(
      new Option("--gitops <engine>", "also ask the GitOps engine that delivers the folders").choices([
        "argocd",
        "flux",
      ]),
    )
    .option(
      "--gitops-context <context>",
      "kubeconfig context where Argo CD (or Flux in kubeconfig mode) runs",
    )
    .option("--istio-namespace <namespace>", "namespace of istiod and the mesh config", "istio-system")
    .addHelpText("after", "\nExit codes: 0 every cluster in sync, 1 one is not or cannot be read, 2 misuse.")
    .action(async (topology: string | undefined, raw: Raw) => {
      const { runStatus } = await import("./status.js");
      done(
        await runStatus(
          {
            ...liveInput(topology, raw),
            ...(raw.gitops !== undefined && { gitops: raw.gitops as "argocd" | "flux" }),
            ...(raw.gitopsContext !== undefined && { gitopsContext: raw.gitopsContext as string }),
            istioNamespace: raw.istioNamespace as string,
          },
          io,
        ),
      );
    });
}

function addCompletion(program: Command, io: Io, done: Done): void {
  program
    .command("completion")
    .description("print a shell completion script; its first lines say where to put it")
    .addArgument(new Argument("<shell>", "bash, zsh or fish").choices(["bash", "zsh", "fish"]))
    .action(async (shell: "bash" | "zsh" | "fish") => {
      const { completionScript } = await import("./completion.js");
      io.out(completionScript(shell, program));
      done(0);
    });
}
