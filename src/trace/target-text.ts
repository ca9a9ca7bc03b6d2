// What a call is written as, on the command line (cw trace --to, --port) and in cw ui's trace form:
// host:port (reviews.global:9080), [v6]:port, a URL (http://reviews.global:9080/path, with the
// scheme's port when it names none), or a host alone with the port given apart. One parser for both,
// so the page accepts exactly what the CLI does.

import type { Target } from "./types.js";

export type TargetText =
  | { readonly ok: true; readonly target: Target }
  | { readonly ok: false; readonly problem: string };

const DEFAULT_PORTS: Readonly<Record<string, number>> = { "http:": 80, "https:": 443, "grpc:": 80 };

/** What the two inputs are called where they were typed, for the problems. */
export interface TargetFields {
  readonly to: string;
  readonly port: string;
  /** How to give a host and its port apart. */
  readonly apart: string;
}

const FLAGS: TargetFields = { to: "--to", port: "--port", apart: "--to host --port N" };

/** `port` is the separate port (--port); it wins over one in `to`. Problems name the input. */
export function parseTargetText(to: string, port?: string, fields: TargetFields = FLAGS): TargetText {
  const { to: toName, port: portName } = fields;
  const explicit = port !== undefined ? Number(port) : undefined;
  if (explicit !== undefined && !(Number.isInteger(explicit) && explicit > 0 && explicit < 65536)) {
    return { ok: false, problem: `${portName} ${port} is not a port number` };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(to)) {
    let url: URL;
    try {
      url = new URL(to);
    } catch {
      return { ok: false, problem: `${toName} ${to} is not a URL` };
    }
    const p = explicit ?? (url.port ? Number(url.port) : DEFAULT_PORTS[url.protocol]);
    if (p === undefined)
      return { ok: false, problem: `${toName} ${to}: give the port in the URL or with ${portName}` };
    return {
      ok: true,
      target: { host: url.hostname.replace(/^\[|\]$/g, ""), port: p, path: url.pathname || "/" },
    };
  }
  const m = /^(.*?)(?::(\d+))?$/.exec(to);
  const host = m?.[1] ?? "";
  const p = explicit ?? (m?.[2] !== undefined ? Number(m[2]) : undefined);
  if (!host || p === undefined) {
    return {
      ok: false,
      problem: `${toName} ${to}: write host:port (e.g. reviews.global:9080), a URL, or ${fields.apart}`,
    };
  }
  // [2001:db8::1]:80, as in a URL.
  return { ok: true, target: { host: host.replace(/^\[(.*)\]$/, "$1"), port: p } };
}
