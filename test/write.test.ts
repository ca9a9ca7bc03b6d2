// The output folder rules: cw writes only into folders it created, never overwrites or deletes a file
// it did not write, carries the user's own files over, refuses to lose hand edits, makes a new folder
// appear whole and rewrites only changed files of an existing one, writes nothing when nothing
// changed, and reports what disappeared.

import { spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import type { ClusterOutput } from "../src/emit/layout.js";
import { manifestAgain, readStampedManifest } from "../src/emit/manifest.js";
import { MANIFEST, openOutput, writeOutput } from "../src/emit/write.js";

const cluster = (name: string, files: Record<string, string>): ClusterOutput => ({
  cluster: name,
  files: Object.entries(files).map(([path, content]) => ({ path, content })),
  objects: [],
});

let root: string;
let out: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "cw-write-"));
  out = join(root, "out");
});

const read = (rel: string) => readFileSync(join(out, rel), "utf8");

describe("writeOutput", () => {
  it("creates the folder with every file and a manifest", () => {
    const r = writeOutput(out, "f", [
      cluster("a", { "x.yaml": "x\n", "dns/d.yaml": "d\n" }),
      cluster("b", { "y.yaml": "y\n" }),
    ]);
    expect(r.diagnostics).toEqual([]);
    expect(r.wrote).toBe(true);
    expect(read("a/x.yaml")).toBe("x\n");
    expect(read("a/dns/d.yaml")).toBe("d\n");
    expect(read("b/y.yaml")).toBe("y\n");
    const manifest = JSON.parse(read(MANIFEST));
    expect(Object.keys(manifest.files)).toEqual(["a/dns/d.yaml", "a/x.yaml", "b/y.yaml"]);
    expect(r.changes.map((c) => [c.cluster, c.added.length])).toEqual([
      ["a", 2],
      ["b", 1],
    ]);
  });

  it("adopts an empty folder", () => {
    mkdirSync(out);
    expect(writeOutput(out, "f", [cluster("a", { "x.yaml": "x\n" })]).wrote).toBe(true);
  });

  it("refuses a non-empty folder it did not create, and leaves it untouched", () => {
    mkdirSync(out);
    writeFileSync(join(out, "mine.txt"), "keep");
    const r = writeOutput(out, "f", [cluster("a", { "x.yaml": "x\n" })]);
    expect(r.diagnostics.map((d) => d.code)).toEqual(["CW3001"]);
    expect(readdirSync(out)).toEqual(["mine.txt"]);
  });

  it("refuses a path that is a file", () => {
    writeFileSync(out, "not a folder");
    expect(writeOutput(out, "f", []).diagnostics.map((d) => d.code)).toEqual(["CW3001"]);
  });

  it("writes nothing when the output is unchanged", () => {
    const files = [cluster("a", { "x.yaml": "x\n" })];
    writeOutput(out, "f", files);
    const before = statSync(join(out, "a/x.yaml")).mtimeMs;
    const inode = statSync(out).ino;
    const r = writeOutput(out, "f", files);
    expect(r.wrote).toBe(false);
    expect(r.diagnostics).toEqual([]);
    expect(statSync(join(out, "a/x.yaml")).mtimeMs).toBe(before);
    expect(statSync(out).ino).toBe(inode);
  });

  it("reports added, changed and removed files per cluster, including a cluster that left", () => {
    writeOutput(out, "f", [
      cluster("a", { "x.yaml": "x\n", "old.yaml": "o\n" }),
      cluster("gone", { "g.yaml": "g\n" }),
    ]);
    const r = writeOutput(out, "f", [cluster("a", { "x.yaml": "x2\n", "new.yaml": "n\n" })]);
    expect(r.wrote).toBe(true);
    const byCluster = Object.fromEntries(r.changes.map((c) => [c.cluster, c]));
    expect(byCluster.a?.added).toEqual(["new.yaml"]);
    expect(byCluster.a?.changed).toEqual(["x.yaml"]);
    expect(byCluster.a?.removed).toEqual(["old.yaml"]);
    expect(byCluster.gone?.removed).toEqual(["g.yaml"]);
    expect(existsSync(join(out, "a/old.yaml"))).toBe(false);
    expect(existsSync(join(out, "gone"))).toBe(false);
  });

  it("carries over files the user added, and never deletes them", () => {
    writeOutput(out, "f", [cluster("a", { "x.yaml": "x\n" })]);
    writeFileSync(join(out, "a/my-overlay.yaml"), "mine\n");
    mkdirSync(join(out, "notes"));
    writeFileSync(join(out, "notes/readme.md"), "notes\n");
    const r = writeOutput(out, "f", [cluster("a", { "x.yaml": "x2\n" })]);
    expect(r.wrote).toBe(true);
    expect(read("a/my-overlay.yaml")).toBe("mine\n");
    expect(read("notes/readme.md")).toBe("notes\n");
    expect(read("a/x.yaml")).toBe("x2\n");
    expect(r.changes[0]?.removed).toEqual([]);
  });

  it("refuses to overwrite a file it did not write", () => {
    writeOutput(out, "f", [cluster("a", { "x.yaml": "x\n" })]);
    writeFileSync(join(out, "a/y.yaml"), "user's\n");
    const r = writeOutput(out, "f", [cluster("a", { "x.yaml": "x\n", "y.yaml": "generated\n" })]);
    expect(r.diagnostics.map((d) => d.code)).toEqual(["CW3002"]);
    expect(read("a/y.yaml")).toBe("user's\n");
  });

  it("refuses to lose a hand edit unless forced", () => {
    writeOutput(out, "f", [cluster("a", { "x.yaml": "x\n" })]);
    writeFileSync(join(out, "a/x.yaml"), "edited\n");
    const r = writeOutput(out, "f", [cluster("a", { "x.yaml": "x2\n" })]);
    expect(r.diagnostics.map((d) => d.code)).toEqual(["CW3003"]);
    expect(read("a/x.yaml")).toBe("edited\n");
    const forced = writeOutput(out, "f", [cluster("a", { "x.yaml": "x2\n" })], { force: true });
    expect(forced.diagnostics).toEqual([]);
    expect(read("a/x.yaml")).toBe("x2\n");
  });

  it("leaves no staging folders behind", () => {
    writeOutput(out, "f", [cluster("a", { "x.yaml": "x\n" })]);
    writeOutput(out, "f", [cluster("a", { "x.yaml": "x2\n" })]);
    expect(readdirSync(root)).toEqual(["out"]);
  });

  it("reports a file system refusal as CW3004 instead of throwing", () => {
    // A regular file where a parent folder should be: even root cannot create the folder.
    writeFileSync(join(root, "file"), "");
    const r = writeOutput(join(root, "file", "out"), "f", [cluster("a", { "x.yaml": "x\n" })]);
    expect(r.diagnostics.map((d) => d.code)).toEqual(["CW3004"]);
    expect(r.wrote).toBe(false);
  });

  it("rewrites only the files that changed, in place, and removes what is gone", () => {
    writeOutput(out, "f", [cluster("a", { "x.yaml": "x\n", "y.yaml": "y\n", "z.yaml": "z\n" })]);
    const folder = statSync(out).ino;
    const kept = statSync(join(out, "a/x.yaml"));
    const r = writeOutput(out, "f", [cluster("a", { "x.yaml": "x\n", "y.yaml": "y2\n" })]);
    expect(r.wrote).toBe(true);
    expect(statSync(out).ino).toBe(folder);
    expect(statSync(join(out, "a/x.yaml")).ino).toBe(kept.ino);
    expect(statSync(join(out, "a/x.yaml")).mtimeMs).toBe(kept.mtimeMs);
    expect(read("a/y.yaml")).toBe("y2\n");
    expect(existsSync(join(out, "a/z.yaml"))).toBe(false);
    expect(Object.keys(JSON.parse(read(MANIFEST)).files)).toEqual(["a/x.yaml", "a/y.yaml"]);
    expect(readdirSync(join(out, "a")).sort()).toEqual(["x.yaml", "y.yaml"]);
  });

  it("writes a new folder cluster by cluster, out of sight until finish", () => {
    const writer = openOutput(out, "f");
    writer.add(cluster("a", { "x.yaml": "x\n" }));
    expect(existsSync(out)).toBe(false);
    writer.add(cluster("b", { "y.yaml": "y\n" }));
    expect(writer.finish().wrote).toBe(true);
    expect(read("a/x.yaml")).toBe("x\n");
    expect(read("b/y.yaml")).toBe("y\n");
    expect(readdirSync(root)).toEqual(["out"]);
  });

  it("leaves everything as it was when the run is aborted", () => {
    const fresh = openOutput(out, "f");
    fresh.add(cluster("a", { "x.yaml": "x\n" }));
    fresh.abort();
    expect(readdirSync(root)).toEqual([]);
    writeOutput(out, "f", [cluster("a", { "x.yaml": "x\n" })]);
    const update = openOutput(out, "f");
    update.add(cluster("a", { "x.yaml": "x2\n" }));
    update.abort();
    expect(read("a/x.yaml")).toBe("x\n");
    expect(readdirSync(root)).toEqual(["out"]);
  });

  it("puts back a generated file the user deleted, as added, and keeps the others untouched", () => {
    writeOutput(out, "f", [cluster("a", { "x.yaml": "x\n", "y.yaml": "y\n" })]);
    const kept = statSync(join(out, "a/y.yaml"));
    rmSync(join(out, "a/x.yaml"));
    const r = writeOutput(out, "f", [cluster("a", { "x.yaml": "x\n", "y.yaml": "y\n" })]);
    expect(r.diagnostics).toEqual([]);
    expect(r.wrote).toBe(true);
    expect(r.changes[0]?.added).toEqual(["x.yaml"]);
    expect(r.changes[0]?.removed).toEqual([]);
    expect(read("a/x.yaml")).toBe("x\n");
    expect(statSync(join(out, "a/y.yaml")).mtimeMs).toBe(kept.mtimeMs);
  });

  it("reports a file the writer thread cannot create as CW3004, and leaves nothing behind", () => {
    // "a/x" is a file, so "a/x/y.yaml" cannot be made: the failure happens in the worker thread.
    const r = writeOutput(out, "f", [cluster("a", { x: "x\n", "x/y.yaml": "y\n" })]);
    expect(r.diagnostics.map((d) => d.code)).toEqual(["CW3004"]);
    expect(r.diagnostics[0]?.message).toMatch(/ENOTDIR|EEXIST/);
    expect(r.wrote).toBe(false);
    expect(readdirSync(root)).toEqual([]);
  });

  it("tells progress how many files are on disk, ending with all of them", () => {
    const seen: [string, number][] = [];
    const progress = {
      stage: (name: string) => seen.push([name, -1]),
      advance: (done: number) => seen.push(["advance", done]),
    };
    const files = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`f${i}.yaml`, `${i}\n`]));
    const r = writeOutput(out, "f", [cluster("a", files), cluster("b", files)], { progress });
    expect(r.wrote).toBe(true);
    const counts = seen.filter(([k]) => k === "advance").map(([, n]) => n);
    expect(counts.at(-1)).toBe(100);
    expect(counts.every((n, i) => i === 0 || n >= (counts[i - 1] as number))).toBe(true);
    expect(seen.some(([k]) => k === "write")).toBe(true);
  });

  it("refuses a hand edit in a file whose output did not change, too", () => {
    writeOutput(out, "f", [cluster("a", { "x.yaml": "x\n", "y.yaml": "y\n" })]);
    writeFileSync(join(out, "a/x.yaml"), "X\n");
    const r = writeOutput(out, "f", [cluster("a", { "x.yaml": "x\n", "y.yaml": "y2\n" })]);
    expect(r.diagnostics.map((d) => d.code)).toEqual(["CW3003"]);
    expect(read("a/x.yaml")).toBe("X\n");
    expect(read("a/y.yaml")).toBe("y\n");
  });

  it("with --force, restores a hand-edited file even when its output did not change", () => {
    writeOutput(out, "f", [cluster("a", { "x.yaml": "x\n" })]);
    writeFileSync(join(out, "a/x.yaml"), "edited\n");
    const r = writeOutput(out, "f", [cluster("a", { "x.yaml": "x\n" })], { force: true });
    expect(r.diagnostics).toEqual([]);
    expect(r.changes[0]?.changed).toEqual(["x.yaml"]);
    expect(read("a/x.yaml")).toBe("x\n");
  });
});

