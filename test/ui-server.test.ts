// The cw ui server without a browser: what it serves and what it refuses. It binds to 127.0.0.1,
// answers only to its own Host, serves its fixed paths and nothing else (no path reaches the disk),
// bounds request bodies, takes JSON only from its own page, sends its security headers everywhere,
// escapes names in the federation picture, and tells open pages when the topology changes.

import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAsync } from "../src/cli/main.js";
import { runUi } from "../src/cli/ui.js";
import { bindAddress } from "../src/ui/bind-address.js";
import { startUi, type UiServer } from "../src/ui/server.js";
import type { FederationView } from "../src/ui/view-model.js";

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/** A raw HTTP request: the path goes out exactly as written (fetch would normalize it). */
function raw(
  base: string,
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<Answer> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, path, method: options.method ?? "GET", headers: options.headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString("utf8"),
          }),
        );
      },
    );
    req.on("error", reject);
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}

let dir: string;
let topology: string;
let ui: UiServer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "cw-ui-"));
  topology = join(dir, "federation.yaml");
  copyFileSync("examples/split-bookinfo/federation.yaml", topology);
  copyFileSync("examples/split-bookinfo/federation.lock.yaml", join(dir, "federation.lock.yaml"));
  ui = await startUi({ topology, port: 0 });
});

afterAll(async () => {
  await ui.close();
  rmSync(dir, { recursive: true, force: true });
});

const traceBody = (body: unknown) => ({
  method: "POST",
  headers: { "Content-Type": "application/json" },
  body: JSON.stringify(body),
});

