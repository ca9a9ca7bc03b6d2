// The set-up every live-cluster test file shares: a scratch folder with the bundled example's topology
// and lock file in it, and stand-in API servers (kube-stand-in.ts) that are all closed after each test.
// Call it at the top of a test file; read its fields inside tests.

import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach } from "vitest";
import { StandInKubeApi, type StandInOptions } from "./kube-stand-in.js";

export interface StandInBed {
  /** The scratch folder of the running test. */
  readonly dir: string;
  /** The example's federation.yaml in it (its lock file beside it). */
  readonly topology: string;
  /** A stand-in server, closed after the test. */
  start(options?: StandInOptions): Promise<StandInKubeApi>;
}

export function standInBed(prefix: string): StandInBed {
  let dir = "";
  let servers: StandInKubeApi[] = [];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), prefix));
    servers = [];
    copyFileSync("examples/split-bookinfo/federation.yaml", join(dir, "federation.yaml"));
    copyFileSync("examples/split-bookinfo/federation.lock.yaml", join(dir, "federation.lock.yaml"));
  });
  afterEach(async () => {
    await Promise.all(servers.map((s) => s.close()));
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    get dir() {
      return dir;
    },
    get topology() {
      return join(dir, "federation.yaml");
    },
    async start(options = {}) {
      const s = await StandInKubeApi.start(options);
      servers.push(s);
      return s;
    },
  };
}
