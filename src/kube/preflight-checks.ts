// The preflight's lines for one cluster, decided from what was read (preflight-facts.ts) and what the
// topology and the generated config expect: pure, so each line's ✔ and ✘ is table-testable. A ✘ line
// says what was found and what to do, and carries the code `cw explain` tells more about.

import type { ConflictAnalysis } from "../analysis/conflicts/conflict.js";
import type { Code } from "../diagnostics/catalog.js";
import { istioCapabilities } from "../plan/istio-version.js";
import type { Cluster } from "../topology/model.js";
import { describeRef, type KubeObject } from "./client.js";
import { callingNamespaces, coreDnsVerdict, dnsProxyVerdict } from "./dns-capture.js";
import { countStates, objectStatuses } from "./object-status.js";
import type { LiveFacts } from "./preflight-facts.js";

export type Verdict = "pass" | "fail" | "warn";

export interface CheckLine {
  readonly title: string;
  readonly verdict: Verdict;
  /** What was found; for ✘, also what to do. One or more lines. */
  readonly detail: readonly string[];
  readonly code?: Code;
}

export interface ClusterExpectation {
  readonly cluster: Cluster;
  /** What cw generates for the cluster, with hash annotations. */
  readonly generated: readonly KubeObject[];
  readonly suffix: string;
  readonly rootNamespace?: string;
}

export const TITLES = {
  api: "API server reachable",
  version: "Istio version matches istioVersion",
  trustDomain: "trust domain matches",
  port: "ingress gateway Service exposes the mTLS port",
  address: "ingress gateway address matches ingress.addresses",
  account: "ingress gateway service account matches what cw pins",
  dns: "DNS capture is on where global names are called",
  conflicts: "nothing already in the cluster conflicts with the generated config",
  applied: "generated objects are applied and unchanged",
} as const;

const pass = (title: string, ...detail: string[]): CheckLine => ({ title, verdict: "pass", detail });
const fail = (title: string, code: Code, ...detail: string[]): CheckLine => ({
  title,
  verdict: "fail",
  code,
  detail,
});

export function clusterChecks(
  facts: LiveFacts,
  expect: ClusterExpectation,
  analyze: ConflictAnalysis,
): CheckLine[] {
  return [
    pass(TITLES.api),
    versionLine(facts, expect.cluster),
    trustDomainLine(facts, expect.cluster),
    ...gatewayLines(facts, expect.cluster),
    dnsLine(facts, expect),
    conflictsLine(facts, expect, analyze),
    appliedLine(facts, expect),
  ];
}

export const unreachable = (error: string): CheckLine =>
  fail(
    TITLES.api,
    "CW4101",
    `${error}: check the kubeconfig context and that the API server answers; nothing else was checked`,
  );

function versionLine(facts: LiveFacts, cluster: Cluster): CheckLine {
  const wanted = cluster.istioVersion;
  const live = facts.istio?.version;
  if (live === undefined) return fail(TITLES.version, "CW4102", ...facts.istioNotes);
  // "1.30" names a minor release and matches any of its patches; "1.17.1" names one patch.
  const parts = wanted.split(".").length;
  const same = live.split(".").slice(0, parts).join(".") === wanted;
  return same
    ? pass(TITLES.version, `istiod runs ${live}`)
    : fail(
        TITLES.version,
        "CW4102",
        `istiod runs ${live}, the topology says ${wanted}: set istioVersion: "${live.split(".").slice(0, 2).join(".")}" for cluster ${cluster.name} (cw writes API versions and DNS settings for it), or upgrade Istio`,
      );
}

function trustDomainLine(facts: LiveFacts, cluster: Cluster): CheckLine {
  const live = facts.istio?.trustDomain;
  if (live === undefined)
    return fail(
      TITLES.trustDomain,
      "CW4103",
      ...(facts.istioNotes.length > 0 ? facts.istioNotes : ["the mesh config could not be read"]),
    );
  return live === cluster.trustDomain
    ? pass(TITLES.trustDomain, live)
    : fail(
        TITLES.trustDomain,
        "CW4103",
        `the mesh config says ${live}, the topology ${cluster.trustDomain}: other clusters' policies name this cluster's callers by it; set meshConfig.trustDomain (see mesh/ in the cluster's folder) or correct trustDomain for cluster ${cluster.name}`,
      );
}