describe("cw ui server", () => {
  it("binds to 127.0.0.1 and serves the view of the topology", async () => {
    expect(ui.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const state = await raw(ui.url, "/api/state");
    expect(state.status).toBe(200);
    const view = JSON.parse(state.body) as FederationView;
    expect(view.name).toBe("bookinfo");
    expect(view.clusters.map((c) => c.name)).toEqual(["a", "b"]);
    expect(view.calls).toEqual([
      { service: "ratings", from: "b", to: "a", mode: "gateway", share: "" },
      { service: "reviews", from: "a", to: "b", mode: "gateway", share: "" },
    ]);
    // Files are counted here, listed and read when the page shows them (/api/files, /api/file).
    expect(view.files).toEqual([
      { cluster: "a", count: expect.any(Number) },
      { cluster: "b", count: expect.any(Number) },
    ]);
    const files = JSON.parse((await raw(ui.url, "/api/files?cluster=b")).body);
    expect(files.files).toContain("gateway-reviews-global.yaml");
    expect(files.files).toHaveLength(view.files[1]?.count ?? 0);
    const file = JSON.parse((await raw(ui.url, "/api/file?cluster=b&path=gateway-reviews-global.yaml")).body);
    expect(file.content).toContain("kind: Gateway");
    expect((await raw(ui.url, "/api/file?cluster=b&path=../../package.json")).status).toBe(404);
    expect((await raw(ui.url, "/api/files?cluster=nowhere")).status).toBe(404);
    expect(view.diagnostics).toEqual([]);
    const page = await raw(ui.url, "/");
    expect(page.status).toBe(200);
    expect(page.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(page.body).toContain('<script type="module" src="/app.js"></script>');
  });

  it.each([
    "/../package.json",
    "/%2e%2e/package.json",
    "/..%2fpackage.json",
    "/src/ui/server.ts",
    "/assets/app.js",
    "/index.html",
    "/app.js/",
    "/api/state/../../package.json",
    "/etc/passwd",
    "//etc/passwd",
    "/node_modules/@viz-js/viz/package.json",
  ])("serves nothing at %s", async (path) => {
    const answer = await raw(ui.url, path);
    expect(answer.status).toBe(404);
    expect(answer.body).toBe("not found\n");
  });

  it("answers only requests addressed to itself (no DNS rebinding)", async () => {
    const port = new URL(ui.url).port;
    expect((await raw(ui.url, "/api/state", { headers: { Host: `evil.example:${port}` } })).status).toBe(421);
    expect((await raw(ui.url, "/api/state", { headers: { Host: "127.0.0.1" } })).status).toBe(421);
    expect((await raw(ui.url, "/api/state", { headers: { Host: `localhost:${port}` } })).status).toBe(200);
  });

  it("sends its security headers on every answer", async () => {
    for (const path of ["/", "/app.js", "/api/state", "/api/graph.svg", "/nothing-here"]) {
      const answer = await raw(ui.url, path);
      expect(answer.headers["content-security-policy"]).toContain("default-src 'none'; script-src 'self'");
      expect(answer.headers["content-security-policy"]).toContain("frame-ancestors 'none'");
      expect(answer.headers["x-content-type-options"]).toBe("nosniff");
      expect(answer.headers["x-frame-options"]).toBe("DENY");
      expect(answer.headers["access-control-allow-origin"]).toBeUndefined();
    }
  });

  it("refuses request bodies over the limit", async () => {
    const big = JSON.stringify({ cluster: "a", host: "x".repeat(20_000), port: 1 });
    const declared = await raw(ui.url, "/api/trace", traceBody(JSON.parse(big)));
    expect(declared.status).toBe(413);
    // A body sent in chunks, without a declared length, is cut off as well.
    const chunked = await raw(ui.url, "/api/trace", {
      method: "POST",
      headers: { "Content-Type": "application/json", "Transfer-Encoding": "chunked" },
      body: big,
    });
    expect(chunked.status).toBe(413);
  });

  it("takes JSON only, from its own page only, by POST only", async () => {
    const form = await raw(ui.url, "/api/trace", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: "cluster=a",
    });
    expect(form.status).toBe(415);
    const foreign = await raw(ui.url, "/api/trace", {
      ...traceBody({ cluster: "a", host: "reviews.global", port: 9080 }),
      headers: { "Content-Type": "application/json", Origin: "http://evil.example" },
    });
    expect(foreign.status).toBe(403);
    expect((await raw(ui.url, "/api/trace")).status).toBe(405);
    expect((await raw(ui.url, "/", { method: "POST" })).status).toBe(405);
    expect((await raw(ui.url, "/api/trace", { ...traceBody({}), body: "{not json" })).status).toBe(400);
  });

  it("traces a call through the generated configuration", async () => {
    const answer = await raw(
      ui.url,
      "/api/trace",
      traceBody({ cluster: "a", host: "reviews.global", port: 9080 }),
    );
    expect(answer.status).toBe(200);
    const trace = JSON.parse(answer.body);
    expect(trace.outcome).toBe("ok: reached reviews.default.svc.cluster.local:9080 in cluster b (100%)");
    expect(trace.paths[0].hops[0]).toEqual({
      kind: "dns",
      label: "dns",
      text: expect.stringMatching(/^a: reviews\.global -> 240\.\d+\.\d+\.\d+ /),
      // Each object a hop names links to its generated file.
      links: [
        {
          cluster: "a",
          path: "serviceentry-reviews-global.yaml",
          text: "ServiceEntry istio-system/reviews-global",
        },
      ],
    });
    const gateway = trace.paths[0].hops.find((h: { kind: string }) => h.kind === "gateway");
    expect(gateway.links).toEqual([
      { cluster: "b", path: "gateway-reviews-global.yaml", text: "Gateway istio-system/reviews-global" },
    ]);
    expect(trace.paths[0].end).toEqual({
      kind: "arrived",
      text: "arrived at reviews.default.svc.cluster.local:9080 in cluster b",
    });
    // productpage is not exported: b's callers cannot reach it.
    const refused = JSON.parse(
      (await raw(ui.url, "/api/trace", traceBody({ cluster: "b", host: "productpage.global", port: 9080 })))
        .body,
    );
    expect(refused.paths.every((p: { end: { kind: string } }) => p.end.kind === "failed")).toBe(true);
  });

  it.each([
    ["reviews.global:9080", undefined, "reviews.global:9080"],
    ["http://reviews.global:9080/reviews/1", undefined, "reviews.global:9080/reviews/1"],
    ["reviews.global", "9080", "reviews.global:9080"],
    // The separate port wins, as --port does in the CLI.
    ["reviews.global:80", "9080", "reviews.global:9080"],
  ])("takes the target as cw trace --to does: %s (port %s)", async (to, port, called) => {
    const answer = await raw(ui.url, "/api/trace", traceBody({ cluster: "a", to, port }));
    expect(answer.status).toBe(200);
    const trace = JSON.parse(answer.body);
    expect(trace.title).toBe(`a/default/default -> ${called}`);
    expect(trace.outcome).toMatch(/^ok: reached reviews\.default\.svc\.cluster\.local:9080 in cluster b/);
  });

  it("traces with clusters taken down, as cw trace --down", async () => {
    const trace = JSON.parse(
      (await raw(ui.url, "/api/trace", traceBody({ cluster: "a", to: "reviews.global:9080", down: ["b"] })))
        .body,
    );
    expect(trace.title).toBe("a/default/default -> reviews.global:9080, with b down");
    expect(trace.outcome).toBe("refused: cluster-down in cluster a (100%)");
  });

  it.each([
    [{ cluster: "z", host: "reviews.global", port: 9080 }, "choose a calling cluster (a, b)"],
    [
      { cluster: "a", host: "<script>", port: 9080 },
      "the host <script> is not a host name or an IP address (e.g. reviews.global)",
    ],
    [{ cluster: "a", host: "reviews.global", port: 70000 }, "port 70000 is not a port number"],
    [
      { cluster: "a", to: "ftp://reviews.global/" },
      "to ftp://reviews.global/: give the port in the URL or with port",
    ],
    [
      { cluster: "a", to: "reviews.global" },
      "to reviews.global: write host:port (e.g. reviews.global:9080), a URL, or the host in to and its port in port",
    ],
    [
      { cluster: "a", to: "reviews.global:9080", down: ["nowhere"] },
      "the clusters to take down are names of clusters (a, b)",
    ],
    [
      { cluster: "a", namespace: "Bad NS", host: "reviews.global", port: 80 },
      "the namespace is not a Kubernetes name",
    ],
  ])("refuses the trace request %o", async (body, error) => {
    const answer = await raw(ui.url, "/api/trace", traceBody(body));
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toEqual({ error });
  });

  it("downloads a cluster's objects as one YAML stream", async () => {
    const answer = await raw(ui.url, "/api/download?cluster=b");
    expect(answer.status).toBe(200);
    expect(answer.headers["content-disposition"]).toBe('attachment; filename="bookinfo-b.yaml"');
    expect(answer.body).toContain("kind: Gateway");
    expect(answer.body).not.toContain("kind: Kustomization");
    expect((await raw(ui.url, "/api/download?cluster=../../etc")).status).toBe(404);
  });

  it("draws the federation as SVG", async () => {
    const answer = await raw(ui.url, "/api/graph.svg");
    expect(answer.status).toBe(200);
    expect(answer.headers["content-type"]).toBe("image/svg+xml; charset=utf-8");
    expect(answer.body).toContain("<svg");
    expect(answer.body).toContain("eastwest.b.bookinfo.example:15443");
    expect(answer.body).toContain("from a");
    expect(answer.body).toContain("reviews.global");
  });

  it("answers the verify matrix a page at a time, filtered, and each cell's checks with traces", async () => {
    const page = JSON.parse((await raw(ui.url, "/api/verify?rowLimit=2&colLimit=3&colOffset=1")).body);
    expect(page.rows).toMatchObject({ total: 5, offset: 0 });
    expect(page.rows.items.map((r: { key: string }) => r.key)).toEqual([
      "a/default/default",
      "b/default/default",
    ]);
    expect(page.columns).toMatchObject({ total: 4, offset: 1 });
    expect(page.columns.items.map((c: { host: string }) => c.host)).toEqual([
      "productpage.global",
      "ratings.global",
      "reviews.global",
    ]);
    expect(page.cells["b/default/default"].productpage).toEqual({
      status: "refused",
      checks: 1,
      mismatches: 0,
      unenforced: 0,
    });
    const filtered = JSON.parse((await raw(ui.url, "/api/verify?caller=outsider&name=review")).body);
    expect(filtered.rows.items.map((r: { label: string }) => r.label)).toEqual([
      "straight to a gateway, as an outsider",
    ]);
    expect(filtered.columns.items.map((c: { service: string }) => c.service)).toEqual(["reviews"]);
    // An offset past the end shows the last page.
    expect(JSON.parse((await raw(ui.url, "/api/verify?rowOffset=99&rowLimit=2")).body).rows.offset).toBe(3);

    const cell = JSON.parse(
      (await raw(ui.url, "/api/verify/cell?row=a%2Fdefault%2Fdefault&service=reviews")).body,
    );
    expect(cell.checks.map((c: { call: string; status: string }) => `${c.call} ${c.status}`)).toEqual([
      "a/default/default -> reviews.global:9080 ok",
      "a/default/default -> reviews.default.global:9080 ok",
    ]);
    expect(cell.checks[0]).toMatchObject({ from: "a/default/default", to: "reviews.global:9080" });
    expect(cell.checks[0].trace.outcome).toBe(
      "ok: reached reviews.default.svc.cluster.local:9080 in cluster b (100%)",
    );
    expect((await raw(ui.url, "/api/verify/cell?row=nobody&service=reviews")).status).toBe(400);
    expect((await raw(ui.url, "/api/verify?down=nowhere")).status).toBe(400);
  });

  it("answers verify's summary once every service is judged", async () => {
    let summary = JSON.parse((await raw(ui.url, "/api/verify/summary")).body);
    for (let i = 0; i < 50 && !summary.done; i++) {
      await new Promise((r) => setTimeout(r, 50));
      summary = JSON.parse((await raw(ui.url, "/api/verify/summary")).body);
    }
    expect(summary).toMatchObject({
      done: true,
      judged: 4,
      of: 4,
      mismatchTotal: 0,
      verdict: "verified: 63 checks hold",
    });
    expect(summary.assumptions[0]).toContain("root of trust");
  });

  it("with clusters down, answers where each caller's calls go", async () => {
    const page = JSON.parse((await raw(ui.url, "/api/verify?down=b")).body);
    expect(page.down).toEqual(["b"]);
    expect(page.cells["a/default/default"]).toMatchObject({
      reviews: { status: "fails", text: "fails 100%" },
      ratings: { status: "arrives", text: "a 100%" },
    });
    expect(page.cells["b/default/default"].reviews).toEqual({ status: "down", text: "its cluster is down" });
    const cell = JSON.parse(
      (await raw(ui.url, "/api/verify/cell?row=a%2Fdefault%2Fdefault&service=reviews&down=b")).body,
    );
    expect(cell.checks[0]).toMatchObject({ status: "fails", problem: "fails 100%" });
    expect(cell.checks[0].trace.title).toBe("a/default/default -> reviews.global:9080, with b down");
  });

  it("lists the hosts a caller may call and those it may not", async () => {
    const answer = JSON.parse((await raw(ui.url, "/api/callable?cluster=b")).body);
    expect(answer.refused.map((h: { host: string }) => h.host)).toEqual(["productpage.global"]);
    expect(answer.allowed).toHaveLength(6);
    expect((await raw(ui.url, "/api/callable?cluster=nowhere")).status).toBe(400);
  });

  it("draws the services asked for, with clusters down and a trace on it, and refuses what it cannot draw", async () => {
    const svg = (
      await raw(
        ui.url,
        "/api/graph.svg?focus=reviews&down=b&from=a%2Fdefault%2Fdefault&to=reviews.global%3A9080",
      )
    ).body;
    expect(svg).toContain("cluster b · DOWN");
    expect(svg).toContain("calls fail here");
    expect(svg).toContain("trace: hops 1–4");
    expect(svg).not.toContain("ratings");
    expect(JSON.parse((await raw(ui.url, "/api/graph.svg?focus=nothing")).body)).toEqual({
      error: "focus names services of the topology, separated by commas",
    });
    expect((await raw(ui.url, "/api/graph.svg?from=a&to=reviews.global")).status).toBe(400);
  });

  it("serves its favicon", async () => {
    for (const path of ["/favicon.svg", "/favicon.ico"]) {
      const icon = await raw(ui.url, path);
      expect(icon.status).toBe(200);
      expect(icon.headers["content-type"]).toBe("image/svg+xml; charset=utf-8");
      expect(icon.body).toContain("<svg");
    }
  });

  it("sorts the diagnostics as the CLI does, by file, line and column", async () => {
    const local = mkdtempSync(join(tmpdir(), "cw-ui-sorted-"));
    try {
      const topo = join(local, "federation.yaml");
      // A service on line 40 names an unknown cluster (found by compiling); one on line 55 has a
      // port of the wrong type (found by reading, which comes first).
      const text = readFileSync("examples/split-bookinfo/federation.yaml", "utf8")
        .replace(
          "      backends:\n        - cluster: a\n      # No consumers",
          "      backends:\n        - cluster: zz\n      # No consumers",
        )
        .replace(
          "    - name: ratings\n      namespace: default\n      aliases: [ratings.default]\n      ports:\n        - { name: http, protocol: HTTP, port: 9080 }",
          "    - name: ratings\n      namespace: default\n      aliases: [ratings.default]\n      ports:\n        - { name: http, protocol: HTTP, port: many }",
        );
      writeFileSync(topo, text);
      const server = await startUi({ topology: topo, port: 0, watch: false });
      try {
        const view = JSON.parse((await raw(server.url, "/api/state")).body) as FederationView;
        const lines = view.diagnostics.map((d) => d.line ?? 0);
        expect(view.diagnostics.length).toBeGreaterThan(1);
        expect(lines).toEqual([...lines].sort((a, b) => a - b));
        expect((await raw(server.url, "/api/verify")).status).toBe(409);
        expect((await raw(server.url, "/api/verify/summary")).status).toBe(409);
      } finally {
        await server.close();
      }
    } finally {
      rmSync(local, { recursive: true, force: true });
    }
  });

  it("tells open pages when the topology changes, and escapes names that look like markup", async () => {
    const events = await new Promise<{ next: () => Promise<string>; close: () => void }>(
      (resolve, reject) => {
        const url = new URL(ui.url);
        const req = request({ host: url.hostname, port: url.port, path: "/api/events" }, (res) => {
          let buffer = "";
          const waiting: ((event: string) => void)[] = [];
          res.on("data", (c: Buffer) => {
            buffer += c.toString("utf8");
            let end = buffer.indexOf("\n\n");
            while (end >= 0) {
              const event = buffer.slice(0, end);
              buffer = buffer.slice(end + 2);
              waiting.shift()?.(event);
              end = buffer.indexOf("\n\n");
            }
          });
          resolve({ next: () => new Promise((r) => waiting.push(r)), close: () => req.destroy() });
        });
        req.on("error", reject);
        req.end();
      },
    );
    const changed = events.next();
    const text = readFileSync(topology, "utf8")
      .replace(
        "  services:\n",
        '  services:\n    - name: "<script>alert(1)</script>"\n      ports: [{ name: http, protocol: HTTP, port: 80 }]\n      backends: [{ cluster: a }]\n',
      )
      .replace("addresses: [203.0.113.10]", 'addresses: ["<script>alert(2)</script>"]');
    writeFileSync(topology, text);
    expect(await changed).toMatch(/^event: change\ndata: \d+$/);
    events.close();
    const view = JSON.parse((await raw(ui.url, "/api/state")).body) as FederationView;
    expect(view.diagnostics.map((d) => d.code)).toContain("CW1005");
    expect(view.diagnostics.find((d) => d.code === "CW1005")?.source).toBe(
      '    - name: "<script>alert(1)</script>"',
    );
    const svg = (await raw(ui.url, "/api/graph.svg")).body;
    expect(svg).not.toContain("<script");
    // Markup is no gateway address: refused (CW1014) rather than drawn, escaped, as it was once.
    expect(view.diagnostics.map((d) => d.code)).toContain("CW1014");
    const trace = await raw(
      ui.url,
      "/api/trace",
      traceBody({ cluster: "a", host: "reviews.global", port: 9080 }),
    );
    expect(trace.status).toBe(409);
  });
});

describe("where cw ui may listen (bind-address.ts)", () => {
  const table: [host: string, allowRemote: boolean, expected: string][] = [
    ["127.0.0.1", false, "loopback 127.0.0.1"],
    ["127.0.0.2", false, "loopback 127.0.0.2"],
    ["::1", false, "loopback ::1"],
    ["0:0:0:0:0:0:0:1", false, "loopback ::1"],
    ["::ffff:127.0.0.1", false, "loopback 127.0.0.1"],
    ["192.0.2.1", false, "refused"],
    ["192.0.2.1", true, "remote 192.0.2.1"],
    ["2001:db8::1", true, "remote 2001:db8::1"],
    ["0.0.0.0", true, "refused"],
    ["::0", true, "refused"],
    ["::ffff:0.0.0.0", true, "refused"],
    ["255.255.255.255", true, "refused"],
    ["224.0.0.1", true, "refused"],
    ["localhost", false, "refused"],
  ];
  it.each(table)("%s (allowRemote %s): %s", (host, allowRemote, expected) => {
    const bind = bindAddress(host, allowRemote);
    expect(bind.ok ? `${bind.loopback ? "loopback" : "remote"} ${bind.host}` : "refused").toBe(expected);
  });
});

describe("cw ui server with files that cannot be read", () => {
  let local: string;
  beforeAll(() => {
    local = mkdtempSync(join(tmpdir(), "cw-ui-files-"));
  });
  afterAll(() => {
    rmSync(local, { recursive: true, force: true });
  });

  it("starts with a lock file that is a folder, and shows it as CW2001 (not 'cannot listen')", async () => {
    const topo = join(local, "federation.yaml");
    copyFileSync("examples/split-bookinfo/federation.yaml", topo);
    mkdirSync(join(local, "federation.lock.yaml"));
    const server = await startUi({ topology: topo, port: 0, watch: false });
    try {
      const view = JSON.parse((await raw(server.url, "/api/state")).body) as FederationView;
      expect(view.diagnostics.map((d) => d.code)).toContain("CW2001");
      expect(view.diagnostics.find((d) => d.code === "CW2001")?.message).toContain("is a folder, not a file");
    } finally {
      await server.close();
      rmSync(join(local, "federation.lock.yaml"), { recursive: true });
    }
  });

  it("keeps serving when the lock file turns into a folder while it runs", async () => {
    const topo = join(local, "turns.yaml");
    copyFileSync("examples/split-bookinfo/federation.yaml", topo);
    const lockFile = join(local, "turns.lock.yaml");
    copyFileSync("examples/split-bookinfo/federation.lock.yaml", lockFile);
    const server = await startUi({ topology: topo, port: 0, watch: false });
    try {
      rmSync(lockFile);
      mkdirSync(lockFile);
      server.reload(); // before issue 12: an uncaught EISDIR that ended the process
      const view = JSON.parse((await raw(server.url, "/api/state")).body) as FederationView;
      expect(view.diagnostics.map((d) => d.code)).toContain("CW2001");
    } finally {
      await server.close();
    }
  });

  it("does not block on a FIFO topology: the page says CW1039", async () => {
    const fifo = join(local, "fifo.yaml");
    execFileSync("mkfifo", [fifo]);
    const server = await startUi({ topology: fifo, port: 0, watch: false });
    try {
      const view = JSON.parse((await raw(server.url, "/api/state")).body) as FederationView;
      expect(view.diagnostics.map((d) => d.code)).toEqual(["CW1039"]);
    } finally {
      await server.close();
    }
  });
});

describe("cw ui command", () => {
  // Before issue 12 only the spellings 0.0.0.0 and :: were refused; ::0 and the rest bound every interface.
  it.each(["0.0.0.0", "::", "::0", "0::0", "0:0:0:0:0:0:0:0", "::ffff:0.0.0.0"])(
    "refuses to listen on every interface, however it is written: %s",
    async (host) => {
      let err = "";
      const code = await runAsync(["ui", topology, "--host", host, "--port", "0"], {
        out: () => {},
        err: (t) => (err += t),
      });
      expect(code).toBe(2);
      expect(err).toBe(
        `cw: --host ${host} means every interface of this machine, where anyone who reaches it can read the topology; give one address, such as 127.0.0.1\n`,
      );
    },
  );

  it("refuses an address other machines can reach unless --allow-remote is given", async () => {
    let err = "";
    const code = await runAsync(["ui", topology, "--host", "192.0.2.1", "--port", "0"], {
      out: () => {},
      err: (t) => (err += t),
    });
    expect(code).toBe(2);
    expect(err).toContain("is not a loopback address, and the page has no login");
    expect(err).toContain("--allow-remote");
  });

  it("says where it serves and stops when told", async () => {
    let out = "";
    let stop = () => {};
    const stopped = new Promise<void>((resolve) => {
      stop = resolve;
    });
    const running = runUi(
      { topology, host: "127.0.0.1", port: 0 },
      { out: (t) => (out += t), err: () => {} },
      stopped,
    );
    await expect
      .poll(() => out)
      .toMatch(
        /^cw ui: .*federation\.yaml at http:\/\/127\.0\.0\.1:\d+\/ \(reloads when the file changes; Ctrl-C stops\)\n$/,
      );
    stop();
    expect(await running).toBe(0);
  });
});
