// cw ui: a local web page over one topology file. The server reads the file (and its lock file),
// builds the view with the public API, and pushes a reload to open pages when either file changes.
//
// Rules, because a local server is still reachable by every page the browser opens:
//   - it binds to 127.0.0.1 unless told otherwise, and answers only requests whose Host header names
//     the address it is bound to (so a DNS name rebound to 127.0.0.1 gets nothing);
//   - it serves a fixed set of paths, its own assets read once at start: no path maps to a file;
//   - POST takes JSON only (a cross-site form cannot send it without CORS, which is never granted),
//     from no other origin, with a body of at most `bodyLimit` bytes;
//   - every response forbids framing, sniffing and any script but its own (Content-Security-Policy);
//     the page puts every value into the document as text, never as markup.

import { existsSync, type FSWatcher, readFileSync, watch } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { basename, dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { defaultLockPath, readInputFile } from "../index.js";
import {
  type Answer,
  callableAnswer,
  fileAnswer,
  filesAnswer,
  pictureAnswer,
  verifyCellAnswer,
  verifyPageAnswer,
  verifySummaryAnswer,
} from "./api.js";
import { bindAddress } from "./bind-address.js";
import { readBody } from "./request-body.js";
import { Session } from "./session.js";
import { checkTraceRequest, runTrace } from "./trace.js";
import { buildView } from "./view-model.js";

export interface UiOptions {
  readonly topology: string;
  /** Default: <topology>.lock.yaml beside it. */
  readonly lock?: string;
  /** Address to bind (default 127.0.0.1); never an unspecified one (bind-address.ts). */
  readonly host?: string;
  /** Allow a host that is not a loopback address (default false). */
  readonly allowRemote?: boolean;
  /** Port (default 7878; 0 picks a free one). */
  readonly port?: number;
  /** Largest request body accepted, in bytes (default 16 KiB). */
  readonly bodyLimit?: number;
  /** Reload when the files change (default true). */
  readonly watch?: boolean;
  /**
   * Reads the live clusters (preflight and status) for /api/live; absent, the page says live checks
   * are off. The CLI passes one (live.ts); src/ui never talks to a cluster itself.
   */
  readonly live?: () => Promise<unknown>;
}

export interface UiServer {
  readonly url: string;
  /** Read the files again now (the watcher does this by itself). */
  reload(): void;
  close(): Promise<void>;
}

const ASSETS: Readonly<Record<string, { file: string; type: string }>> = {
  "/": { file: "index.html", type: "text/html; charset=utf-8" },
  "/app.js": { file: "app.js", type: "text/javascript; charset=utf-8" },
  "/app.css": { file: "app.css", type: "text/css; charset=utf-8" },
  "/live.js": { file: "live.js", type: "text/javascript; charset=utf-8" },
  "/dom.js": { file: "dom.js", type: "text/javascript; charset=utf-8" },
  "/state.js": { file: "state.js", type: "text/javascript; charset=utf-8" },
  "/trace-view.js": { file: "trace-view.js", type: "text/javascript; charset=utf-8" },
  "/verify.js": { file: "verify.js", type: "text/javascript; charset=utf-8" },
  "/favicon.svg": { file: "favicon.svg", type: "image/svg+xml; charset=utf-8" },
  // Browsers ask for /favicon.ico on their own; the same picture answers.
  "/favicon.ico": { file: "favicon.svg", type: "image/svg+xml; charset=utf-8" },
};

/** GET endpoints answered from the current session (api.ts). */
const QUESTIONS: Readonly<Record<string, (s: Session, q: URLSearchParams) => Answer>> = {
  "/api/files": filesAnswer,
  "/api/file": fileAnswer,
  "/api/callable": callableAnswer,
  "/api/verify": verifyPageAnswer,
  "/api/verify/summary": verifySummaryAnswer,
  "/api/verify/cell": verifyCellAnswer,
  "/api/graph.svg": pictureAnswer,
};

const SECURITY_HEADERS = {
  "Content-Security-Policy":
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  "X-Content-Type-Options": "nosniff",
  "X-Frame-Options": "DENY",
  "Referrer-Policy": "no-referrer",
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Resource-Policy": "same-origin",
  "Cache-Control": "no-store",
} as const;

const MAX_EVENT_STREAMS = 32;

/** The page's own files, beside this module (src/ui/assets in a clone, dist/assets when built). */
function readAssets(): Map<string, { type: string; body: Buffer }> {
  return new Map(
    Object.entries(ASSETS).map(([path, a]) => {
      const url = new URL(`./assets/${a.file}`, import.meta.url);
      try {
        return [path, { type: a.type, body: readFileSync(url) }];
      } catch (e) {
        throw new Error(
          `the web page's file ${fileURLToPath(url)} is missing from this installation of cw (${(e as NodeJS.ErrnoException).code}); reinstall cw, or in a clone run npm run build`,
        );
      }
    }),
  );
}

export async function startUi(options: UiOptions): Promise<UiServer> {
  const topology = options.topology;
  const lockPath = options.lock ?? defaultLockPath(topology);
  const bind = bindAddress(options.host ?? "127.0.0.1", options.allowRemote === true);
  if (!bind.ok) throw new Error(`cw ui cannot listen there: ${bind.problem}`);
  const host = bind.host;
  const bodyLimit = options.bodyLimit ?? 16 * 1024;
  const assets = readAssets();

  let generation = 0;
  let session = new Session(load());
  const streams = new Set<ServerResponse>();

  // Never throws and never blocks: a topology or lock file that turns into a folder or a FIFO while the
  // server runs is a problem shown on the page (input-file.ts), not a crash or a hung server.
  function load() {
    const input = readInputFile(topology);
    const lock = existsSync(lockPath) ? readInputFile(lockPath) : undefined;
    const advice = "; give the path of the file itself";
    return buildView({
      file: topology,
      ...(input.ok ? { text: input.text } : { problem: `${input.problem}${advice}` }),
      ...(lock?.ok && { lock: { file: lockPath, text: lock.text } }),
      ...(lock && !lock.ok && { lockProblem: `${lock.problem}${advice}` }),
      generation,
    });
  }

  function reload(): void {
    generation++;
    session.close();
    session = new Session(load());
    for (const s of streams) s.write(`event: change\ndata: ${generation}\n\n`);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent)
        send(
          res,
          500,
          "text/plain; charset=utf-8",
          `error CW9001: internal error: ${(e as Error).message}\n`,
        );
      else res.destroy();
    });
  });
  await new Promise<void>((done, fail) => {
    server.once("error", fail);
    server.listen(options.port ?? 7878, host, () => done());
  });
  const port = (server.address() as AddressInfo).port;
  const hostPart = host.includes(":") ? `[${host}]` : host;
  const allowedHosts = new Set([`${hostPart}:${port}`]);
  if (bind.loopback) allowedHosts.add(`localhost:${port}`);
  const origins = new Set([...allowedHosts].map((h) => `http://${h}`));

  let watcher: FSWatcher | undefined;
  let timer: NodeJS.Timeout | undefined;
  if (options.watch !== false) {
    const names = new Set([basename(topology), basename(lockPath)]);
    watcher = watch(resolve(dirname(topology)), { persistent: false }, (_event, name) => {
      if (name !== null && !names.has(name.toString())) return;
      clearTimeout(timer);
      timer = setTimeout(reload, 100);
    });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!allowedHosts.has(req.headers.host ?? "")) {
      return send(res, 421, "text/plain; charset=utf-8", "this server answers only to its own address\n");
    }
    const url = new URL(req.url ?? "/", "http://cw-ui.invalid");
    const method = req.method ?? "GET";
    const asset = assets.get(url.pathname);
    if (asset) {
      if (method !== "GET" && method !== "HEAD") return notAllowed(res, "GET, HEAD");
      return send(res, 200, asset.type, asset.body, method === "HEAD");
    }
    switch (url.pathname) {
      case "/api/state":
        if (method !== "GET") return notAllowed(res, "GET");
        return json(res, 200, session.loaded.view);
      case "/api/download": {
        if (method !== "GET") return notAllowed(res, "GET");
        const cluster = url.searchParams.get("cluster") ?? "";
        const files = session.files(cluster);
        if (!files) return send(res, 404, "text/plain; charset=utf-8", "no such cluster\n");
        const stream = files
          .filter((f) => f.path.endsWith(".yaml") && f.path !== "kustomization.yaml" && !f.path.includes("/"))
          .map((f) => f.content)
          .join("---\n");
        const name = `${session.loaded.view.name}-${cluster}.yaml`.replace(/[^A-Za-z0-9._-]/g, "_");
        res.setHeader("Content-Disposition", `attachment; filename="${name}"`);
        return send(res, 200, "application/yaml; charset=utf-8", stream);
      }
      case "/api/events":
        if (method !== "GET") return notAllowed(res, "GET");
        if (streams.size >= MAX_EVENT_STREAMS)
          return send(res, 503, "text/plain; charset=utf-8", "too many pages open\n");
        res.writeHead(200, { ...SECURITY_HEADERS, "Content-Type": "text/event-stream; charset=utf-8" });
        res.write(`retry: 1000\nevent: hello\ndata: ${generation}\n\n`);
        streams.add(res);
        req.on("close", () => streams.delete(res));
        return;
      case "/api/trace":
        return trace(req, res, method);
      case "/api/live":
        if (method !== "GET") return notAllowed(res, "GET");
        if (!options.live)
          return json(res, 200, { off: "this server was started without access to clusters" });
        return json(res, 200, await options.live());
      default: {
        const question = QUESTIONS[url.pathname];
        if (!question) return send(res, 404, "text/plain; charset=utf-8", "not found\n");
        if (method !== "GET") return notAllowed(res, "GET");
        const answer = question(session, url.searchParams);
        if ("json" in answer) return json(res, answer.status, answer.json);
        return send(res, answer.status, "image/svg+xml; charset=utf-8", await answer.svg);
      }
    }
  }

  async function trace(req: IncomingMessage, res: ServerResponse, method: string): Promise<void> {
    if (method !== "POST") return notAllowed(res, "POST");
    const origin = req.headers.origin;
    if (origin !== undefined && !origins.has(origin)) {
      return json(res, 403, { error: "requests from other pages are refused" });
    }
    if ((req.headers["content-type"] ?? "").split(";")[0]?.trim() !== "application/json") {
      return json(res, 415, { error: "send JSON (Content-Type: application/json)" });
    }
    const body = await readBody(req, bodyLimit);
    if (!body.ok) {
      res.setHeader("Connection", "close");
      return json(res, 413, { error: `the request is larger than ${bodyLimit} bytes` });
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.text);
    } catch {
      return json(res, 400, { error: "the request is not JSON" });
    }
    const current = session;
    if (!current.ready) {
      return json(res, 409, {
        error: "the topology has errors, so there is no configuration to trace; see Diagnostics",
      });
    }
    const request = checkTraceRequest(
      parsed,
      current.loaded.view.clusters.map((c) => c.name),
    );
    if (!request.ok) return json(res, 400, { error: request.error });
    return json(res, 200, runTrace(request.value, current.tracer, current.fileOf));
  }

  return {
    url: `http://${hostPart}:${port}/`,
    reload,
    close: async () => {
      session.close();
      watcher?.close();
      clearTimeout(timer);
      for (const s of streams) s.end();
      streams.clear();
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}

function send(res: ServerResponse, status: number, type: string, body: string | Buffer, head = false): void {
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    "Content-Type": type,
    "Content-Length": Buffer.byteLength(body),
  });
  res.end(head ? undefined : body);
}

const json = (res: ServerResponse, status: number, value: unknown): void =>
  send(res, status, "application/json; charset=utf-8", JSON.stringify(value));

function notAllowed(res: ServerResponse, allow: string): void {
  res.setHeader("Allow", allow);
  send(res, 405, "text/plain; charset=utf-8", "method not allowed\n");
}
