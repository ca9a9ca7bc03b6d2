// `cw ui [topology]`: serves the web UI (src/ui/) on 127.0.0.1 until interrupted; another address only
// with --allow-remote, and never every interface (src/ui/bind-address.ts).

import { existsSync } from "node:fs";
import { bindAddress } from "../ui/bind-address.js";
import { startUi } from "../ui/server.js";
import { ExitCode, type Io } from "./io.js";
import { parseTimeout } from "./options.js";
import { uiLive } from "./ui-live.js";
import { UsageError } from "./usage-error.js";

export interface UiCliOptions {
  readonly topology: string;
  readonly lock?: string;
  readonly host: string;
  readonly port: number;
  /** For the live checks the page can ask for. */
  readonly kubeconfig?: string;
  readonly timeout?: number;
  /** --allow-remote: listen on an address other machines can reach (bind-address.ts). */
  readonly allowRemote?: boolean;
}

/** The command's flags as commander hands them over, checked. */
export function runUiCommand(topology: string, raw: Record<string, unknown>, io: Io): Promise<ExitCode> {
  const port = Number(raw.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`--port ${raw.port} is not a port`);
  }
  const lock = raw.lock !== undefined ? { lock: raw.lock as string } : {};
  const kubeconfig = raw.kubeconfig !== undefined ? { kubeconfig: raw.kubeconfig as string } : {};
  const timeout = parseTimeout((raw.timeout as string | undefined) ?? "5");
  return runUi(
    {
      topology,
      port,
      host: raw.host as string,
      allowRemote: raw.allowRemote === true,
      ...lock,
      ...kubeconfig,
      timeout,
    },
    io,
  );
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
      live: uiLive({
        topology: options.topology,
        ...(options.lock !== undefined && { lock: options.lock }),
        ...(options.kubeconfig !== undefined && { kubeconfig: options.kubeconfig }),
        timeout: options.timeout ?? 5,
      }),
    });
  } catch (e) {
    // Only the socket's refusal is the user's to fix (a port in use, an address not here); anything
    // else, such as the page's files missing from the installation, is reported as it is.
    if ((e as NodeJS.ErrnoException).syscall !== "listen") throw e;
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
