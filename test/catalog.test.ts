// The diagnostic catalog against the code and the tests: every code cw can produce is exercised by
// some test or golden (else its wording and position are unproven), a retired code is never produced
// again, and each code's message is a template in the catalog, except the codes listed below whose
// sites still write free text (being moved; a new code must come with its template).

import { readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { type Code, catalog, diag, isCode, templated } from "../src/diagnostics/catalog.js";
import { filesUnder } from "./support/files-under.js";

const ROOT = join(import.meta.dirname, "..");

const codesIn = (paths: readonly string[]): Set<string> =>
  new Set(paths.flatMap((p) => readFileSync(p, "utf8").match(/CW\d{4}/g) ?? []));

const all = Object.keys(catalog) as Code[];
const retired = all.filter((c) => (catalog[c] as { retired?: string }).retired !== undefined);

/** Codes whose sites still pass their sentence as free text. Shrinks; never grows. */
const FREE_TEXT = [
  "CW1001",
  "CW4101",
  "CW4102",
  "CW4103",
  "CW4104",
  "CW4105",
  "CW4106",
  "CW4107",
  "CW4108",
  "CW4109",
  "CW5001",
];

describe("the diagnostic catalog", () => {
  it("every code that is not retired is produced by some test or golden", () => {
    const here = join(ROOT, "test", "catalog.test.ts");
    const tested = codesIn(
      filesUnder(join(ROOT, "test"), (p) => p !== here && /\.(ts|txt|json|yaml)$/.test(p)),
    );
    expect(all.filter((c) => !retired.includes(c) && !tested.has(c))).toEqual([]);
  });

  it("a retired code is never produced, and every code in src/ is in the catalog", () => {
    const sources = filesUnder(join(ROOT, "src"), (p) => p.endsWith(".ts") && !p.endsWith("catalog.ts"));
    for (const path of sources) {
      for (const code of readFileSync(path, "utf8").match(/"CW\d{4}"/g) ?? []) {
        const c = code.slice(1, -1);
        expect(isCode(c), `${relative(ROOT, path)}: ${c}`).toBe(true);
        expect(retired, `${relative(ROOT, path)} produces retired ${c}`).not.toContain(c);
      }
    }
  });

  it("every code's message is a template in the catalog, but for the free-text codes listed", () => {
    expect(all.filter((c) => !templated(c) && !retired.includes(c))).toEqual(FREE_TEXT);
  });

  it("a template gives what is wrong, then what to do, as one sentence", () => {
    const d = diag("CW1010", { host: "reviews.global", service: "ratings", owner: "reviews" });
    expect(d).toEqual({
      code: "CW1010",
      level: "error",
      message:
        'host "reviews.global" of service "ratings" is already claimed by service "reviews"; rename one of them or drop the alias',
    });
  });
});
