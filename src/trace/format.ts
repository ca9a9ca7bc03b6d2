// A trace as a person reads it: one numbered line per hop, saying what decided it, and the outcome.
// Forks indent their branches under a line with each branch's share.

import { refText } from "./config.js";
import { FAILURES, type Hop, type ProxyRef, type Trace, tracePaths } from "./types.js";

const pct = (share: number) => `${Math.round(share * 1000) / 10}%`;

export function hopText(h: Hop): string {
  switch (h.kind) {
    case "dns": {
      const by =
        h.by === "literal"
          ? "an IP address, no lookup"
          : h.by === "kubernetes"
            ? "Kubernetes DNS"
            : "coreDnsFile" in h.by
              ? `CoreDNS hosts table ${h.by.coreDnsFile}`
              : `Istio DNS proxy, ${refText(h.by)}`;
      return `dns       ${h.cluster}: ${h.name} -> ${h.address}   (${by})`;
    }
    case "listener":
      return `sidecar   ${h.proxy.cluster}/${h.proxy.namespace}: outbound ${h.address}:${h.port} ${h.protocol} -> service ${h.service}${h.by ? `   (${refText(h.by)})` : ""}`;
    case "route": {
      const dests = h.destinations
        .map(
          (d) =>
            `${d.host}${d.subset !== undefined ? ` subset ${d.subset}` : ""}${d.port !== undefined ? `:${d.port}` : ""}${h.destinations.length > 1 ? ` ${d.weight}%` : ""}`,
        )
        .join(", ");
      return `route     ${who(h.proxy)}: ${h.host} -> ${dests}   (${h.by ? `${refText(h.by)} ${h.rule ?? ""}` : (h.rule ?? "default")})`;
    }
    case "cluster": {
      const tls = `${h.tls.mode}${h.tls.sni !== undefined ? `, SNI ${h.tls.sni}` : ""}${h.tls.decidedBy === "auto" ? " (auto mTLS)" : ""}`;
      const dr = h.destinationRule
        ? `${refText(h.destinationRule)}${h.ruleFrom ? ` from the ${h.ruleFrom}` : ""}`
        : "no DestinationRule";
      const svc = h.service === "kubernetes" ? "Kubernetes Service" : refText(h.service);
      const lb = h.balancing !== undefined ? `, by ${h.balancing}` : "";
      const od = h.outlier
        ? `; outlier detection ejects after ${h.outlier.consecutive5xx.value === 0 ? "gateway errors only" : `${h.outlier.consecutive5xx.value} 5xx`}`
        : "";
      return `cluster   ${who(h.proxy)}: ${h.host}:${h.port}${h.subset !== undefined ? ` subset ${h.subset}` : ""} tls ${tls}; ${h.endpoints} endpoint${h.endpoints === 1 ? "" : "s"}${lb}${od}   (${dr}; ${svc})`;
    }
    case "endpoint": {
      const labels = Object.entries(h.labels)
        .map(([k, v]) => `${k}=${v}`)
        .join(",");
      return `endpoint  ${who(h.proxy)}: ${h.address}:${h.port}${labels ? ` [${labels}]` : ""}${h.locality ? ` ${h.locality}` : ""} = ${h.reaches}`;
    }
    case "gateway":
      return `gateway   ${who(h.proxy)}: server ${h.server} (${h.protocol}, ${h.tlsMode}), ${h.matched}   (${refText(h.gateway)})`;
    case "authz":
      return `authz     ${who(h.proxy)}: ${h.verdict.toUpperCase()} ${h.principal ?? "(no peer identity)"}${h.sni !== undefined ? ` SNI ${h.sni}` : ""}: ${h.reason}${h.by ? `   (${refText(h.by)})` : ""}`;
    case "arrive": {
      const td = h.peerTrustDomain;
      const accepted = td
        ? `; the pods accept trust domain ${td.domain} (${td.by}${td.setting ? `, ${td.setting.existing ? "existing " : ""}${td.setting.what}` : ""})`
        : "";
      return `arrive    ${h.cluster}: Kubernetes Service ${h.service}:${h.port}${h.subset !== undefined ? ` subset ${h.subset}` : ""}${accepted}`;
    }
  }
}

function who(p: ProxyRef): string {
  const role = p.role === "sidecar" ? "sidecar" : p.role === "ingress-gateway" ? "ingress gw" : "egress gw";
  return `${p.cluster} ${role}`;
}

export function formatTrace(title: string, trace: Trace): string {
  const lines = [title];
  let n = 0;
  const walk = (t: Trace, indent: string) => {
    for (const h of t.hops) lines.push(`${indent}${String(++n).padStart(2)}. ${hopText(h)}`);
    const end = t.end;
    if (end.kind === "arrived") return;
    if (end.kind === "failed") {
      lines.push(
        `${indent}    FAILED (${end.reason}: ${FAILURES[end.reason]}) in ${end.cluster}: ${end.message}`,
      );
      return;
    }
    lines.push(
      `${indent}    fork by ${end.by === "weights" ? "route weights" : "endpoints (load balanced)"}:`,
    );
    for (const b of end.branches) {
      lines.push(`${indent}    - ${pct(b.share)} ${b.label}`);
      walk(b.trace, `${indent}      `);
    }
  };
  walk(trace, "  ");
  lines.push(outcome(trace));
  return `${lines.join("\n")}\n`;
}

export function outcome(trace: Trace): string {
  const paths = tracePaths(trace);
  const arrived = new Map<string, number>();
  const failed = new Map<string, number>();
  for (const p of paths) {
    const key =
      p.end.kind === "arrived"
        ? `${p.end.service}:${p.end.port}${p.end.subset !== undefined ? ` subset ${p.end.subset}` : ""} in cluster ${p.end.cluster}`
        : `${p.end.reason} in cluster ${p.end.cluster}`;
    const m = p.end.kind === "arrived" ? arrived : failed;
    m.set(key, (m.get(key) ?? 0) + p.share);
  }
  const parts = [
    ...[...arrived].map(([k, s]) => `reached ${k} (${pct(s)})`),
    ...[...failed].map(([k, s]) => `${k} (${pct(s)})`),
  ];
  return `${failed.size === 0 ? "ok" : arrived.size === 0 ? "refused" : "partly refused"}: ${parts.join("; ")}`;
}
