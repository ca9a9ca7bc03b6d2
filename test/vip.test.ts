// VIP allocation: unique, inside the pool, independent of input order, and stable: with the lock of
// the previous run, adding or removing services never moves another service's VIP.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Lock, type LockedVip, readLock, renderLock } from "../src/plan/lock.js";
import { allocateVips, parsePool, toInt } from "../src/plan/vip.js";
import type { Origin } from "../src/topology/source.js";
import { parseSource } from "../src/topology/source.js";

const origin: Origin = { source: parseSource("t.yaml", "x: 1").source, path: [] };
const lockOf = (vips: ReadonlyMap<string, string>): Lock => ({
  vips: new Map([...vips].map(([n, address]): [string, LockedVip] => [n, { address, origin }])),
});
const pool = (cidr: string) => {
  const p = parsePool(cidr);
  if (!p) throw new Error(`bad pool ${cidr}`);
  return p;
};
const names = fc.uniqueArray(fc.stringMatching(/^[a-z][a-z0-9-]{0,12}$/), { minLength: 1, maxLength: 60 });

describe("allocateVips", () => {
  it("skips the network and broadcast addresses", () => {
    const p = pool("10.0.0.0/30");
    const r = allocateVips([{ name: "a" }, { name: "b" }], p, new Map());
    expect([...r.vips.values()].sort()).toEqual(["10.0.0.1", "10.0.0.2"]);
  });

  it("reports exhaustion instead of reusing an address", () => {
    const r = allocateVips([{ name: "a" }, { name: "b" }, { name: "c" }], pool("10.0.0.0/30"), new Map());
    expect(r.diagnostics.map((d) => d.code)).toEqual(["CW1016"]);
  });

  it("keeps explicit VIPs even outside the pool, and reports two services sharing one", () => {
    const fixed = (address: string) => ({ address, origin });
    const r = allocateVips(
      [{ name: "car", fixed: fixed("1.2.3.4") }, { name: "bus", fixed: fixed("1.2.3.4") }, { name: "x" }],
      pool("240.241.0.0/16"),
      new Map(),
    );
    expect(r.vips.get("bus")).toBe("1.2.3.4"); // name order: bus is first, car is the duplicate
    expect(r.diagnostics.map((d) => d.code)).toEqual(["CW1015"]);
  });

  it("drops a locked VIP outside the pool with a warning and allocates anew", () => {
    const r = allocateVips(
      [{ name: "a" }],
      pool("240.241.0.0/16"),
      lockOf(new Map([["a", "10.0.0.1"]])).vips,
    );
    expect(r.diagnostics.map((d) => d.code)).toEqual(["CW2002"]);
    expect(pool("240.241.0.0/16").contains(toInt(r.vips.get("a") ?? ""))).toBe(true);
  });

  it("gives unique addresses inside the pool, whatever the input order", () => {
    fc.assert(
      fc.property(names, (list) => {
        const p = pool("240.241.0.0/24");
        const forward = allocateVips(
          list.map((name) => ({ name })),
          p,
          new Map(),
        ).vips;
        const backward = allocateVips(
          [...list].reverse().map((name) => ({ name })),
          p,
          new Map(),
        ).vips;
        expect([...forward].sort()).toEqual([...backward].sort());
        const ips = [...forward.values()].map(toInt);
        expect(new Set(ips).size).toBe(list.length);
        for (const ip of ips) expect(p.contains(ip)).toBe(true);
      }),
    );
  });

  it("never moves an existing VIP when services are added or removed, given the lock", () => {
    fc.assert(
      fc.property(names, names, fc.nat(), (before, added, dropSeed) => {
        // A small pool makes hash collisions (and so probing) common.
        const p = pool("240.241.0.0/24");
        const first = allocateVips(
          before.map((name) => ({ name })),
          p,
          new Map(),
        ).vips;
        const kept = before.filter((_, i) => (i + dropSeed) % 3 !== 0);
        const next = [...new Set([...kept, ...added])];
        const second = allocateVips(
          next.map((name) => ({ name })),
          p,
          lockOf(first).vips,
        ).vips;
        for (const name of kept) expect(second.get(name)).toBe(first.get(name));
      }),
    );
  });
});

describe("lock file", () => {
  it("round-trips through its text, sorted by name", () => {
    const vips = new Map([
      ["reviews", "240.241.0.9"],
      ["details", "240.241.0.7"],
    ]);
    const text = renderLock(vips);
    expect(text.indexOf("details")).toBeLessThan(text.indexOf("reviews"));
    const { lock, diagnostics } = readLock("f.lock.yaml", text);
    expect(diagnostics).toEqual([]);
    expect(new Map([...lock.vips].map(([n, v]) => [n, v.address]))).toEqual(vips);
  });
});