// Issue 12: what an adversarial pass found. Each of these lost or overwrote something before it.
describe("the output folder: nothing of the user's is lost", () => {
  const victim = () => {
    const folder = join(root, "victim");
    mkdirSync(folder);
    writeFileSync(join(folder, "x.yaml"), "the user's own file\n");
    return folder;
  };

  it("refuses a cluster folder that is a symbolic link, naming it (CW3006), and writes nothing there", () => {
    writeOutput(out, "f", [cluster("a", { "x.yaml": "x\n" })]);
    const elsewhere = victim();
    rmSync(join(out, "a"), { recursive: true });
    symlinkSync(elsewhere, join(out, "a"));
    const r = writeOutput(out, "f", [cluster("a", { "x.yaml": "x2\n" })]);
    expect(r.diagnostics.map((d) => d.code)).toEqual(["CW3006"]);
    expect(r.diagnostics[0]?.message).toContain(join(out, "a"));
    expect(readFileSync(join(elsewhere, "x.yaml"), "utf8")).toBe("the user's own file\n");
  });

  it("refuses a generated file that is a symbolic link, and the output folder itself as one", () => {
    writeOutput(out, "f", [cluster("a", { "x.yaml": "x\n" })]);
    const elsewhere = victim();
    rmSync(join(out, "a/x.yaml"));
    symlinkSync(join(elsewhere, "x.yaml"), join(out, "a/x.yaml"));
    const inside = writeOutput(out, "f", [cluster("a", { "x.yaml": "x2\n" })], { force: true });
    expect(inside.diagnostics.map((d) => d.code)).toEqual(["CW3006"]);
    expect(readFileSync(join(elsewhere, "x.yaml"), "utf8")).toBe("the user's own file\n");

    const linked = join(root, "linked-out");
    symlinkSync(elsewhere, linked);
    const whole = writeOutput(linked, "f", [cluster("a", { "x.yaml": "x\n" })]);
    expect(whole.diagnostics.map((d) => d.code)).toEqual(["CW3006"]);
    expect(readdirSync(elsewhere)).toEqual(["x.yaml"]);
  });

  it("refuses a folder of another federation's (CW3005) unless forced", () => {
    writeOutput(out, "team-a", [cluster("a", { "x.yaml": "x\n", "y.yaml": "y\n" })]);
    const r = writeOutput(out, "team-b", [cluster("a", { "x.yaml": "other\n" })]);
    expect(r.diagnostics.map((d) => d.code)).toEqual(["CW3005"]);
    expect(r.diagnostics[0]?.message).toContain('federation "team-a"');
    expect(read("a/y.yaml")).toBe("y\n");
    const forced = writeOutput(out, "team-b", [cluster("a", { "x.yaml": "other\n" })], { force: true });
    expect(forced.diagnostics).toEqual([]);
    expect(read("a/x.yaml")).toBe("other\n");
    expect(JSON.parse(read(MANIFEST)).federation).toBe("team-b");
  });

  it("lets one run at a time write a folder: the second is refused (CW3007) and leaves nothing", () => {
    const first = openOutput(out, "f");
    const second = openOutput(out, "f");
    first.add(cluster("a", { "x.yaml": "first\n" }));
    second.add(cluster("a", { "x.yaml": "second\n" }));
    const lost = second.finish();
    expect(lost.diagnostics.map((d) => d.code)).toEqual(["CW3007"]);
    expect(first.finish().wrote).toBe(true);
    expect(read("a/x.yaml")).toBe("first\n");
    // No lock and no staging folder left behind by either.
    expect(readdirSync(root)).toEqual(["out"]);
    // The lock is let go: the next run writes.
    expect(writeOutput(out, "f", [cluster("a", { "x.yaml": "third\n" })]).wrote).toBe(true);
  });

  it("cleans up what a killed run left: its lock, staging folder and temporary files", () => {
    writeOutput(out, "f", [cluster("a", { "x.yaml": "x\n" })]);
    const dead = spawnSync("true").pid as number; // a pid no process has any more
    writeFileSync(
      join(root, ".out.cw-lock"),
      JSON.stringify({ tool: "coddiwomple", pid: dead, host: hostname(), token: "t", started: "then" }),
    );
    mkdirSync(join(root, `.out.cw-tmp-${dead}-0123abcd`));
    writeFileSync(join(root, `.out.cw-tmp-${dead}-0123abcd`, "half.yaml"), "half\n");
    writeFileSync(join(out, "a", `.x.yaml.cw-tmp-${dead}-89abcdef`), "half\n");
    const r = writeOutput(out, "f", [cluster("a", { "x.yaml": "x2\n" })]);
    expect(r.diagnostics).toEqual([]);
    expect(readdirSync(root)).toEqual(["out"]);
    expect(readdirSync(join(out, "a"))).toEqual(["x.yaml"]);
  });

  it("does not take over the lock of a run that is still alive", () => {
    writeFileSync(
      join(root, ".out.cw-lock"),
      JSON.stringify({
        tool: "coddiwomple",
        pid: process.ppid,
        host: hostname(),
        token: "t",
        started: "now",
      }),
    );
    const r = writeOutput(out, "f", [cluster("a", { "x.yaml": "x\n" })]);
    expect(r.diagnostics.map((d) => d.code)).toEqual(["CW3007"]);
    expect(r.diagnostics[0]?.message).toContain(`pid ${process.ppid}`);
    expect(existsSync(out)).toBe(false);
  });
});

