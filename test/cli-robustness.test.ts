// The command line where the world around it misbehaves (issue 12): a reader that closes the pipe
// early, and an output folder holding a link that leads nowhere. cw must finish with its own words
// and exit code, never a raw Node stack.

import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { cw } from "./support/cw.js";

const EXAMPLE = "examples/split-bookinfo";
// cw from its sources, as `npm run cw` runs it (bin/cw.js runs the bundle, which a clone may not have).
const TSX = join("node_modules", ".bin", "tsx");
// A stack frame ("    at fn (file:1:2)") or a thrown error's name means a crash escaped.
const STACK = /^\s+at .+:\d+:\d+\)?$|^\w*Error: /m;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "cw-robust-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("cw as a user runs it", () => {
  it("generate -o - into a reader that is gone (| true) finishes quietly, with exit 0", async () => {
    // Before issue 12: "Error: write EPIPE" with a stack, and exit 1.
    const ran = spawnSync(
      "bash",
      [
        "-c",
        `${TSX} src/cli/main.ts generate ${EXAMPLE}/federation.yaml --cluster a -o - | true; exit "\${PIPESTATUS[0]}"`,
      ],
      { encoding: "utf8", timeout: 30_000 },
    );
    expect(ran.stderr).not.toMatch(/EPIPE/);
    expect(ran.stderr).not.toMatch(STACK);
    expect(ran.status).toBe(0);
  });
});

describe("an output folder with a link that leads nowhere", () => {
  beforeEach(() => {
    cpSync(join(EXAMPLE, "out"), join(dir, "out"), { recursive: true });
    symlinkSync(join(dir, "nowhere"), join(dir, "out", "c"));
    symlinkSync(join(dir, "nowhere.yaml"), join(dir, "out", "a", "extra.yaml"));
  });

  it("verify skips it with a word and still verifies the rest", async () => {
    const r = await cw("verify", join(EXAMPLE, "federation.yaml"), "-o", join(dir, "out"));
    expect(r.err).toContain(`cw verify: skipped ${join(dir, "out", "c")}: a symbolic link`);
    expect(r.err).toContain(`cw verify: skipped ${join(dir, "out", "a", "extra.yaml")}: a symbolic link`);
    expect(r.err).not.toMatch(STACK);
    expect(r.code).toBe(0);
  });

  it("trace skips it with a word and still traces the call", async () => {
    const r = await cw(
      "trace",
      join(EXAMPLE, "federation.yaml"),
      "-o",
      join(dir, "out"),
      "--from",
      "a/default/productpage",
      "--to",
      "reviews.global:9080",
    );
    expect(r.err).toContain("cw trace: skipped");
    expect(r.err).not.toMatch(STACK);
    expect(r.code).toBe(0);
  });
});
