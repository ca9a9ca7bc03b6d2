// VIP allocation. Every global service gets one IPv4 address from the pool, the same in every cluster.
// Rules: explicit VIPs win; then VIPs recorded in the lock file are kept; new services get
// hash(name) in the pool, probing upwards on collision. Services are visited in name order, so the
// result depends on the set of services and the lock, never on file order, and adding a service
// never moves an existing one (the lock pins it even when hashes would collide).

import ipaddr from "ipaddr.js";
import { byText } from "../compare.js";
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
    // `&` yields a signed 32-bit number: `>>> 0` brings it back to the unsigned range toInt uses,
    // or every pool at or above 128.0.0.0 (the default 240.240.0.0/16) would contain no address.
    const base = (toInt(addr.toString()) & (prefix === 0 ? 0 : ~0 << (32 - prefix))) >>> 0;
    const total = 2 ** (32 - prefix);
    // Skip the network and broadcast addresses where the block is large enough to have them.
    const first = total > 2 ? base + 1 : base;
    const size = total > 2 ? total - 2 : total;
    return { first, size, contains: (ip) => ip >= first && ip < first + size };
  } catch {
    return undefined;
  }
}

// Istio's own ServiceEntry address allocation range (DNS auto-allocation and, from 1.23, its IP
// allocator): https://istio.io/latest/docs/ops/configuration/traffic-management/dns-proxy/
const ISTIO_RANGE = { first: 0xf0f00000, last: 0xf0f0ffff };

export const overlapsIstioRange = (pool: Pool): boolean =>
  pool.first <= ISTIO_RANGE.last && pool.first + pool.size - 1 >= ISTIO_RANGE.first;

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

/** What is allocated so far: the phases below fill it in turn. */
interface Allocation {
  readonly vips: Map<string, string>;
  /** Addresses in use, as numbers, by service. */
  readonly taken: Map<number, string>;
  readonly diagnostics: Diagnostic[];
}

/**
 * Give every service a VIP: its fixed one, else the one in the lock, else a free address of the pool
 * chosen from a hash of its name (so that adding a service rarely moves another one's start point).
 */
export function allocateVips(
  requests: readonly VipRequest[],
  pool: Pool,
  locked: ReadonlyMap<string, LockedVip>,
  poolOrigin?: Origin,
): VipResult {
  const state: Allocation = { vips: new Map(), taken: new Map(), diagnostics: [] };
  const sorted = [...requests].sort(byText((x) => x.name));
  fixVips(state, sorted, locked);
  keepLocked(state, sorted, locked, pool);
  allocateFree(state, sorted, pool, poolOrigin);
  return { vips: state.vips, diagnostics: state.diagnostics };
}

function fixVips(
  state: Allocation,
  sorted: readonly VipRequest[],
  locked: ReadonlyMap<string, LockedVip>,
): void {
  // Who holds each locked address, among the services still in the topology: a fixed VIP may not
  // take one from another service, whose callers would then reach the wrong service.
  const lockedBy = new Map<string, string>();
  for (const r of sorted) {
    const entry = locked.get(r.name);
    if (entry !== undefined) lockedBy.set(entry.address, r.name);
  }
  for (const r of sorted) {
    if (!r.fixed) continue;
    const ip = toInt(r.fixed.address);
    const owner = state.taken.get(ip);
    const holder = lockedBy.get(r.fixed.address);
    if (holder !== undefined && holder !== r.name && locked.get(r.name)?.address !== r.fixed.address) {
      const entry = locked.get(holder);
      state.diagnostics.push(
        diag(
          "CW1037",
          {
            vip: r.fixed.address,
            service: r.name,
            holder,
            ...(entry && { lockedAt: `${entry.origin.source.file}:${at(entry.origin).line}` }),
          },
          at(r.fixed.origin),
        ),
      );
    } else if (owner !== undefined) {
      state.diagnostics.push(
        diag("CW1015", { vip: r.fixed.address, service: r.name, owner }, at(r.fixed.origin)),
      );
    } else {
      state.taken.set(ip, r.name);
      state.vips.set(r.name, r.fixed.address);
    }
  }
}

function keepLocked(
  state: Allocation,
  sorted: readonly VipRequest[],
  locked: ReadonlyMap<string, LockedVip>,
  pool: Pool,
): void {
  for (const r of sorted) {
    if (state.vips.has(r.name) || r.fixed) continue;
    const entry = locked.get(r.name);
    if (entry === undefined) continue;
    const ip = toInt(entry.address);
    const owner = state.taken.get(ip);
    if (pool.contains(ip) && owner === undefined) {
      state.taken.set(ip, r.name);
      state.vips.set(r.name, entry.address);
    } else {
      state.diagnostics.push(
        diag(
          "CW2002",
          {
            service: r.name,
            address: entry.address,
            problem: owner === undefined ? "outside-pool" : { owner },
          },
          at(entry.origin),
        ),
      );
    }
  }
}

function allocateFree(
  state: Allocation,
  sorted: readonly VipRequest[],
  pool: Pool,
  poolOrigin?: Origin,
): void {
  // Explicit VIPs may lie outside the pool: only addresses inside it use it up.
  let used = [...state.taken.keys()].filter((ip) => pool.contains(ip)).length;
  for (const r of sorted) {
    if (state.vips.has(r.name) || r.fixed) continue;
    if (used >= pool.size) {
      state.diagnostics.push(diag("CW1016", { service: r.name }, poolOrigin && at(poolOrigin)));
      return;
    }
    let offset = fnv1a(r.name) % pool.size;
    while (state.taken.has(pool.first + offset)) offset = (offset + 1) % pool.size;
    const ip = pool.first + offset;
    state.taken.set(ip, r.name);
    used++;
    state.vips.set(r.name, toIp(ip));
  }
}
