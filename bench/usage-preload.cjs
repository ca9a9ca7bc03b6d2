// Loaded with `node --require` into a `cw` command the benchmark runs (bench/command.ts): at exit, it
// writes the process's peak resident set and CPU time (all threads: a helper thread counts) to the
// file CW_BENCH_USAGE names, which the parent cannot learn from spawnSync.
"use strict";
const { writeFileSync } = require("node:fs");

const file = process.env.CW_BENCH_USAGE;
if (file) {
  process.on("exit", () => {
    const { user, system } = process.cpuUsage();
    const usage = { peakRss: process.resourceUsage().maxRSS * 1024, cpuMs: (user + system) / 1000 };
    writeFileSync(file, JSON.stringify(usage));
  });
}