function gatewayLines(facts: LiveFacts, cluster: Cluster): CheckLine[] {
  const { ingress } = cluster;
  const g = facts.gateway;
  if (!g) {
    const why = facts.gatewayNotes.length > 0 ? facts.gatewayNotes : ["no ingress gateway Service found"];
    return [
      fail(TITLES.port, "CW4104", ...why),
      fail(TITLES.address, "CW4105", ...why),
      fail(TITLES.account, "CW4106", ...why),
    ];
  }
  const service = `${g.namespace}/${g.service}`;
  const port = g.ports.includes(ingress.port)
    ? pass(TITLES.port, `${service} has port ${ingress.port}`)
    : fail(
        TITLES.port,
        "CW4104",
        `${service} has ports ${g.ports.join(", ") || "none"}, not ${ingress.port}, where other clusters send mTLS: add the port to the Service (and the gateway), or set ingress.port for cluster ${cluster.name}`,
      );
  const missing = ingress.addresses.filter((a) => !g.addresses.includes(a));
  const address =
    g.addresses.length === 0
      ? fail(
          TITLES.address,
          "CW4105",
          `${service} has no external address yet: other clusters cannot reach it; wait for the load balancer, or give it one`,
        )
      : missing.length === 0 && ingress.addresses.length > 0
        ? pass(TITLES.address, g.addresses.join(", "))
        : fail(
            TITLES.address,
            "CW4105",
            `${service} is reached at ${g.addresses.join(", ")}, the topology says ${ingress.addresses.join(", ") || "nothing"}: set ingress.addresses for cluster ${cluster.name} (cw discover --write fills it in)`,
          );
  const account =
    g.serviceAccount === undefined
      ? fail(TITLES.account, "CW4106", ...facts.gatewayNotes)
      : g.serviceAccount === ingress.serviceAccount
        ? pass(TITLES.account, g.serviceAccount)
        : fail(
            TITLES.account,
            "CW4106",
            `the gateway's pods run as ${g.serviceAccount}, cw pins ${ingress.serviceAccount} in the names callers check, so every handshake with this gateway fails: set ingress.serviceAccount: ${g.serviceAccount} for cluster ${cluster.name} (cw discover --write fills it in)`,
          );
  return [port, address, account];
}

function dnsLine(facts: LiveFacts, expect: ClusterExpectation): CheckLine {
  const callers = callingNamespaces(expect.generated);
  const verdict =
    istioCapabilities(expect.cluster.istioVersion).dns === "coredns"
      ? callers.size === 0
        ? { ok: true, detail: "no workload here calls a global name" }
        : coreDnsVerdict(facts.corefile, expect.suffix)
      : dnsProxyVerdict(facts.existing.objects, callers, expect.rootNamespace ?? "istio-system");
  return verdict.ok ? pass(TITLES.dns, verdict.detail) : fail(TITLES.dns, "CW4107", verdict.detail);
}

function conflictsLine(facts: LiveFacts, expect: ClusterExpectation, analyze: ConflictAnalysis): CheckLine {
  const name = expect.cluster.name;
  const found = analyze(new Map([[name, expect.generated]]), new Map([[name, facts.existing.objects]]));
  const read = facts.existing.objects.length;
  if (found.length === 0)
    return pass(TITLES.conflicts, `${read} existing object${read === 1 ? "" : "s"} read`);
  const lines = found.map((d) => `${d.code}: ${d.message.replace(`cluster ${name}: `, "")}`);
  return found.some((d) => d.level === "error")
    ? { title: TITLES.conflicts, verdict: "fail", detail: lines }
    : { title: TITLES.conflicts, verdict: "warn", detail: lines };
}

function appliedLine(facts: LiveFacts, expect: ClusterExpectation): CheckLine {
  const statuses = objectStatuses(expect.generated, facts.existing.ours, facts.existing.objects);
  const counts = countStates(statuses);
  const total = expect.generated.length;
  if (counts["in-sync"] === total && counts.extra === 0)
    return pass(TITLES.applied, `${total} of ${total} in sync`);
  const say: Record<string, string> = {
    missing: "not applied",
    "not-ours": "blocked by an object cw did not create",
    edited: "changed in the cluster",
    outdated: "an older generation",
    extra: "no longer generated (prune them)",
  };
  const detail = Object.entries(say).flatMap(([state, words]) => {
    const of = statuses.filter((s) => s.state === state);
    if (of.length === 0) return [];
    const names = of
      .slice(0, 3)
      .map((s) => describeRef(s.ref))
      .join(", ");
    return [`${of.length} ${words}: ${names}${of.length > 3 ? `, and ${of.length - 3} more` : ""}`];
  });
  return fail(
    TITLES.applied,
    "CW4108",
    `${counts["in-sync"]} of ${total} in sync`,
    ...detail,
    "apply them (cw apply, or let your GitOps engine sync), and see cw diff for what differs",
  );
}
