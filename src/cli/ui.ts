// `cw ui <topology>`: serves the web UI (src/ui/) on 127.0.0.1 until interrupted; another address only
// with --allow-remote, and never every interface (src/ui/bind-address.ts).

import { existsSync } from "node:fs";
import type { Command } from "commander";
import { bindAddress } from "../ui/bind-address.js";
import { startUi } from "../ui/server.js";
import { ExitCode, type Io } from "./io.js";
import { UsageError } from "./load.js";

export interface UiCliOptions {
  readonly topology: string;
  readonly lock?: string;
  readonly host: string;
  readonly port: number;
  /** --allow-remote: listen on an address other machines can reach (bind-address.ts). */
  readonly allowRemote?: boolean;
}

export function addUiCommand(program: Command, io: Io, later: (run: Promise<ExitCode>) => void): void {
  program
    .command("ui")
    .description(
      "a local web page over a topology: matrix, picture, YAML, diagnostics, trace; reloads on change",
    )
    .argument("<topology>", "Federation file")
    .option("--port <port>", "port to listen on", "7878")
    .option("--host <address>", "address to bind (an IP address; default loopback only)", "127.0.0.1")
    .option("--allow-remote", "allow a --host other machines can reach (the page has no login)")
    .option("--lock <file>", "lock file of VIPs (default: <topology>.lock.yaml beside the topology)")
    .action((topology: string, raw: { port: string; host: string; lock?: string; allowRemote?: boolean }) => {
      const port = Number(raw.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535)
        throw new UsageError(`--port ${raw.port} is not a port`);
      later(
        runUi(
          {
            topology,
            port,
            host: raw.host,
            allowRemote: raw.allowRemote === true,
            ...(raw.lock !== undefined && { lock: raw.lock }),
          },
          io,
        ),
      );
    });
}

export async function runUi(options: UiCliOptions, io: Io, stop?: Promise<unknown>): Promise<ExitCode> {
  if (!existsSync(options.topology)) throw new UsageError(`no such file: ${options.topology}`);
  const bind = bindAddress(options.host, options.allowRemote === true);
  if (!bind.ok) throw new UsageError(`--host ${bind.problem}`);
  let server: Awaited<ReturnType<typeof startUi>>;
  try {
    server = await startUi({
      topology: options.topology,
      host: bind.host,
      allowRemote: !bind.loopback,
      port: options.port,
      ...(options.lock !== undefined && { lock: options.lock }),
    });
  } catch (e) {
    // Only the socket's own failures are about the address; anything else is not "cannot listen".
    const code = (e as NodeJS.ErrnoException).code;
    if (code === undefined || !/^E(ADDRINUSE|ADDRNOTAVAIL|ACCES|PERM|INVAL)$/.test(code)) throw e;
    throw new UsageError(`cannot listen on ${options.host}:${options.port}: ${(e as Error).message}`);
  }
  if (!bind.loopback) {
    io.err(
      `cw ui: warning: the page has no login; anyone who reaches ${options.host} can read the topology\n`,
    );
  }
  io.out(`cw ui: ${options.topology} at ${server.url} (reloads when the file changes; Ctrl-C stops)\n`);
  await (stop ??
    new Promise((resolve) => {
      process.once("SIGINT", resolve);
      process.once("SIGTERM", resolve);
    }));
  await server.close();
  return ExitCode.ok;
}
