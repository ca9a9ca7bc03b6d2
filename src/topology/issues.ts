// Turns zod's schema issues into coded diagnostics with positions. The zod schema decides *what* is
// wrong; this module decides which code it is, where to point, and what to tell the user to do.

import type { z } from "zod";
import { type Code, diag } from "../diagnostics/catalog.js";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { DNS1123_LABEL, DNS1123_SUBDOMAIN, IPV4, IPV4_CIDR, ISTIO_VERSION, PROTOCOLS } from "./schema.js";
import type { Path, Source } from "./source.js";

const PORT_FIELDS = new Set(["port", "targetPort"]);

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
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(word.length / 3))
    ? ` (did you mean "${best}"?)`
    : "";
}

function valueAt(data: unknown, path: Path): unknown {
  let v = data;
  for (const seg of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<string | number, unknown>)[seg];
  }
  return v;
}

const show = (v: unknown): string =>
  typeof v === "string" ? JSON.stringify(v) : (JSON.stringify(v) ?? String(v));
const typeName = (v: unknown): string =>
  v === null ? "null" : Array.isArray(v) ? "a list" : typeof v === "object" ? "a mapping" : `a ${typeof v}`;
const expectedName = (e: string): string =>
  ({ object: "a mapping", array: "a list", string: "text", number: "a number", boolean: "true or false" })[
    e
  ] ?? e;

const fieldName = (path: Path): string => {
  const last = [...path].reverse().find((s) => typeof s === "string");
  return last === undefined ? "the document" : `"${last}"`;
};

/** Convert zod issues for the value at `base` in `source` into diagnostics. */
export function issuesToDiagnostics(
  issues: readonly z.core.$ZodIssue[],
  schema: z.ZodType,
  source: Source,
  base: Path,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const issue of issues) {
    const rel = issue.path.filter((s): s is string | number => typeof s !== "symbol");
    const path = [...base, ...rel];
    const value = valueAt(source.data, path);
    const where = source.locate(path);
    const field = fieldName(path);
    const push = (code: Code, message: string, location = where) => out.push(diag(code, message, location));

    switch (issue.code) {
      case "unrecognized_keys":
        for (const key of issue.keys) {
          const hint = suggestion(key, knownKeys(schema, rel));
          push(
            "CW1002",
            `unknown field "${key}"${hint}; remove it or correct its name`,
            source.locate([...path, key], "key"),
          );
        }
        break;
      case "invalid_type":
        if (value === undefined) {
          push("CW1004", `missing required field ${field}; add it here`, source.locate(path.slice(0, -1)));
        } else if (path.at(-1) === "istioVersion") {
          push(
            "CW1017",
            `istioVersion must be text such as "1.30", not ${typeName(value)}; quote it (1.30 unquoted is the number 1.3)`,
          );
        } else {
          push(
            "CW1003",
            `${field} must be ${expectedName(issue.expected)}, not ${typeName(value)}; change its type`,
          );
        }
        break;
      case "invalid_value":
        if (path.at(-1) === "protocol") {
          const hint = suggestion(String(value), PROTOCOLS);
          push("CW1007", `unknown protocol ${show(value)}${hint}; use one of ${PROTOCOLS.join(", ")}`);
        } else {
          push(
            "CW1003",
            `${field} is ${show(value)}; it must be ${issue.values.map((v) => show(v)).join(" or ")}`,
          );
        }
        break;
      case "too_small":
      case "too_big": {
        const last = path.at(-1);
        if (typeof last === "string" && PORT_FIELDS.has(last) && typeof value === "number") {
          push("CW1006", `port ${value} is out of range; use a port from 1 to 65535`);
        } else if (issue.origin === "array") {
          push(
            "CW1004",
            `${field} is empty; add at least ${String(issue.code === "too_small" ? issue.minimum : 0)}`,
          );
        } else if (issue.origin === "string" && issue.code === "too_big") {
          push("CW1005", `${show(value)} is longer than ${String(issue.maximum)} characters; shorten it`);
        } else if (issue.origin === "int" || issue.origin === "number") {
          push("CW1003", `${field} is ${show(value)}; ${issue.message}`);
        } else {
          push("CW1003", `${field}: ${issue.message}`);
        }
        break;
      }
      case "invalid_format": {
        const pattern = "pattern" in issue ? String(issue.pattern) : "";
        if (pattern === DNS1123_LABEL.source) {
          push(
            "CW1005",
            `${show(value)} is not a valid name for ${field}: use lower-case letters, digits and '-', starting and ending with a letter or digit`,
          );
        } else if (pattern === DNS1123_SUBDOMAIN.source) {
          push(
            "CW1005",
            `${show(value)} is not a valid DNS name for ${field}: use lower-case DNS labels joined by dots, such as reviews.default`,
          );
        } else if (pattern === IPV4_CIDR.source) {
          push("CW1014", `${show(value)} is not an IPv4 CIDR block; write it like 240.240.0.0/16`);
        } else if (pattern === IPV4.source) {
          push("CW1014", `${show(value)} is not an IPv4 address; write it like 240.240.0.10`);
        } else if (pattern === ISTIO_VERSION.source) {
          push("CW1017", `${show(value)} is not an Istio version; write the release like "1.30" or "1.30.3"`);
        } else {
          push("CW1003", `${field}: ${issue.message}`);
        }
        break;
      }
      default:
        push("CW1003", `${field}: ${issue.message}`);
    }
  }
  return out;
}
