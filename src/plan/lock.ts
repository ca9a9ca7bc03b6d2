// The lock file records each global service's VIP. It lives next to the topology and is committed with
// it, so a VIP handed to callers never moves, whatever services are added later.

import { z } from "zod";
import { diag } from "../diagnostics/catalog.js";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { API_VERSION, IPV4 } from "../topology/schema.js";
import { type Origin, parseSource } from "../topology/source.js";

export interface LockedVip {
  readonly address: string;
  readonly origin: Origin;
}

export interface Lock {
  readonly vips: ReadonlyMap<string, LockedVip>;
}

export const EMPTY_LOCK: Lock = { vips: new Map() };

const LockSchema = z.strictObject({
  apiVersion: z.literal(API_VERSION),
  kind: z.literal("Lock"),
  vips: z.record(z.string(), z.string()).optional(),
});

export function readLock(file: string, text: string): { lock: Lock; diagnostics: Diagnostic[] } {
  const parsed = parseSource(file, text);
  const unreadable = (message: string, path: (string | number)[] = []) => ({
    lock: EMPTY_LOCK,
    diagnostics: [diag("CW2001", message, parsed.source.locate(path))],
  });
  if (parsed.diagnostics.length > 0) {
    return unreadable(
      "the lock file is not valid YAML; restore it from version control, or delete it to allocate VIPs afresh",
    );
  }
  const result = LockSchema.safeParse(parsed.source.data);
  if (!result.success) {
    const path = (result.error.issues[0]?.path ?? []).filter(
      (s): s is string | number => typeof s !== "symbol",
    );
    return unreadable(
      `the lock file is not a cw lock (${result.error.issues[0]?.message ?? "bad shape"}); restore it from version control, or delete it`,
      path,
    );
  }
  const diagnostics: Diagnostic[] = [];
  const vips = new Map<string, LockedVip>();
  for (const [name, address] of Object.entries(result.data.vips ?? {})) {
    const origin: Origin = { source: parsed.source, path: ["vips", name] };
    if (!IPV4.test(address) || address.split(".").some((o) => Number(o) > 255)) {
      diagnostics.push(
        diag(
          "CW2002",
          `the lock gives "${name}" the address "${address}", which is not an IPv4 address; cw allocates a new VIP`,
          parsed.source.locate(origin.path),
        ),
      );
      continue;
    }
    vips.set(name, { address, origin });
  }
  return { lock: { vips }, diagnostics };
}

/** The lock file's text: sorted by service name, so it diffs cleanly. */
export function renderLock(vips: ReadonlyMap<string, string>): string {
  const names = [...vips.keys()].sort();
  const lines = [
    "# Written by cw: the VIP of each global service, kept so that VIPs never move between runs.",
    "# Commit this file next to the topology. cw adds and removes entries itself.",
    `apiVersion: ${API_VERSION}`,
    "kind: Lock",
    names.length === 0 ? "vips: {}" : "vips:",
    ...names.map((n) => `  ${n}: ${vips.get(n)}`),
  ];
  return `${lines.join("\n")}\n`;
}
