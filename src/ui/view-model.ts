// What the web page shows, as plain JSON: the clusters, the service x cluster matrix, who calls whom
// and how, each cluster's generated files, and the diagnostics with their source lines. Built from
// the public API only (readFederation, compile, the plan), and pure: texts in, a view out. The page
// renders every string here as text, never as markup.

import {
  type ClusterOutput,
  type CompileResult,
  compile,
  type Diagnostic,
  EMPTY_LOCK,
  hasErrors,
  type Lock,
  type Plan,
  readFederation,
  readLock,
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
  readonly mode: string;
  /** How the caller's calls are shared: "75%", "by locality", "failover 1"; empty for all of them. */
  readonly share: string;
}

export interface CellView {
  readonly runs: boolean;
  /** Clusters whose calls to the service arrive here. */
  readonly servesTo: readonly string[];
  /** Clusters this cluster's callers reach the service in, with the mode. */
  readonly callsTo: readonly { readonly cluster: string; readonly mode: string; readonly share: string }[];
}

export interface MatrixRow {
  readonly service: string;
  readonly namespace: string;
  readonly cells: Readonly<Record<string, CellView>>;
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
  readonly matrix: readonly MatrixRow[];
  readonly calls: readonly CallView[];
  readonly files: readonly {
    readonly cluster: string;
    readonly files: readonly { readonly path: string; readonly content: string }[];
  }[];
  readonly diagnostics: readonly DiagnosticView[];
  readonly errors: number;
  readonly warnings: number;
}

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
export interface Loaded {
  readonly view: FederationView;
  readonly topology?: Topology;
  readonly outputs: readonly ClusterOutput[];
}

export function buildView(input: ViewInput): Loaded {
  const texts = new Map<string, string[]>();
  const diagnostics: Diagnostic[] = [];
  let topology: Topology | undefined;
  let compiled: CompileResult | undefined;
  if (input.text !== undefined) {
    texts.set(input.file, input.text.split(/\r?\n/));
    const read = readFederation(input.file, input.text);
    diagnostics.push(...read.diagnostics);
    topology = read.topology;
    let lock: Lock = EMPTY_LOCK;
    if (input.lock) {
      texts.set(input.lock.file, input.lock.text.split(/\r?\n/));
      const parsed = readLock(input.lock.file, input.lock.text);
      lock = parsed.lock;
      diagnostics.push(...parsed.diagnostics);
    }
    if (topology) {
      compiled = compile(topology, lock);
      diagnostics.push(...compiled.diagnostics);
    }
  }
  const views = diagnostics.map((d): DiagnosticView => {
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
  const services = [...(topology?.services ?? [])].sort((a, b) => a.name.localeCompare(b.name));
  const calls = plan ? callsOf(plan) : [];
  const view: FederationView = {
    file: input.file,
    name: topology?.name ?? "",
    suffix: topology?.suffix ?? "",
    generation: input.generation,
    clusters: clusters.map((c) => ({
      name: c.name,
      network: c.network,
      ...(c.region !== undefined && { region: c.region }),
      ...(c.zone !== undefined && { zone: c.zone }),
      trustDomain: c.trustDomain,
      istioVersion: c.istioVersion,
      mode: c.mode,
      ingress: { addresses: [...c.ingress.addresses], port: c.ingress.port },
      egress: c.egress !== undefined,
    })),
    services: services.map((s) => {
      const planned = plan?.services.find((p) => p.service.name === s.name);
      return {
        name: s.name,
        namespace: s.namespace,
        hosts: planned ? [...planned.hosts] : [`${s.name}.${topology?.suffix ?? "global"}`],
        ...(planned?.vip ? { vip: planned.vip } : s.vip ? { vip: s.vip.address } : {}),
        ports: s.ports.map((p) => {
          const pp = planned?.ports.find((x) => x.port.name === p.name);
          return {
            name: p.name,
            protocol: p.protocol,
            port: p.port,
            targetPort: p.targetPort,
            ...(pp && { crossing: pp.crossing, sni: pp.sni }),
          };
        }),
        backends: s.backends.map((b) => b.cluster),
      };
    }),
    matrix: services.map((s) => ({
      service: s.name,
      namespace: s.namespace,
      cells: Object.fromEntries(
        clusters.map((c): [string, CellView] => [
          c.name,
          {
            runs: s.backends.some((b) => b.cluster === c.name),
            servesTo: unique(calls.filter((k) => k.service === s.name && k.to === c.name).map((k) => k.from)),
            callsTo: calls
              .filter((k) => k.service === s.name && k.from === c.name)
              .map((k) => ({ cluster: k.to, mode: k.mode, share: k.share })),
          },
        ]),
      ),
    })),
    calls,
    files: outputs.map((o) => ({
      cluster: o.cluster,
      files: o.files.map((f) => ({ path: f.path, content: f.content })),
    })),
    diagnostics: views,
    errors: views.filter((d) => d.level === "error").length,
    warnings: views.filter((d) => d.level !== "error").length,
  };
  return { view, ...(topology && { topology }), outputs };
}

const unique = (xs: readonly string[]): string[] => [...new Set(xs)].sort();

/**
 * Every (caller cluster, backend cluster) pair some route sends calls over, with its mode and how the
 * calls are shared: a split's percentage, "by locality" over several backend clusters, or the place
 * in an explicit failover order.
 */
function callsOf(plan: Plan): CallView[] {
  const calls: CallView[] = [];
  const add = (service: string, from: string, to: string, mode: string, share: string) => {
    const existing = calls.find(
      (c) => c.service === service && c.from === from && c.to === to && c.mode === mode,
    );
    if (!existing) calls.push({ service, from, to, mode, share });
    else if (share !== "" && !existing.share.split(", ").includes(share)) {
      calls.splice(calls.indexOf(existing), 1, {
        ...existing,
        share: existing.share === "" ? share : `${existing.share}, ${share}`,
      });
    }
  };
  for (const s of plan.services) {
    for (const route of s.routes) {
      for (const share of route.shares) {
        if (share.kind !== "remote") continue;
        const part = share.weight < 100 ? `${share.weight}%` : "";
        const name = s.service.name;
        if (share.cluster) {
          add(name, route.caller.name, share.cluster.name, route.mode, part);
          continue;
        }
        route.remotes.forEach((to, i) => {
          const how = route.ordered
            ? i === 0
              ? route.remotes.length > 1
                ? "first"
                : ""
              : `failover ${i}`
            : route.remotes.length > 1
              ? "by locality"
              : "";
          add(name, route.caller.name, to.name, route.mode, [part, how].filter(Boolean).join(" "));
        });
      }
    }
  }
  return calls.sort((a, b) =>
    `${a.service}/${a.from}/${a.to}/${a.mode}`.localeCompare(`${b.service}/${b.from}/${b.to}/${b.mode}`),
  );
}
