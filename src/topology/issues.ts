// Turns zod's schema issues into coded diagnostics with positions. The zod schema decides *what* is
// wrong; this module decides which code it is, where to point, and what to tell the user to do.

import type { z } from "zod";
import { diag } from "../diagnostics/catalog.js";
import type { Diagnostic, Location } from "../diagnostics/diagnostic.js";
import { gatewayAddressProblem } from "./gateway-address.js";
import {
  type CustomProblem,
  DNS1123_LABEL,
  DNS1123_SUBDOMAIN,
  IPV4,
  IPV4_CIDR,
  ISTIO_VERSION,
  LABEL_KEY,
  LABEL_VALUE,
  PROTOCOLS,
} from "./schema.js";
import { type Path, type PathSegment, type Source, valueAt } from "./source.js";

// Port fields of both input formats: the Federation and the original Coddiwomple files.
const PORT_FIELDS = new Set(["port", "targetPort", "service_port", "backend_port"]);

/** The zod schema that describes the value at `path` below `schema`, if the path leads anywhere. */
function schemaAt(schema: z.ZodType, path: Path): z.ZodType | undefined {
  let current: z.ZodType | undefined = schema;
  for (const seg of path) {
    current = unwrap(current);
    const def = (current as unknown as { _zod: { def: Record<string, unknown> } } | undefined)?._zod.def;
    if (!def) return undefined;
    if (def.type === "object" && typeof seg === "string")
      current = (def.shape as Record<string, z.ZodType>)[seg];
    else if (def.type === "array") current = def.element as z.ZodType;
    else if (def.type === "record") current = def.valueType as z.ZodType;
    else return undefined;
  }
  return unwrap(current);
}

function unwrap(schema: z.ZodType | undefined): z.ZodType | undefined {
  let s = schema;
  while (s) {
    const def = (s as unknown as { _zod: { def: { type: string; innerType?: z.ZodType } } })._zod.def;
    if ((def.type === "optional" || def.type === "default" || def.type === "nullable") && def.innerType) {
      s = def.innerType;
    } else break;
  }
  return s;
}

