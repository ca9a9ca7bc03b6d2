// Turns zod's schema issues into coded diagnostics with positions. The zod schema decides *what* is
// wrong; this module decides which code it is, where to point, and what to tell the user to do.

import type { z } from "zod";
import { type Code, diag } from "../diagnostics/catalog.js";
import type { Diagnostic, Location } from "../diagnostics/diagnostic.js";
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
const PATTERNS: ReadonlyMap<string, { code: Code; advice: (value: string, path: Path) => string }> = new Map([
  [
    String(DNS1123_LABEL),
    {
      code: "CW1005",
      advice: (v, p) =>
        `${v} is not a valid name for ${nameOwner(p)}; use lower-case letters, digits and '-', starting and ending with a letter or digit`,
    },
  ],
  [
    String(DNS1123_SUBDOMAIN),
    {
      code: "CW1005",
      advice: (v, p) =>
        `${v} is not a valid DNS name for ${fieldName(p)}; use lower-case DNS labels joined by dots, such as reviews.default`,
    },
  ],
  [
    String(IPV4_CIDR),
    { code: "CW1014", advice: (v) => `${v} is not an IPv4 CIDR block; write it like 240.241.0.0/16` },
  ],
  [
    String(IPV4),
    { code: "CW1014", advice: (v) => `${v} is not an IPv4 address; write it like 240.241.0.10` },
  ],
  [
    String(LABEL_KEY),
    {
      code: "CW1035",
      advice: (v, p) =>
        `${v} is not a valid label key in ${fieldName(p.slice(0, -1))}; use up to 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit, optionally after a DNS prefix and '/', such as app or app.kubernetes.io/name`,
    },
  ],
  [
    String(LABEL_VALUE),
    {
      code: "CW1035",
      advice: (v, p) =>
        `${v} is not a valid value for label "${String(p.at(-1))}"; use up to 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit (or nothing)`,
    },
  ],
  [
    String(ISTIO_VERSION),
    {
      code: "CW1017",
      advice: (v) => `${v} is not an Istio 1.x release; write the release like "1.30" or "1.30.3"`,
    },
  ],
] as const);

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
  const walk = (value: unknown, path: PathSegment[]): void => {
    if (Array.isArray(value)) {
      value.forEach((v, i) => {
        walk(v, [...path, i]);
      });
      return;
    }
    if (value === null || typeof value !== "object") return;
    for (const key of Object.keys(value)) {
      if (key === "__proto__") {
        const record = schemaAt(schema, path) as unknown as
          | { _zod: { def: { type: string; keyType?: z.ZodType } } }
          | undefined;
        const keyType = record?._zod.def.type === "record" ? record._zod.def.keyType : undefined;
        if (keyType) {
          const parsed = keyType.safeParse(key);
          out.push({
            code: "invalid_key",
            origin: "record",
            issues: parsed.success ? [] : parsed.error.issues,
            input: key,
            path: [...path, key],
            message: "Invalid key in record",
          });
        }
      }
      walk((value as Record<string, unknown>)[key], [...path, key]);
    }
  };
  walk(input, []);
  return out;
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
  readonly push: (code: Code, message: string, location?: Location) => void;
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
    const where = source.locate(path);
    const push = (code: Code, message: string, location = where) => out.push(diag(code, message, location));
    const at: IssueAt = {
      schema,
      source,
      options,
      rel,
      path,
      value: valueAt(source.data, path),
      where,
      field: fieldName(path),
      push,
    };
    reportIssue(issue, at);
  }
  return out;
}

function reportIssue(issue: z.core.$ZodIssue, at: IssueAt): void {
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
      if (rule) at.push(rule.code, rule.advice(show(at.value), at.path));
      else
        at.push(
          "CW1003",
          `${at.field} is ${show(at.value)}, which is not allowed (${issue.message}); change it`,
        );
      break;
    }
    case "invalid_key":
      invalidKey(issue.issues[0], at);
      break;
    case "custom":
      customIssue(issue, at);
      break;
    default:
      at.push("CW1003", `${at.field} is not valid (${issue.message}); change it`);
  }
}

function invalidValue(values: readonly unknown[], { path, value, field, push }: IssueAt): void {
  if (path.at(-1) === "protocol") {
    const hint = suggestion(String(value), PROTOCOLS);
    push("CW1007", `unknown protocol ${show(value)}${hint}; use one of ${PROTOCOLS.join(", ")}`);
  } else {
    const allowed = values.map((v) => show(v)).join(" or ");
    push("CW1003", `${field} is ${show(value)}, which is not allowed; write ${allowed}`);
  }
}

