#!/usr/bin/env node
// Runs the TypeScript sources through tsx, so a clone works without a build step.
import { register } from "tsx/esm/api";

register();
const { runAsync } = await import("../src/cli/main.ts");
const { processIo } = await import("../src/cli/io.ts");
process.exitCode = await runAsync(process.argv.slice(2), processIo);