function knownKeys(schema: z.ZodType, path: Path): string[] {
  const s = schemaAt(schema, path) as unknown as
    | { _zod: { def: { type: string; shape?: object } } }
    | undefined;
  return s?._zod.def.type === "object" && s._zod.def.shape ? Object.keys(s._zod.def.shape) : [];
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j] ?? 0;
      row[j] = Math.min((row[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length] ?? 0;
}

/** "did you mean" for a misspelt word among the candidates, or "". */
export function suggestion(word: string, candidates: readonly string[]): string {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  // A third of the word may be wrong, but not all of it: among one- and two-letter cluster names,
  // every other name is a letter or two away, and suggesting one would only mislead.
  const close = bestDistance <= Math.max(1, Math.floor(word.length / 3)) && bestDistance < word.length;
  return best !== undefined && close ? ` (did you mean "${best}"?)` : "";
}

/**
 * A value as the user wrote it, in JSON's notation, cut short when long (a message quotes a value, it
 * does not reproduce a file). Infinity, which YAML reads 1e400 as, is not "null" as JSON has it.
 */
const show = (v: unknown): string => {
  if (typeof v === "number" && !Number.isFinite(v)) return String(v);
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 80 ? `${text.slice(0, 60)}... (${text.length} characters)` : text;
};
const typeName = (v: unknown): string =>
  v === null
    ? "empty"
    : Array.isArray(v)
      ? "a list"
      : typeof v === "object"
        ? "a mapping"
        : typeof v === "string"
          ? `text (${show(v)})`
          : show(v);
const expectedName = (e: string): string =>
  (
    ({
      object: "a mapping",
      record: "a mapping",
      array: "a list",
      string: "text",
      number: "a number",
      int: "a whole number",
      boolean: "true or false",
    }) as Record<string, string>
  )[e] ?? e;

/** What to do about a value of the wrong type, in the words of a YAML or JSON author. */
function retype(expected: string, value: unknown): string {
  if (value === null) return `give it ${expectedName(expected)}, or remove the field`;
  if ((expected === "number" || expected === "int") && typeof value === "string" && value.trim() !== "") {
    if (!Number.isNaN(Number(value))) return "remove the quotes";
  }
  if (expected === "int" && typeof value === "number") return "use a whole number";
  if (expected === "string" && (typeof value === "number" || typeof value === "boolean"))
    return "put it in quotes";
  if (expected === "array") return "write it as a list, e.g. [a, b] or lines starting with '- '";
  if (expected === "object" || expected === "record") return "write it as a mapping of key: value lines";
  return `write ${expectedName(expected)} here`;
}

const fieldName = (path: Path): string => {
  const last = [...path].reverse().find((s) => typeof s === "string");
  return last === undefined ? "the document" : `"${last}"`;
};

const LIST_ITEMS: Readonly<Record<string, string>> = {
  clusters: "cluster",
  services: "service",
  ports: "port",
};

/** What a name names, as in "a valid name for the port"; the field itself for other fields. */
function nameOwner(path: Path): string {
  if (path.at(-1) !== "name") return fieldName(path);
  const list = path.at(-3);
  if (typeof list === "string" && LIST_ITEMS[list]) return `the ${LIST_ITEMS[list]}`;
  if (path.length === 2 && path[0] === "metadata") return "the federation";
  return fieldName(path);
}

// Each pattern of schema.ts has its own code and advice; zod reports a failed pattern as its text.
type PatternReport = (value: string, path: Path, where: Location) => Diagnostic;
const PATTERNS: ReadonlyMap<string, PatternReport> = new Map<string, PatternReport>([
  [String(DNS1123_LABEL), (value, p, w) => diag("CW1005", { kind: "label", value, owner: nameOwner(p) }, w)],
  [
    String(DNS1123_SUBDOMAIN),
    (value, p, w) => diag("CW1005", { kind: "subdomain", value, owner: fieldName(p) }, w),
  ],
  [String(IPV4_CIDR), (value, _, w) => diag("CW1014", { kind: "cidr", value }, w)],
  [String(IPV4), (value, _, w) => diag("CW1014", { kind: "ipv4", value }, w)],
  [
    String(LABEL_KEY),
    (value, p, w) => diag("CW1035", { kind: "key", value, field: fieldName(p.slice(0, -1)) }, w),
  ],
  [
    String(LABEL_VALUE),
    (value, p, w) => diag("CW1035", { kind: "value", value, label: String(p.at(-1)) }, w),
  ],
  [String(ISTIO_VERSION), (v, _, w) => diag("CW1017", { kind: "not-1x", version: v }, w)],
]);

export interface IssueOptions {
  /**
   * How an unknown field is reported: an error (CW1002) in cw's own format, where it is most likely a
   * typo that would be ignored; a warning (CW1038) in the original Coddiwomple's files, which the
   * original read leniently (its own README's example has a misspelt field).
   */
  readonly unknownFields?: "error" | "warning";
}

const customProblem = (issue: z.core.$ZodIssue): CustomProblem | undefined =>
  issue.code === "custom" ? (issue.params as { cw?: CustomProblem } | undefined)?.cw : undefined;

/**
 * The issues zod would have raised for keys named "__proto__" of a mapping of names (labels, the
 * original's backends), which it skips without a word, since assigning one would set the prototype:
 * a label or a backend written under that name would otherwise vanish from the input unreported.
 */
export function hiddenKeyIssues(schema: z.ZodType, input: unknown): z.core.$ZodIssue[] {
  const out: z.core.$ZodIssue[] = [];
  // One path, grown and shrunk as the walk goes: it runs over every value of every cluster and
  // service, and a key named "__proto__" is rare, so a path is copied only for an issue.
  const path: PathSegment[] = [];
  const walk = (value: unknown): void => {
    if (value === null || typeof value !== "object") return;
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        path.push(i);
        walk(value[i]);
        path.pop();
      }
      return;
    }
    for (const key of Object.keys(value)) {
      if (key === "__proto__") out.push(...hiddenKeyIssue(schema, path, key));
      path.push(key);
      walk((value as Record<string, unknown>)[key]);
      path.pop();
    }
  };
  walk(input);
  return out;
}

