// What the web page shows, as plain JSON: the clusters, the service x cluster matrix, who calls whom
// and how, each cluster's generated files, and the diagnostics with their source lines. Built from
// the public API only (readFederation, compile, the plan), and pure: texts in, a view out. The page
// renders every string here as text, never as markup.

import { byText } from "../compare.js";
import {
  type Cluster,
  type ClusterOutput,
  compile,
  type Diagnostic,
  EMPTY_LOCK,
  hasErrors,
  type Lock,
  type Plan,
  readFederation,
  readLock,
  type Service,
  sortDiagnostics,
  type Topology,
} from "../index.js";

export interface ClusterView {
  readonly name: string;
  readonly network: string;
  readonly region?: string;
  readonly zone?: string;
  readonly trustDomain: string;
  readonly istioVersion: string;
  readonly mode: string;
  readonly ingress: { readonly addresses: readonly string[]; readonly port: number };
  readonly egress: boolean;
}

export interface PortView {
  readonly name: string;
  readonly protocol: string;
  readonly port: number;
  readonly targetPort: number;
  /** How it crosses a remote ingress gateway, and with which SNI, when the plan says. */
  readonly crossing?: string;
  readonly sni?: string;
}

export interface ServiceView {
  readonly name: string;
  readonly namespace: string;
  readonly hosts: readonly string[];
  readonly vip?: string;
  readonly ports: readonly PortView[];
  readonly backends: readonly string[];
}

export interface CallView {
  readonly service: string;
  readonly from: string;
  readonly to: string;
  /** gateway, passthrough or egress; "local" for a split's share that stays in the calling cluster. */
  readonly mode: string;
  /** How the caller's calls are shared: "75%", "by locality", "failover 1"; empty for all of them. */
  readonly share: string;
  /** The subset a split's share goes to. */
  readonly subset?: string;
}

export interface DiagnosticView {
  readonly code: string;
  readonly level: string;
  readonly message: string;
  readonly file?: string;
  readonly line?: number;
  readonly col?: number;
  readonly length?: number;
  /** The source line the diagnostic points at. */
  readonly source?: string;
}

export interface FederationView {
  readonly file: string;
  readonly name: string;
  readonly suffix: string;
  /** Counts reloads, so the page can tell a new view from the one it has. */
  readonly generation: number;
  readonly clusters: readonly ClusterView[];
  readonly services: readonly ServiceView[];
  /** Who calls whom, as the plan routes it (the page builds the service x cluster matrix from it). */
  readonly calls: readonly CallView[];
  /** How many files cw generated per cluster; none when the topology has errors. The page asks for
   * a cluster's list (/api/files) and a file's text (/api/file) when it shows them. */
  readonly files: readonly { readonly cluster: string; readonly count: number }[];
  readonly diagnostics: readonly DiagnosticView[];
  readonly errors: number;
  readonly warnings: number;
  /** What the picture draws when the page names nothing: everything, or a few services. */
  readonly picture: { readonly all: boolean; readonly focus: readonly string[] };
}

/** Up to these, the picture draws every cluster and service; past them, the services chosen. */
export const PICTURE_ALL = { services: 40, clusters: 16 };

export interface ViewInput {
  readonly file: string;
  /** Undefined when the file could not be read; `problem` says why. */
  readonly text?: string;
  readonly problem?: string;
  readonly lock?: { readonly file: string; readonly text: string };
  /** Why the lock file, which exists, could not be read. */
  readonly lockProblem?: string;
  readonly generation: number;
}

/** The view, and what the trace endpoint needs: the topology and each cluster's output. */
export interface BuiltView {
  readonly view: FederationView;
  readonly topology?: Topology;
  readonly outputs: readonly ClusterOutput[];
}

export function buildView(input: ViewInput): BuiltView {
  const { texts, diagnostics, topology, compiled } = readInput(input);
  const views = diagnosticViews(diagnostics, texts);
  if (input.lockProblem !== undefined) {
    diagnostics.push({ code: "CW2001", level: "error", message: input.lockProblem });
    views.unshift({ code: "CW2001", level: "error", message: input.lockProblem });
  }
  if (input.problem !== undefined) {
    views.unshift({ code: "CW1039", level: "error", message: input.problem, file: input.file });
  }
  const plan = compiled?.plan;
  // As cw generate: a topology with any error (reading it or compiling it) generates nothing.
  const outputs = hasErrors(diagnostics) ? [] : (compiled?.clusters ?? []);
  const clusters = topology?.clusters ?? [];
  const services = [...(topology?.services ?? [])].sort(byText((s) => s.name));
  const view: FederationView = {
    file: input.file,
    name: topology?.name ?? "",
    suffix: topology?.suffix ?? "",
    generation: input.generation,
    clusters: clusters.map(clusterView),
    services: serviceViews(services, plan, topology?.suffix ?? "global"),
    calls: plan ? callsOf(plan) : [],
    files: outputs.map((o) => ({ cluster: o.cluster, count: o.files.length })),
    diagnostics: views,
    errors: views.filter((d) => d.level === "error").length,
    warnings: views.filter((d) => d.level !== "error").length,
    picture: pictureDefault(services, clusters.length, plan),
  };
  return { view, ...(topology && { topology }), outputs };
}

