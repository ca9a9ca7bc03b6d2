// Reading hand-written YAML defensively: the interpreter accepts any Istio config, so every field is
// `unknown` until one of these narrows it. A field of the wrong type reads as absent, the way the
// API server would have refused it before Istio ever saw it.

export type Json = Readonly<Record<string, unknown>>;

export const obj = (x: unknown): Json =>
  typeof x === "object" && x !== null && !Array.isArray(x) ? (x as Json) : {};
export const isObj = (x: unknown): x is Json => typeof x === "object" && x !== null && !Array.isArray(x);
export const arr = (x: unknown): readonly unknown[] => (Array.isArray(x) ? x : []);
export const objs = (x: unknown): readonly Json[] => arr(x).filter(isObj);
export const str = (x: unknown): string | undefined => (typeof x === "string" ? x : undefined);
export const strs = (x: unknown): readonly string[] =>
  arr(x).filter((v): v is string => typeof v === "string");
export const num = (x: unknown): number | undefined => {
  if (typeof x === "number" && Number.isFinite(x)) return x;
  if (typeof x === "string" && /^\d+$/.test(x)) return Number(x);
  return undefined;
};
export const labelsOf = (x: unknown): Readonly<Record<string, string>> =>
  Object.fromEntries(Object.entries(obj(x)).filter((e): e is [string, string] => typeof e[1] === "string"));

/** Every label of `selector` is on `labels`; an empty selector selects everything. */
export const selects = (
  selector: Readonly<Record<string, string>>,
  labels: Readonly<Record<string, string>>,
): boolean => Object.entries(selector).every(([k, v]) => labels[k] === v);