/** The issue for a key "__proto__" at `path`, if the schema there is a record (a mapping of names). */
function hiddenKeyIssue(schema: z.ZodType, path: Path, key: string): z.core.$ZodIssue[] {
  const record = schemaAt(schema, path) as unknown as
    | { _zod: { def: { type: string; keyType?: z.ZodType } } }
    | undefined;
  const keyType = record?._zod.def.type === "record" ? record._zod.def.keyType : undefined;
  if (!keyType) return [];
  const parsed = keyType.safeParse(key);
  return [
    {
      code: "invalid_key",
      origin: "record",
      issues: parsed.success ? [] : parsed.error.issues,
      input: key,
      path: [...path, key],
      message: "Invalid key in record",
    },
  ];
}

/** One zod issue, resolved against the source: where it points and how to report there. */
interface IssueAt {
  readonly schema: z.ZodType;
  readonly source: Source;
  readonly options: IssueOptions;
  /** The issue's path below the schema, and from the top of the source. */
  readonly rel: Path;
  readonly path: Path;
  readonly value: unknown;
  readonly where: Location;
  /** The field's name as the user wrote it, for messages. */
  readonly field: string;
  readonly report: (d: Diagnostic) => void;
}

/** Convert zod issues for the value at `base` in `source` into diagnostics. */
export function issuesToDiagnostics(
  issues: readonly z.core.$ZodIssue[],
  schema: z.ZodType,
  source: Source,
  base: Path,
  options: IssueOptions = {},
): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const issue of issues) {
    const rel = issue.path.filter((s): s is string | number => typeof s !== "symbol");
    const path = [...base, ...rel];
    const at: IssueAt = {
      schema,
      source,
      options,
      rel,
      path,
      value: valueAt(source.data, path),
      where: source.locate(path),
      field: fieldName(path),
      report: (d) => out.push(d),
    };
    reportIssue(issue, at);
  }
  return out;
}

function reportIssue(issue: z.core.$ZodIssue, at: IssueAt): void {
  const { field, value, where, report } = at;
  switch (issue.code) {
    case "unrecognized_keys":
      unrecognizedKeys(issue.keys, at);
      break;
    case "invalid_type":
      invalidType(issue.expected, at);
      break;
    case "invalid_value":
      invalidValue(issue.values, at);
      break;
    case "too_small":
    case "too_big":
      outOfRange(issue, at);
      break;
    case "invalid_format": {
      const rule = "pattern" in issue ? PATTERNS.get(String(issue.pattern)) : undefined;
      if (rule) report(rule(show(value), at.path, where));
      else {
        const args = { kind: "not-allowed", field, value: show(value), detail: issue.message } as const;
        report(diag("CW1003", args, where));
      }
      break;
    }
    case "invalid_key":
      invalidKey(issue.issues[0], at);
      break;
    case "custom":
      customIssue(issue, at);
      break;
    default:
      report(diag("CW1003", { kind: "invalid", field, detail: issue.message }, where));
  }
}

function invalidValue(values: readonly unknown[], { path, value, field, where, report }: IssueAt): void {
  if (path.at(-1) === "protocol") {
    const hint = suggestion(String(value), PROTOCOLS);
    report(diag("CW1007", { value: show(value), hint, protocols: PROTOCOLS }, where));
  } else {
    const allowed = values.map((v) => show(v)).join(" or ");
    report(diag("CW1003", { kind: "not-allowed", field, value: show(value), allowed }, where));
  }
}