describe("the manifest read before the run took the folder's lock", () => {
  it("is taken by the scan while the file is the one it was read from, and read again once replaced", () => {
    writeOutput(out, "f", [cluster("a", { "x.yaml": "x\n" })]);
    const earlier = readStampedManifest(out);
    expect(earlier.manifest?.files).toHaveProperty("a/x.yaml");
    expect(manifestAgain(out, earlier)).toBe(earlier.manifest);
    // Another run replaces x.yaml and the manifest between the read and this run's lock.
    expect(writeOutput(out, "f", [cluster("a", { "x.yaml": "x2\n" })]).wrote).toBe(true);
    expect(manifestAgain(out, earlier)).not.toBe(earlier.manifest);
    const writer = openOutput(out, "f", { manifest: earlier });
    writer.add(cluster("a", { "x.yaml": "x2\n" }));
    // With the stale manifest, x.yaml would look edited by hand (CW3003) and nothing would be written.
    const r = writer.finish();
    expect(r.diagnostics).toEqual([]);
    expect(r.wrote).toBe(false);
  });

  it("is not read through a link", () => {
    writeOutput(out, "f", [cluster("a", { "x.yaml": "x\n" })]);
    const elsewhere = join(root, "elsewhere");
    writeFileSync(elsewhere, read(MANIFEST));
    rmSync(join(out, MANIFEST));
    symlinkSync(elsewhere, join(out, MANIFEST));
    expect(readStampedManifest(out)).toEqual({ manifest: undefined, stamp: undefined });
  });
});
