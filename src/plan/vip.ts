// VIP allocation. Every global service gets one IPv4 address from the pool, the same in every cluster.
// Rules: explicit VIPs win; then VIPs recorded in the lock file are kept; new services get
// hash(name) in the pool, probing upwards on collision. Services are visited in name order, so the
// result depends on the set of services and the lock, never on file order, and adding a service
// never moves an existing one (the lock pins it even when hashes would collide).

import ipaddr from "ipaddr.js";
import { diag } from "../diagnostics/catalog.js";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import type { Origin } from "../topology/source.js";
import { at } from "../topology/source.js";
import type { LockedVip } from "./lock.js";

export interface VipRequest {
  readonly name: string;
  readonly fixed?: { readonly address: string; readonly origin: Origin };
}

export interface VipResult {
  readonly vips: ReadonlyMap<string, string>;
  readonly diagnostics: Diagnostic[];
}

export interface Pool {
  readonly first: number;
  readonly size: number;
  readonly contains: (ip: number) => boolean;
}

export function parsePool(cidr: string): Pool | undefined {
  try {
    const [addr, prefix] = ipaddr.IPv4.parseCIDR(cidr);
    const base = toInt(addr.toString()) & (prefix === 0 ? 0 : (~0 << (32 - prefix)) >>> 0);
    const total = 2 ** (32 - prefix);
    // Skip the network and broadcast addresses where the block is large enough to have them.
    const first = total > 2 ? base + 1 : base;
    const size = total > 2 ? total - 2 : total;
    return { first: first >>> 0, size, contains: (ip) => ip >= first && ip < first + size };
  } catch {
    return undefined;
  }
}

export const toInt = (ip: string): number => ipaddr.IPv4.parse(ip).octets.reduce((n, o) => n * 256 + o, 0);
export const toIp = (n: number): string => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");

/** FNV-1a, 32 bit: a stable, well-spread start point for each name. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

export function allocateVips(
  requests: readonly VipRequest[],
  pool: Pool,
  locked: ReadonlyMap<string, LockedVip>,
  poolOrigin?: Origin,
): VipResult {
  const diagnostics: Diagnostic[] = [];
  const vips = new Map<string, string>();
  const taken = new Map<number, string>();
  const sorted = [...requests].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

  for (const r of sorted) {
    if (!r.fixed) continue;
    const ip = toInt(r.fixed.address);
    const owner = taken.get(ip);
    if (owner !== undefined) {
      diagnostics.push(
        diag(
          "CW1015",
          `VIP ${r.fixed.address} of "${r.name}" is already the VIP of "${owner}"; remove one of the two vip fields`,
          at(r.fixed.origin),
        ),
      );
      continue;
    }
    taken.set(ip, r.name);
    vips.set(r.name, r.fixed.address);
  }
  for (const r of sorted) {
    if (vips.has(r.name) || r.fixed) continue;
    const entry = locked.get(r.name);
    if (entry === undefined) continue;
    const ip = toInt(entry.address);
    const owner = taken.get(ip);
    if (pool.contains(ip) && owner === undefined) {
      taken.set(ip, r.name);
      vips.set(r.name, entry.address);
    } else {
      const why = owner === undefined ? "outside the VIP pool" : `already the VIP of "${owner}"`;
      diagnostics.push(
        diag(
          "CW2002",
          `the locked VIP ${entry.address} of "${r.name}" is ${why}; cw allocates a new one and updates the lock`,
          at(entry.origin),
        ),
      );
    }
  }
  for (const r of sorted) {
    if (vips.has(r.name) || r.fixed) continue;
    if (taken.size >= pool.size) {
      diagnostics.push(
        diag(
          "CW1016",
          `the VIP pool has no free address left for "${r.name}"; use a larger vipPool`,
          poolOrigin && at(poolOrigin),
        ),
      );
      break;
    }
    let offset = fnv1a(r.name) % pool.size;
    while (taken.has(pool.first + offset)) offset = (offset + 1) % pool.size;
    const ip = pool.first + offset;
    taken.set(ip, r.name);
    vips.set(r.name, toIp(ip));
  }
  return { vips, diagnostics };
}
