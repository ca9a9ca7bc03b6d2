import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    reporters: process.env.CW_JSON_REPORT
      ? ["default", ["json", { outputFile: process.env.CW_JSON_REPORT }]]
      : ["default"],
  },
});