/** The topology and lock read and compiled as cw generate would, with each file's lines. */
function readInput(input: ViewInput) {
  const texts = new Map<string, string[]>();
  const diagnostics: Diagnostic[] = [];
  if (input.text === undefined) return { texts, diagnostics };
  texts.set(input.file, input.text.split(/\r?\n/));
  const read = readFederation(input.file, input.text);
  diagnostics.push(...read.diagnostics);
  let lock: Lock = EMPTY_LOCK;
  if (input.lock) {
    texts.set(input.lock.file, input.lock.text.split(/\r?\n/));
    const parsed = readLock(input.lock.file, input.lock.text);
    lock = parsed.lock;
    diagnostics.push(...parsed.diagnostics);
  }
  const compiled = read.topology ? compile(read.topology, lock) : undefined;
  if (compiled) diagnostics.push(...compiled.diagnostics);
  return {
    texts,
    diagnostics,
    ...(read.topology && { topology: read.topology }),
    ...(compiled && { compiled }),
  };
}

/** In the order the CLI prints them: by file, line and column, then code; with the source line. */
function diagnosticViews(
  diagnostics: readonly Diagnostic[],
  texts: ReadonlyMap<string, string[]>,
): DiagnosticView[] {
  return sortDiagnostics(diagnostics).map((d): DiagnosticView => {
    const loc = d.location;
    const source = loc && texts.get(loc.file)?.[loc.line - 1];
    return {
      code: d.code,
      level: d.level,
      message: d.message,
      ...(loc && { file: loc.file, line: loc.line, col: loc.col, length: loc.length }),
      ...(source !== undefined && { source }),
    };
  });
}

const clusterView = (c: Cluster): ClusterView => ({
  name: c.name,
  network: c.network,
  ...(c.region !== undefined && { region: c.region }),
  ...(c.zone !== undefined && { zone: c.zone }),
  trustDomain: c.trustDomain,
  istioVersion: c.istioVersion,
  mode: c.mode,
  ingress: { addresses: [...c.ingress.addresses], port: c.ingress.port },
  egress: c.egress !== undefined,
});

function serviceViews(
  services: readonly Service[],
  plan: Plan | undefined,
  suffix: string,
): FederationView["services"] {
  // The first plan of a name, as a search would find it (a name given twice is an error anyway).
  const planned = new Map([...(plan?.services ?? [])].reverse().map((p) => [p.service.name, p]));
  return services.map((s) => {
    const p = planned.get(s.name);
    return {
      name: s.name,
      namespace: s.namespace,
      hosts: p ? [...p.hosts] : [`${s.name}.${suffix}`],
      ...(p?.vip ? { vip: p.vip } : s.vip ? { vip: s.vip.address } : {}),
      ports: s.ports.map((port) => {
        const pp = p?.ports.find((x) => x.port.name === port.name);
        return {
          name: port.name,
          protocol: port.protocol,
          port: port.port,
          targetPort: port.targetPort,
          ...(pp && { crossing: pp.crossing, sni: pp.sni }),
        };
      }),
      backends: s.backends.map((b) => b.cluster),
    };
  });
}

function pictureDefault(services: readonly { name: string }[], clusters: number, plan: Plan | undefined) {
  if (services.length <= PICTURE_ALL.services && clusters <= PICTURE_ALL.clusters)
    return { all: true, focus: [] };
  // A large federation: the first service some cluster calls across clusters, to start with.
  const called = plan?.services.find((s) => s.routes.length > 0)?.service.name ?? services[0]?.name;
  return { all: false, focus: called !== undefined ? [called] : [] };
}

/**
 * Every (caller cluster, backend cluster, subset) some route sends calls to, with its mode and how the
 * calls are shared: a split's percentage (a share the split keeps in the calling cluster is "local"),
 * "by locality" over several backend clusters, or the place in an explicit failover order.
 */
function callsOf(plan: Plan): CallView[] {
  const calls = new Map<string, CallView>();
  const add = (call: CallView) => {
    const key = `${call.service}/${call.from}/${call.to}/${call.mode}/${call.subset ?? ""}`;
    const existing = calls.get(key);
    if (!existing) calls.set(key, call);
    else if (call.share !== "" && !existing.share.split(", ").includes(call.share)) {
      const share = existing.share === "" ? call.share : `${existing.share}, ${call.share}`;
      calls.set(key, { ...existing, share });
    }
  };
  for (const s of plan.services) {
    for (const route of s.routes) {
      for (const share of route.shares) {
        const part = share.weight < 100 ? `${share.weight}%` : "";
        const base = {
          service: s.service.name,
          from: route.caller.name,
          ...(share.subset && { subset: share.subset.name }),
        };
        if (share.kind === "local") {
          add({ ...base, to: route.caller.name, mode: "local", share: part });
        } else if (share.cluster) {
          add({ ...base, to: share.cluster.name, mode: route.mode, share: part });
        } else {
          route.remotes.forEach((to, i) => {
            const how = remoteRank(route.ordered, i, route.remotes.length);
            add({ ...base, to: to.name, mode: route.mode, share: [part, how].filter(Boolean).join(" ") });
          });
        }
      }
    }
  }
  const key = (c: CallView) => `${c.service}/${c.from}/${c.to}/${c.mode}/${c.subset ?? ""}`;
  return [...calls.values()].sort(byText(key));
}

/** Where one of several backend clusters stands for a caller: first, failover n, or by locality. */
function remoteRank(ordered: boolean, i: number, of: number): string {
  if (of < 2) return "";
  if (!ordered) return "by locality";
  return i === 0 ? "first" : `failover ${i}`;
}
