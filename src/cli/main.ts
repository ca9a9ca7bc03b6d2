// The cw command line. This is the only code that reads argv and sets the exit code (the codes are
// listed in program.ts and in `cw --help`). The commands are defined in program.ts; each loads the
// code it needs when it runs, so runAsync is asynchronous for every command. A bug in cw is reported
// by runAsync itself as CW9001 with exit code 70, never as a raw stack.

import { pathToFileURL } from "node:url";
import { CommanderError } from "commander";
import { internalError } from "./internal-error.js";
import { ExitCode, type Io, processIo } from "./io.js";
import { buildProgram } from "./program.js";
import { UsageError } from "./usage-error.js";

/** Runs any command: what `cw` does with these arguments, writing to `io`. */
export async function runAsync(argv: readonly string[], io: Io): Promise<ExitCode> {
  let code: ExitCode = ExitCode.ok;
  const program = buildProgram(io, (c) => {
    code = c;
  });
  // A long-running command (cw ui) can meet a bug outside the promise chain, in a timer or an event
  // handler: in the real process that is reported like any other internal error.
  const stray = (e: unknown) => {
    io.err(`${internalError(e, process.env.CW_DEBUG !== undefined)}\n`);
    process.exit(ExitCode.internal);
  };
  if (io === processIo) process.on("uncaughtException", stray);
  try {
    await program.parseAsync([...argv], { from: "user" });
    return code;
  } catch (e) {
    return failure(e, io);
  } finally {
    process.off("uncaughtException", stray);
  }
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

/** The process around runAsync: its exit code, and a crash (should runAsync itself fail) as one. */
export function main(argv: readonly string[]): void {
  runAsync(argv, processIo).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`${internalError(e, process.env.CW_DEBUG !== undefined)}\n`);
      process.exitCode = ExitCode.internal;
    },
  );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) main(process.argv.slice(2));
