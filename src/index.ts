// The public API of cw: everything a program (or cw's own web UI) may use, each export named. Modules
// not exported here are internal and may change.

export { assumptionsOf } from "./analysis/assumptions.js";
export { meshFactsFromTopology } from "./analysis/mesh-facts.js";
export {
  CHECK_KINDS,
  type Check,
  type CheckKind,
  checkExpectation,
  formatVerify,
  type VerifyInput,
  type VerifyResult,
  verify,
} from "./analysis/verify.js";
export {
  CALLER_NAMESPACE,
  CALLER_SA,
  type Expectation,
  expectations,
  OTHER_CALLER,
  probersOf,
} from "./analysis/verify-expectations.js";
export { type CompileOptions, type CompileResult, compile } from "./compile.js";
export { type Code, catalog, isCode } from "./diagnostics/catalog.js";
export {
  type Diagnostic,
  hasErrors,
  type Level,
  type Location,
  sortDiagnostics,
} from "./diagnostics/diagnostic.js";
export { formatJson, formatText, type LineLookup, summary } from "./diagnostics/format.js";
export type { ClusterOutput, OutputFile } from "./emit/layout.js";
export {
  type Generated,
  LABEL_CLUSTER,
  LABEL_FEDERATION,
  LABEL_SERVICE,
  MANAGED_BY,
  type Resource,
} from "./generate/resource.js";
export { type ApplyOptions, applyCluster, type ClusterApply, type ObjectResult } from "./kube/apply.js";
export {
  FIELD_MANAGER,
  type KubeClient,
  KubeError,
  type KubeObject,
  type KubeRef,
} from "./kube/client.js";
export { type ClusterTarget, diffCluster, type ObjectDiff } from "./kube/diff.js";
export {
  type DiscoveredCluster,
  type DiscoveredService,
  type DiscoverOptions,
  discoverCluster,
} from "./kube/discover.js";
export { type ConnectOptions, connect } from "./kube/node-client.js";
export { isOurs, ownedSelector } from "./kube/ownership.js";
export {
  type MergeOptions,
  type MergeResult,
  mergeDiscovery,
  newTopologyText,
} from "./kube/topology-merge.js";
export { defaultLockPath, EMPTY_LOCK, type Lock, readLock, renderLock } from "./plan/lock.js";
export type { ClusterPlan, Plan, PortPlan, ServicePlan } from "./plan/plan.js";
export { type InputFile, readInputFile } from "./topology/input-file.js";
export { type LegacyFiles, type LegacyResult, readLegacy } from "./topology/legacy.js";
export type { Backend, Cluster, Consumer, Port, Service, Topology } from "./topology/model.js";
export { type ReadResult, readFederation } from "./topology/read.js";
export { federationJsonSchema, PROTOCOLS, type Protocol } from "./topology/schema.js";
export {
  type ClusterConfig,
  type ConfigFile,
  loadClusterConfig,
  type ObjectRef,
  refText,
} from "./trace/config.js";
export { formatTrace, hopText, outcome } from "./trace/format.js";
export type { MeshFacts } from "./trace/mesh.js";
export { parseTargetText, type TargetFields, type TargetText } from "./trace/target-text.js";
export {
  createTracer,
  type Probe,
  type TraceInput,
  type Tracer,
  traceCall,
  traceProbe,
} from "./trace/trace.js";
export {
  type Caller,
  FAILURES,
  type Hop,
  type Target,
  type Trace,
  type TracePath,
  tracePaths,
} from "./trace/types.js";
