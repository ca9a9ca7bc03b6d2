// CoreDNS server blocks (https://coredns.io/manual/configuration/), as far as they decide whether a
// name is answered inside the cluster: a block serves the zones it names ("global:53 { ... }"), and
// within it the hosts plugin answers the names of its table; for any other name of the zone it answers
// NXDOMAIN unless `fallthrough` passes the query on (https://coredns.io/plugins/hosts/). A template
// plugin with `rcode NXDOMAIN` (https://coredns.io/plugins/template/) answers every name it matches
// with NXDOMAIN; `forward` sends the query elsewhere. A name no block's zone covers goes to the
// cluster's default block, which forwards to the node's resolvers: out of the cluster.

import { normalize } from "./host-match.js";

export interface CoreDnsZone {
  /** The file the block came from, relative to the cluster's folder. */
  readonly file: string;
  /** Zones the block serves, normalized, without the port ("global", "." for the root). */
  readonly zones: readonly string[];
  /** The hosts table: name -> address. */
  readonly hosts: ReadonlyMap<string, string>;
  /** What the block does with a name of its zones that the hosts table lacks. */
  readonly otherwise: "nxdomain" | "forward";
}

/** The server blocks of a Corefile fragment (several blocks per file allowed). */
export function parseCoreDns(file: string, text: string): CoreDnsZone[] {
  const clean = text.replace(/#.*$/gm, "");
  const zones: CoreDnsZone[] = [];
  const blockHead = /([^{}\s][^{}]*?)\s*\{/g;
  let m: RegExpExecArray | null = blockHead.exec(clean);
  while (m) {
    const start = blockHead.lastIndex;
    const end = closingBrace(clean, start);
    const head = (m[1] ?? "").trim();
    const body = clean.slice(start, end);
    zones.push(zoneBlock(file, head, body));
    blockHead.lastIndex = end + 1;
    m = blockHead.exec(clean);
  }
  return zones;
}

function closingBrace(text: string, from: number): number {
  let depth = 1;
  for (let i = from; i < text.length; i++) {
    if (text[i] === "{") depth++;
    else if (text[i] === "}" && --depth === 0) return i;
  }
  return text.length;
}

function zoneBlock(file: string, head: string, body: string): CoreDnsZone {
  const zones = head
    .split(/\s+/)
    .filter(Boolean)
    .map((z) => normalize(z.replace(/^dns:\/\//, "").replace(/:\d+$/, "")) || ".");
  const hosts = new Map<string, string>();
  const hostsBlock = /(^|\s)hosts(?:\s+[^{\n]*)?\{([^}]*)\}/.exec(body)?.[2];
  let fallthrough = false;
  for (const line of (hostsBlock ?? "").split("\n")) {
    const words = line.trim().split(/\s+/).filter(Boolean);
    const [first, ...names] = words;
    if (first === "fallthrough") fallthrough = true;
    if (!first || !/^[\d.]+$|:/.test(first)) continue;
    for (const n of names) if (!hosts.has(normalize(n))) hosts.set(normalize(n), first);
  }
  const nxTemplate = /(^|\s)template\s[^{]*\{[^}]*rcode\s+NXDOMAIN/i.test(body);
  const forwards = /(^|\s)forward\s/.test(body);
  const answersRest = (hostsBlock !== undefined && !fallthrough) || nxTemplate;
  return { file, zones, hosts, otherwise: answersRest || !forwards ? "nxdomain" : "forward" };
}

/** The most specific block serving `name` (CoreDNS picks the longest matching zone). */
export function zoneFor(blocks: readonly CoreDnsZone[], name: string): CoreDnsZone | undefined {
  const n = normalize(name);
  let best: { block: CoreDnsZone; length: number } | undefined;
  for (const block of blocks) {
    for (const z of block.zones) {
      const covers = z === "." || n === z || n.endsWith(`.${z}`);
      if (covers && z !== "." && (!best || z.length > best.length)) best = { block, length: z.length };
    }
  }
  return best?.block;
}
