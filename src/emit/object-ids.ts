// The objects a multi-document file of objects holds, by id (layout.ts objectId), read back from the
// file: a run that makes a cluster again names the objects it no longer generates by comparing them
// with what its old files held. The manifest used to list every cluster's object ids for that, which
// at 500 clusters x 50,000 services was 54 of its 54 MB, read and written on every run; the files
// themselves say it, and only a changed cluster's are read.
//
// A file whose bytes are the ones cw wrote (its hash is the manifest's) is read the way cw renders it
// (layout.ts renderFiles, render.ts): YAML documents separated by "---" lines, each a mapping whose
// top-level `kind` and whose `metadata` block's `name` are on lines of their own; a scalar that is not
// written plain is read by the yaml library. Any other file (edited by hand, with --force) is parsed
// in full, and its documents that have a kind and a name are taken.

import { parse, parseAllDocuments } from "yaml";
import { objectId } from "./layout.js";

const SEPARATOR = "\n---\n";

/** The ids of the objects in `bytes`, in file order; `asWritten`: the bytes are cw's, unedited. */
export function objectIdsInFile(bytes: Uint8Array, asWritten: boolean): string[] {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8");
  return (asWritten && idsAsRendered(text)) || idsOfAnyYaml(text);
}

/** Undefined when a document is not as cw renders them (then the file is parsed in full). */
function idsAsRendered(text: string): string[] | undefined {
  const ids: string[] = [];
  let start = 0;
  while (start < text.length) {
    const separator = text.indexOf(SEPARATOR, start);
    const end = separator === -1 ? text.length : separator + 1;
    const kind = topLevelValue(text, start, end, "kind: ");
    const name = nameOf(text, start, end);
    if (kind === undefined || name === undefined) return undefined;
    ids.push(objectId(kind, name));
    start = separator === -1 ? text.length : separator + SEPARATOR.length;
  }
  return ids;
}

/** The value of the line that starts with `key` in the document [start, end), at its top level. */
function topLevelValue(text: string, start: number, end: number, key: string): string | undefined {
  const at = lineStarting(text, start, end, key);
  return at === undefined ? undefined : scalarAt(text, at + key.length);
}

/** Where the first line of the document [start, end) that starts with `prefix` starts. */
function lineStarting(text: string, start: number, end: number, prefix: string): number | undefined {
  if (text.startsWith(prefix, start)) return start;
  const newline = text.indexOf(`\n${prefix}`, start);
  return newline === -1 || newline + 1 >= end ? undefined : newline + 1;
}

/** The `name` of the document's top-level `metadata` block: a line of its own at two spaces. */
function nameOf(text: string, start: number, end: number): string | undefined {
  const metadata = lineStarting(text, start, end, "metadata:\n");
  if (metadata === undefined) return undefined;
  let line = metadata + "metadata:\n".length;
  while (line < end && text.charCodeAt(line) === 32) {
    if (text.startsWith("  name: ", line)) return scalarAt(text, line + "  name: ".length);
    line = text.indexOf("\n", line) + 1;
    if (line === 0) break;
  }
  return undefined;
}

/** The scalar from `at` to the end of its line: plain as it is, quoted ones through the library. */
function scalarAt(text: string, at: number): string | undefined {
  const lineEnd = text.indexOf("\n", at);
  const raw = text.slice(at, lineEnd === -1 ? text.length : lineEnd);
  const first = raw.charCodeAt(0);
  // A kind or a name is always a string, so a plain scalar is one: the writer quotes a string that
  // would read as anything else ("true", "123").
  if (first !== 34 && first !== 39) return raw.length > 0 ? raw : undefined;
  const value: unknown = parse(raw);
  return typeof value === "string" ? value : undefined;
}

function idsOfAnyYaml(text: string): string[] {
  const ids: string[] = [];
  for (const doc of parseAllDocuments(text)) {
    const value: unknown = doc.errors.length === 0 ? doc.toJS() : undefined;
    if (value === null || typeof value !== "object") continue;
    const { kind, metadata } = value as { kind?: unknown; metadata?: { name?: unknown } };
    if (typeof kind === "string" && typeof metadata?.name === "string")
      ids.push(objectId(kind, metadata.name));
  }
  return ids;
}