function unrecognizedKeys(
  keys: readonly string[],
  { schema, source, options, rel, path, report }: IssueAt,
): void {
  for (const key of keys) {
    const args = { key: show(key), hint: suggestion(key, knownKeys(schema, rel)) };
    const where = source.locate([...path, key], "key");
    report(options.unknownFields === "warning" ? diag("CW1038", args, where) : diag("CW1002", args, where));
  }
}

function invalidType(expected: string, { source, path, value, where, field, report }: IssueAt): void {
  if (value === undefined) {
    // Point at the mapping that lacks the field: its first key, where the new line would go.
    report(diag("CW1004", { field }, source.locate(path.slice(0, -1))));
  } else if (typeof value === "number" && !Number.isFinite(value)) {
    // YAML reads a number too large for a double (1e400) as infinity: quote what was written.
    const last = path.at(-1);
    const written = source.lineText(where.line).substr(where.col - 1, Math.min(where.length, 40));
    if (typeof last === "string" && PORT_FIELDS.has(last)) report(diag("CW1006", { port: written }, where));
    else report(diag("CW1003", { kind: "too-large", field, written }, where));
  } else if (path.at(-1) === "istioVersion") {
    report(diag("CW1017", { kind: "not-text", actual: typeName(value) }, where));
  } else {
    const args = {
      kind: "type",
      field,
      expected: expectedName(expected),
      actual: typeName(value),
      advice: retype(expected, value),
    } as const;
    report(diag("CW1003", args, where));
  }
}

function outOfRange(
  issue: z.core.$ZodIssueTooSmall | z.core.$ZodIssueTooBig,
  { path, value, field, where, report }: IssueAt,
): void {
  const last = path.at(-1);
  if (typeof last === "string" && PORT_FIELDS.has(last) && typeof value === "number") {
    report(diag("CW1006", { port: String(value) }, where));
  } else if (issue.origin === "array" && issue.code === "too_small") {
    report(diag("CW1004", { field, emptyList: { minimum: Number(issue.minimum) } }, where));
  } else if (issue.origin === "string" && issue.code === "too_small") {
    report(diag("CW1003", { kind: "empty-text", field }, where));
  } else if (issue.origin === "string" && issue.code === "too_big") {
    const args = {
      kind: "too-long",
      value: show(value),
      maximum: Number(issue.maximum),
      owner: nameOwner(path),
    } as const;
    report(diag("CW1005", args, where));
  } else {
    report(diag("CW1003", { kind: "out-of-range", field, value: show(value), detail: issue.message }, where));
  }
}

/** A key of a mapping of names (labels, the original's backends): pointed at, key first. */
function invalidKey(inner: z.core.$ZodIssue | undefined, { source, path, report }: IssueAt): void {
  const rule = inner && "pattern" in inner ? PATTERNS.get(String(inner.pattern)) : undefined;
  const key = show(String(path.at(-1)));
  const atKey = source.locate(path, "key");
  if (rule) report(rule(key, path, atKey));
  else if (inner && customProblem(inner) === "label-prefix-too-long")
    report(diag("CW1035", { kind: "prefix", value: key }, atKey));
  else report(diag("CW1003", { kind: "key", key }, atKey));
}

function customIssue(issue: z.core.$ZodIssue, { value, field, where, report }: IssueAt): void {
  // The schema raised gateway-address from the same function, so it has a problem to say.
  const address =
    customProblem(issue) === "gateway-address" ? gatewayAddressProblem(String(value)) : undefined;
  if (customProblem(issue) === "empty-selector") report(diag("CW1036", { field }, where));
  else if (address)
    report(diag("CW1014", { kind: "gateway-address", value: show(value), problem: address }, where));
  else report(diag("CW1003", { kind: "invalid", field, detail: issue.message }, where));
}