function unrecognizedKeys(
  keys: readonly string[],
  { schema, source, options, rel, path, push }: IssueAt,
): void {
  for (const key of keys) {
    const hint = suggestion(key, knownKeys(schema, rel));
    const where = source.locate([...path, key], "key");
    if (options.unknownFields === "warning") {
      push(
        "CW1038",
        `unknown field ${show(key)}${hint}, ignored as the original Coddiwomple ignored it; remove it or correct its name`,
        where,
      );
    } else push("CW1002", `unknown field ${show(key)}${hint}; remove it or correct its name`, where);
  }
}

function invalidType(expected: string, { source, path, value, where, field, push }: IssueAt): void {
  if (value === undefined) {
    // Point at the mapping that lacks the field: its first key, where the new line would go.
    push(
      "CW1004",
      `missing required field ${field}; add it to this mapping`,
      source.locate(path.slice(0, -1)),
    );
  } else if (typeof value === "number" && !Number.isFinite(value)) {
    // YAML reads a number too large for a double (1e400) as infinity: quote what was written.
    const last = path.at(-1);
    const written = source.lineText(where.line).substr(where.col - 1, Math.min(where.length, 40));
    if (typeof last === "string" && PORT_FIELDS.has(last)) {
      push("CW1006", `port ${written} is out of range; use a port from 1 to 65535`);
    } else push("CW1003", `${field} is ${written}, a number too large to use; change it`);
  } else if (path.at(-1) === "istioVersion") {
    push(
      "CW1017",
      `istioVersion must be text such as "1.30", not ${typeName(value)}; put it in quotes (1.30 unquoted is the number 1.3)`,
    );
  } else {
    push(
      "CW1003",
      `${field} must be ${expectedName(expected)}, not ${typeName(value)}; ${retype(expected, value)}`,
    );
  }
}

function outOfRange(
  issue: z.core.$ZodIssueTooSmall | z.core.$ZodIssueTooBig,
  { path, value, field, push }: IssueAt,
): void {
  const last = path.at(-1);
  if (typeof last === "string" && PORT_FIELDS.has(last) && typeof value === "number") {
    push("CW1006", `port ${value} is out of range; use a port from 1 to 65535`);
  } else if (issue.origin === "array" && issue.code === "too_small") {
    push("CW1004", `${field} is an empty list; add at least ${String(issue.minimum)} entry to it`);
  } else if (issue.origin === "string" && issue.code === "too_small") {
    push("CW1003", `${field} is empty text; give it a value, or remove it`);
  } else if (issue.origin === "string" && issue.code === "too_big") {
    push(
      "CW1005",
      `${show(value)} is longer than ${String(issue.maximum)} characters, the most DNS allows for ${nameOwner(path)}; shorten it`,
    );
  } else {
    push("CW1003", `${field} is ${show(value)}, which is out of range (${issue.message}); change it`);
  }
}

/** A key of a mapping of names (labels, the original's backends): pointed at, key first. */
function invalidKey(inner: z.core.$ZodIssue | undefined, { source, path, push }: IssueAt): void {
  const rule = inner && "pattern" in inner ? PATTERNS.get(String(inner.pattern)) : undefined;
  const key = String(path.at(-1));
  const atKey = source.locate(path, "key");
  if (rule) push(rule.code, rule.advice(show(key), path), atKey);
  else if (inner && customProblem(inner) === "label-prefix-too-long") {
    push("CW1035", `the prefix of label key ${show(key)} is longer than 253 characters; shorten it`, atKey);
  } else push("CW1003", `the key ${show(key)} cannot be used here; change it`, atKey);
}

function customIssue(issue: z.core.$ZodIssue, { value, field, push }: IssueAt): void {
  if (customProblem(issue) === "empty-selector") {
    push(
      "CW1036",
      `${field} has no labels, so it would select every pod in its namespace; give the labels of the pods meant, such as {app: reviews}, or leave the field out for cw's default`,
    );
  } else if (customProblem(issue) === "gateway-address") {
    push("CW1014", `${show(value)} ${issue.message}`);
  } else push("CW1003", `${field} is not valid (${issue.message}); change it`);
}
