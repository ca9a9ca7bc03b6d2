// The lock file records each global service's VIP. It lives next to the topology and is committed with
// it, so a VIP handed to callers never moves, whatever services are added later.

import { basename, dirname, extname, join } from "node:path";
import { z } from "zod";
import { diag } from "../diagnostics/catalog.js";
import type { Diagnostic, Location } from "../diagnostics/diagnostic.js";
import { API_VERSION, IPV4 } from "../topology/schema.js";
import { type Origin, parseSource, valueAt } from "../topology/source.js";

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
  const unreadable = (kind: "syntax" | "not-a-lock", detail: string, location: Location) => ({
    lock: EMPTY_LOCK,
    diagnostics: [diag("CW2001", { kind, detail }, location)],
  });
  const syntax = parsed.diagnostics[0];
  if (syntax?.location) {
    return unreadable("syntax", syntax.message.replace(/;.*$/s, ""), syntax.location);
  }
  const result = LockSchema.safeParse(parsed.source.data);
  if (!result.success) {
    // Point at the first problem, as issues.ts does for topologies: the unknown key, or the bad value.
    const issue = result.error.issues[0];
    const path = (issue?.path ?? []).filter((s): s is string | number => typeof s !== "symbol");
    const key = issue?.code === "unrecognized_keys" ? issue.keys[0] : undefined;
    const location =
      key === undefined ? parsed.source.locate(path) : parsed.source.locate([...path, key], "key");
    const value = valueAt(parsed.source.data, path);
    const what =
      key !== undefined
        ? `unknown field "${key}"`
        : issue?.code === "invalid_value"
          ? `${path.join(".")} is ${JSON.stringify(value)}, not ${issue.values.map((v) => JSON.stringify(v)).join(" or ")}`
          : path.length === 0
            ? "it is empty or not a mapping"
            : (issue?.message ?? "bad shape");
    return unreadable("not-a-lock", what, location);
  }
  const diagnostics: Diagnostic[] = [];
  const vips = new Map<string, LockedVip>();
  for (const [name, address] of Object.entries(result.data.vips ?? {})) {
    const origin: Origin = { source: parsed.source, path: ["vips", name] };
    if (!IPV4.test(address) || address.split(".").some((o) => Number(o) > 255)) {
      diagnostics.push(
        diag("CW2002", { service: name, address, problem: "not-ipv4" }, parsed.source.locate(origin.path)),
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

/** Where a topology's lock file is unless given: federation.yaml -> federation.lock.yaml, beside it. */
export function defaultLockPath(topologyFile: string): string {
  return join(dirname(topologyFile), `${basename(topologyFile, extname(topologyFile))}.lock.yaml`);
}
