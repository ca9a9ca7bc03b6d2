// One reading of the topology, and what the page asks of it: each cluster's configuration as the
// tracer reads it, the generated file of each object (for the trace's links), verify's matrix, and the
// traces with clusters taken down. Each is built the first time it is asked for and dropped with the
// session when the files change, so that a reload never mixes two readings.

import {
  type ClusterConfig,
  type ClusterOutput,
  createTracer,
  loadClusterConfig,
  meshFactsFromTopology,
  type OutputFile,
  type Topology,
  type TraceInput,
  type Tracer,
} from "../index.js";
import type { FileOf } from "./trace.js";
import { VerifyMatrix } from "./verify-matrix.js";
import type { Loaded } from "./view-model.js";
import { WhatIf } from "./what-if.js";

/** How many "what if" sets of clusters down are kept at once. */
const WHAT_IFS_KEPT = 4;
/** The background job judges verify's checks for this long, then lets requests in. */
const SLICE_MS = 20;

/**
 * A cluster's configuration as the tracer reads it, read from its generated files the first time a
 * trace looks into it: at a hundred clusters, reading them all took seconds before the page's first
 * answer, and a page of the matrix needs a few of them.
 */
function lazyConfig(output: ClusterOutput): ClusterConfig {
  let config: ClusterConfig | undefined;
  const load = () => {
    config ??= loadClusterConfig(output.cluster, output.files).config;
    return config;
  };
  return {
    name: output.cluster,
    get objects() {
      return load().objects;
    },
    get dnsZones() {
      return load().dnsZones;
    },
    get mesh() {
      return load().mesh;
    },
  };
}

export class Session {
  readonly loaded: Loaded;
  #input: TraceInput | undefined;
  #tracer: Tracer | undefined;
  /** Per cluster, each object's generated file, by kind/namespace/name. */
  #files: Map<string, Map<string, string>> | undefined;
  #matrix: VerifyMatrix | undefined;
  readonly #whatIfs = new Map<string, WhatIf>();
  #job: NodeJS.Immediate | undefined;
  #closed = false;

  constructor(loaded: Loaded) {
    this.loaded = loaded;
  }

  /** Cw generated configuration to trace (the topology has no errors). */
  get ready(): boolean {
    return this.loaded.topology !== undefined && this.loaded.outputs.length > 0;
  }

  get topology(): Topology {
    if (!this.loaded.topology) throw new Error("the session has no topology; check ready first");
    return this.loaded.topology;
  }

  get input(): TraceInput {
    if (!this.#input) {
      const clusters = new Map(this.loaded.outputs.map((o) => [o.cluster, lazyConfig(o)]));
      this.#input = { clusters, mesh: meshFactsFromTopology(this.topology) };
    }
    return this.#input;
  }

  /** One tracer for every trace of the session (the matrix, what-ifs, the trace form): it builds each
   * cluster's indexes once, and is dropped with the session when the topology changes. */
  get tracer(): Tracer {
    this.#tracer ??= createTracer(this.input);
    return this.#tracer;
  }

  /** A cluster's generated files, or undefined for a name that is no cluster's. */
  files(cluster: string): readonly OutputFile[] | undefined {
    return this.loaded.outputs.find((o) => o.cluster === cluster)?.files;
  }

  readonly fileOf: FileOf = (cluster, ref) => {
    if ("coreDnsFile" in ref)
      return this.files(cluster)?.some((f) => f.path === ref.coreDnsFile) ? ref.coreDnsFile : undefined;
    if (!this.#files) {
      this.#files = new Map();
      for (const [name, config] of this.input.clusters) {
        const index = new Map<string, string>();
        for (const o of config.objects)
          if (o.file) index.set(`${o.kind}/${o.metadata.namespace}/${o.metadata.name}`, o.file);
        this.#files.set(name, index);
      }
    }
    return this.#files.get(cluster)?.get(`${ref.kind}/${ref.namespace}/${ref.name}`);
  };

  get matrix(): VerifyMatrix {
    this.#matrix ??= new VerifyMatrix(this.topology, this.tracer);
    return this.#matrix;
  }

  /** The traces with these clusters down (none: as generated). */
  whatIf(down: readonly string[]): WhatIf {
    const key = down.join(",");
    let w = this.#whatIfs.get(key);
    if (w) {
      this.#whatIfs.delete(key);
    } else {
      w = new WhatIf(this.topology, this.tracer, new Set(down));
      if (this.#whatIfs.size >= WHAT_IFS_KEPT)
        this.#whatIfs.delete(this.#whatIfs.keys().next().value as string);
    }
    this.#whatIfs.set(key, w);
    return w;
  }

  /** Judges the rest of verify's checks in slices between requests, once. */
  judgeInBackground(): void {
    if (this.#job || this.#closed || !this.ready) return;
    const slice = () => {
      if (this.#closed) return;
      const until = performance.now() + SLICE_MS;
      while (performance.now() < until) {
        if (!this.matrix.step()) return;
      }
      this.#job = setImmediate(slice);
    };
    this.#job = setImmediate(slice);
  }

  close(): void {
    this.#closed = true;
    if (this.#job) clearImmediate(this.#job);
  }
}
