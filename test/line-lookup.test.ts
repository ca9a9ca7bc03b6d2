// The lines diagnostics quote: each text split once, however many diagnostics quote it (an up-to-date
// run of a 15 MB topology with a warning per cluster split it once per warning, 30 s at 500 clusters).

import { afterEach, describe, expect, it, vi } from "vitest";
import { lineLookup } from "../src/diagnostics/line-lookup.js";

afterEach(() => vi.restoreAllMocks());

describe("lineLookup", () => {
  it("quotes lines 1-based, CRLF or LF, and nothing for lines or files it does not have", () => {
    const lineOf = lineLookup([
      ["a.yaml", "one\r\ntwo\nthree"],
      ["b.yaml", undefined],
    ]);
    expect([lineOf("a.yaml", 1), lineOf("a.yaml", 2), lineOf("a.yaml", 3)]).toEqual(["one", "two", "three"]);
    expect(lineOf("a.yaml", 4)).toBeUndefined();
    expect(lineOf("b.yaml", 1)).toBeUndefined();
    expect(lineOf("c.yaml", 1)).toBeUndefined();
  });

  it("asks the fallback for files it does not have, and the first text of a file wins", () => {
    const fallback = lineLookup([["existing/x.yaml", "kind: Gateway"]]);
    const lineOf = lineLookup(
      [
        ["a.yaml", "first"],
        ["a.yaml", "second"],
      ],
      fallback,
    );
    expect(lineOf("a.yaml", 1)).toBe("first");
    expect(lineOf("existing/x.yaml", 1)).toBe("kind: Gateway");
  });

  it("splits a text once however many lines are quoted, and not at all when none is", () => {
    const text = Array.from({ length: 1000 }, (_, i) => `line ${i + 1}`).join("\n");
    const split = vi.spyOn(String.prototype, "split");
    const lineOf = lineLookup([["t.yaml", text]]);
    expect(split).not.toHaveBeenCalled();
    for (let line = 1; line <= 500; line++) expect(lineOf("t.yaml", line)).toBe(`line ${line}`);
    expect(split).toHaveBeenCalledTimes(1);
  });
});
