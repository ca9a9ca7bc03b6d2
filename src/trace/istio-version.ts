// The Istio release a cluster runs, as the tracer reads it: behaviour that changed between releases
// is decided by these comparisons, and each hop that depends on one says which release's rule it
// applied (behaviours.ts lists them with the Istio source they come from). The tracer parses versions
// itself: it never reads cw's planner, so it stays an independent check of it.
//
// A version written as a minor release only ("1.17") is read as its first patch (1.17.0): a rule that
// arrived in a later patch (1.17.2) is then taken as absent, the side on which a call is not promised.

export interface IstioVersion {
  readonly minor: number;
  readonly patch: number;
  /** As written, or "1.30 (assumed)" when nothing said which release the cluster runs. */
  readonly text: string;
  /** True when no topology or setting gave the version and the tracer assumed the newest. */
  readonly assumed: boolean;
}

/** The newest release the tracer models; a cluster of unknown release is taken to run it. */
export const NEWEST: IstioVersion = { minor: 30, patch: 3, text: "1.30 (assumed)", assumed: true };

/** "1.22", "1.22.3", "v1.22.3-distroless"; undefined when it is not a 1.x release. */
export function parseIstioVersion(text: string): IstioVersion | undefined {
  const m = /^v?1\.(\d+)(?:\.(\d+))?(?:[-+].*)?$/.exec(text.trim());
  if (!m?.[1]) return undefined;
  return { minor: Number(m[1]), patch: Number(m[2] ?? "0"), text: text.trim(), assumed: false };
}

/** Is `v` at least 1.<minor>.<patch>? */
export const atLeast = (v: IstioVersion, minor: number, patch = 0): boolean =>
  v.minor > minor || (v.minor === minor && v.patch >= patch);

/** "Istio 1.22" for hop text. */
export const releaseText = (v: IstioVersion): string => `Istio ${v.text}`;

/**
 * Does the release's API server serve this apiVersion (its CRDs)? networking.istio.io/v1 and
 * security.istio.io/v1 arrived in 1.22, networking v1beta1 in 1.5, security v1beta1 in 1.4. An
 * object of an unserved version is refused by the API server: the cluster never has it.
 */
export function serves(v: IstioVersion, apiVersion: string): boolean {
  const [group = "", version = ""] = apiVersion.split("/");
  if (group === "networking.istio.io") {
    if (version === "v1") return atLeast(v, 22);
    if (version === "v1beta1") return atLeast(v, 5);
    return version === "v1alpha3";
  }
  if (group === "security.istio.io") {
    if (version === "v1") return atLeast(v, 22);
    return version === "v1beta1" && atLeast(v, 4);
  }
  return true;
}
