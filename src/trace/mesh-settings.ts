// The mesh-wide settings of a cluster that decide how calls go, as the folder states them: Istio's
// MeshConfig (the `istio` ConfigMap's data.mesh, https://istio.io/latest/docs/reference/config/istio.mesh.v1alpha1/)
// and the istiod environment an IstioOperator sets (values.pilot.env). Both the config the cluster
// already has (--existing: its ConfigMap) and the settings cw asks the user to merge (mesh/*.yaml,
// dns/*.yaml IstioOperators) are read; cw's own are applied last, since verify proves the federation
// as it will be once they are merged (an assumption verify prints).

import { parse } from "yaml";
import { isObj, type Json, obj, objs, str, strs } from "./fields.js";

export interface SettingSource {
  /** "ConfigMap istio-system/istio" or "IstioOperator istio-system/coddiwomple-dns". */
  readonly what: string;
  readonly file?: string;
  readonly existing: boolean;
}

export interface Setting<T> {
  readonly value: T;
  readonly from: SettingSource;
}

export interface MeshSettings {
  readonly rootNamespace?: Setting<string>;
  readonly trustDomain?: Setting<string>;
  readonly trustDomainAliases?: Setting<readonly string[]>;
  /** meshConfig.caCertificates[].trustDomains, all entries together. */
  readonly caTrustDomains?: Setting<readonly string[]>;
  /** ISTIO_META_DNS_CAPTURE in defaultConfig.proxyMetadata. */
  readonly dnsCapture?: Setting<boolean>;
  readonly outboundTrafficPolicy?: Setting<"ALLOW_ANY" | "REGISTRY_ONLY">;
  /** istiod's PILOT_SKIP_VALIDATE_TRUST_DOMAIN. */
  readonly skipValidateTrustDomain?: Setting<boolean>;
  /** istiod's ENABLE_ENHANCED_DESTINATIONRULE_MERGE. */
  readonly enhancedDestinationRuleMerge?: Setting<boolean>;
  /** meshConfig.localityLbSetting.enabled (default on). */
  readonly localityLb?: Setting<boolean>;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const truthy = (x: unknown): boolean | undefined => {
  if (typeof x === "boolean") return x;
  if (typeof x === "string")
    return x.toLowerCase() === "true" ? true : x.toLowerCase() === "false" ? false : undefined;
  return undefined;
};

/** The MeshConfig of a ConfigMap named istio or istio-<revision>, if it is one. */
export function meshConfigOfConfigMap(value: Json): Json | undefined {
  const name = str(obj(value.metadata).name) ?? "";
  if (!(name === "istio" || name.startsWith("istio-"))) return undefined;
  const text = str(obj(value.data).mesh);
  if (text === undefined) return undefined;
  try {
    const mesh = parse(text);
    return isObj(mesh) ? mesh : undefined;
  } catch {
    return undefined;
  }
}

/** Folds one source's MeshConfig (and istiod environment) over the settings read so far. */
export function applyMeshConfig(
  settings: MeshSettings,
  mesh: Json,
  env: Json,
  from: SettingSource,
): MeshSettings {
  const out: Mutable<MeshSettings> = { ...settings };
  const set = <K extends keyof MeshSettings>(key: K, value: unknown) => {
    if (value !== undefined) (out as Record<string, unknown>)[key] = { value, from };
  };
  set("rootNamespace", str(mesh.rootNamespace));
  set("trustDomain", str(mesh.trustDomain));
  if (mesh.trustDomainAliases !== undefined) set("trustDomainAliases", strs(mesh.trustDomainAliases));
  if (mesh.caCertificates !== undefined) {
    set(
      "caTrustDomains",
      objs(mesh.caCertificates).flatMap((c) => strs(c.trustDomains)),
    );
  }
  set("dnsCapture", truthy(obj(obj(mesh.defaultConfig).proxyMetadata).ISTIO_META_DNS_CAPTURE));
  const policy = str(obj(mesh.outboundTrafficPolicy).mode)?.toUpperCase();
  set("outboundTrafficPolicy", policy === "REGISTRY_ONLY" || policy === "ALLOW_ANY" ? policy : undefined);
  set("localityLb", truthy(obj(mesh.localityLbSetting).enabled));
  set("skipValidateTrustDomain", truthy(env.PILOT_SKIP_VALIDATE_TRUST_DOMAIN));
  set("enhancedDestinationRuleMerge", truthy(env.ENABLE_ENHANCED_DESTINATIONRULE_MERGE));
  return out;
}

/** An IstioOperator's MeshConfig and istiod environment. */
export function istioOperatorSettings(value: Json): { mesh: Json; env: Json } {
  const spec = obj(value.spec);
  // components.pilot.k8s.env is a list of {name, value}; values.pilot.env a map.
  const listed = objs(obj(obj(obj(spec.components).pilot).k8s).env).flatMap((e) => {
    const name = str(e.name);
    return name === undefined ? [] : [[name, e.value] as const];
  });
  return {
    mesh: obj(spec.meshConfig),
    env: { ...Object.fromEntries(listed), ...obj(obj(obj(spec.values).pilot).env) },
  };
}

export const settingText = (s: Setting<unknown>): string =>
  `${s.from.existing ? "existing " : ""}${s.from.what}${s.from.file ? ` (${s.from.file})` : ""}`;
