// The cw command line. This is the only code that reads argv and sets the exit code (the codes are
// listed in program.ts and in `cw --help`). The commands are defined in program.ts; each loads the
// code it needs when it runs, so runAsync is asynchronous for every command.

import { pathToFileURL } from "node:url";
import { CommanderError } from "commander";
import { ExitCode, type Io, processIo } from "./io.js";
import { buildProgram } from "./program.js";
import { UsageError } from "./usage-error.js";

/** Runs any command: what `cw` does with these arguments, writing to `io`. */
export async function runAsync(argv: readonly string[], io: Io): Promise<ExitCode> {
  let code: ExitCode = ExitCode.ok;
  const program = buildProgram(io, (c) => {
    code = c;
  });
  try {
    await program.parseAsync([...argv], { from: "user" });
    return code;
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

/** The process around runAsync: its exit code, and a crash reported as one. */
export function main(argv: readonly string[]): void {
  runAsync(argv, processIo).then(
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

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) main(process.argv.slice(2));
