// Reading one part of the input (a cluster, a service) against its schema, and keeping what can be read
// of a part that fails. The schema's issues are reported as they are; salvage then drops each value zod
// complained about (a list item that lost a required field goes as a whole) and parses again. The rest
// of the part still takes part in the checks that compare parts: duplicate names, references to
// clusters, host and VIP claims. Without it, a typo in one field of a cluster would also turn every
// reference to that cluster into an error, and the problems of a broken service would stay hidden
// until the schema error was fixed.

import type { z } from "zod";
import type { Reporter } from "../diagnostics/reporter.js";
import { hiddenKeyIssues, type IssueOptions, issuesToDiagnostics } from "./issues.js";
import { type Path, type PathSegment, type Source, valueAt } from "./source.js";

/** How a part that was read relates to its input. */
export interface Provenance {
  /** Top-level fields of the part that had schema errors, already reported. */
  readonly invalidFields: ReadonlySet<string>;
  /** Where a path of the read value is in the input: list items after a dropped one moved up. */
  readonly place: (path: Path) => Path;
}

export interface Part<T> extends Provenance {
  readonly value: T;
}

export const CLEAN: Provenance = { invalidFields: new Set(), place: (path) => path };

/**
 * Parses the value at `path` of `source` with `schema`, reporting its issues to `reporter`. When it
 * fails, returns what `lenient` (the same schema with fewer required parts) accepts after dropping the
 * values in error, or undefined when not even that is left.
 */
export function readPart<T>(
  source: Source,
  path: Path,
  lenient: z.ZodType<T>,
  schema: z.ZodType<T>,
  reporter: Reporter,
  options: IssueOptions = {},
): Part<T> | undefined {
  const input = valueAt(source.data, path);
  const result = schema.safeParse(input);
  const hidden = hiddenKeyIssues(schema, input);
  if (result.success && hidden.length === 0) return { value: result.data, ...CLEAN };
  const issues = [...(result.success ? [] : result.error.issues), ...hidden];
  reporter.report(...issuesToDiagnostics(issues, schema, source, path, options));
  // Keys zod skipped are already out of its result: nothing more to drop.
  const salvaged = result.success ? { value: result.data, ...CLEAN } : salvage(lenient, input);
  if (!salvaged) return undefined;
  const invalidFields = new Set(salvaged.invalidFields);
  for (const issue of issues) {
    const keys = issue.code === "unrecognized_keys" && issue.path.length === 0 ? issue.keys : [issue.path[0]];
    for (const key of keys) if (typeof key === "string") invalidFields.add(key);
  }
  return { ...salvaged, invalidFields };
}

const DROPPED: unique symbol = Symbol("dropped");

/** `input` with every value in error dropped, if the rest passes `schema`. */
function salvage<T>(schema: z.ZodType<T>, input: unknown): Part<T> | undefined {
  // Dropped values stay in `marked` as DROPPED, so paths into it are paths into the input.
  const marked = structuredClone(input);
  const invalidFields = new Set<string>();
  // Every round drops at least one value, and the input is finite; the bound is a guard only.
  for (let round = 0; round < 1000; round++) {
    const current = sweep(marked);
    const result = schema.safeParse(current);
    if (result.success) {
      return { value: result.data, invalidFields, place: (path) => inputPath(marked, path) };
    }
    const targets: Path[] = [];
    for (const issue of result.error.issues) {
      const path = issue.path.filter((s): s is PathSegment => typeof s !== "symbol");
      if (issue.code === "unrecognized_keys") {
        for (const key of issue.keys) targets.push([...path, key]);
      } else if (valueAt(current, path) === undefined) {
        // A required field is missing: drop the list item that holds it, if there is one.
        const item = path.findLastIndex((s) => typeof s === "number");
        if (item < 0) return undefined;
        targets.push(path.slice(0, item + 1));
      } else {
        targets.push(path);
      }
    }
    // Map every target into the input before marking any, since marking moves the later list items.
    for (const target of targets.map((t) => inputPath(marked, t))) {
      const parent = valueAt(marked, target.slice(0, -1));
      const last = target.at(-1);
      if (last === undefined || parent === null || typeof parent !== "object") return undefined;
      (parent as Record<PathSegment, unknown>)[last] = DROPPED;
      if (typeof target[0] === "string") invalidFields.add(target[0]);
    }
  }
  return undefined;
}

/** The value without its dropped parts. */
function sweep(value: unknown): unknown {
  if (Array.isArray(value)) return value.filter((v) => v !== DROPPED).map(sweep);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== DROPPED)
        .map(([k, v]) => [k, sweep(v)]),
    );
  }
  return value;
}

/** A path into `sweep(marked)` as a path into `marked`, where the dropped list items still count. */
function inputPath(marked: unknown, path: Path): Path {
  const out: PathSegment[] = [];
  let node = marked;
  for (const seg of path) {
    if (Array.isArray(node) && typeof seg === "number") {
      let seen = -1;
      let index = node.length + seg; // past the end, if there are not that many items
      for (let i = 0; i < node.length; i++) {
        if (node[i] !== DROPPED && ++seen === seg) {
          index = i;
          break;
        }
      }
      out.push(index);
      node = node[index];
    } else {
      out.push(seg);
      node = valueAt(node, [seg]);
    }
  }
  return out;
}
