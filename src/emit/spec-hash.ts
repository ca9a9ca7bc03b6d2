// The hash annotation every generated object carries: coddiwomple.io/hash, the first 16 hex digits of
// the sha256 of the object's spec as cw renders it (the "spec:" block of its file, keys in canonical
// order). With it a live object tells on its own whether it is what cw generated: its spec, rendered
// the same way, still has the hash (nobody edited it in the cluster), and the hash equals that of
// today's output (it is not an older generation). Istio's CRDs default no fields, so an unchanged
// object comes back from the API server with the same spec.
//
// The generated file gets the annotation by inserting one block into the rendered text, before
// "spec:", rather than by rendering the object twice: at a million objects the render is the largest
// stage of cw generate.

import { hash } from "node:crypto";
import type { Resource } from "../generate/resource.js";
import { ByteBuffer } from "./byte-buffer.js";
import { lastWrite, renderResource, renderYaml, writeYaml } from "./render.js";

export const HASH_ANNOTATION = "coddiwomple.io/hash";

/** The top-level spec block: at column 0, so no nested key or indented block scalar can match. */
const SPEC = "\nspec:";

/** The hash of the spec block of a rendered object (file text, header comments allowed). */
export function specHash(rendered: string): string {
  const at = rendered.indexOf(SPEC);
  return blockHash(at < 0 ? "" : rendered.slice(at + 1));
}

// One call, without a Hash object per block: at a million objects that is a second saved.
const blockHash = (block: string): string => hash("sha256", block, "hex").slice(0, 16);

/** A rendered generated object with its hash annotation added to its metadata. */
export function withHashAnnotation(rendered: string): string {
  const at = rendered.indexOf(SPEC);
  return annotated(at < 0 ? rendered : rendered.slice(0, at), at < 0 ? "" : rendered.slice(at + 1));
}

/**
 * A generated object rendered with its hash annotation: withHashAnnotation(renderResource(resource,
 * "")), as a string (writeAnnotated gives the bytes).
 */
export function renderAnnotated(resource: Resource): string {
  single.reset();
  writeAnnotated(single, resource);
  return single.wellFormed ? single.toString() : withHashAnnotation(renderResource(resource, ""));
}
const single = new ByteBuffer(1024);

/**
 * Writes a generated object with its hash annotation to `out`: the bytes of renderAnnotated. The
 * renderer says where the spec block starts; the block is hashed where it stands, and the
 * annotation is put in before it.
 */
export function writeAnnotated(out: ByteBuffer, resource: Resource): void {
  const specAt = writeYaml(out, resource, true);
  if (specAt === undefined) {
    out.text(withHashAnnotation(renderResource(resource, "")));
    return;
  }
  if (specAt < 0 || lastWrite.annotationsBeforeSpec) throw new Error(NO_PLACE);
  // A plain view of the block: Buffer's subarray goes through its species constructor, which at a
  // million objects costs more than the view is worth.
  const { data } = out;
  const digest = hash(
    "sha256",
    new Uint8Array(data.buffer, data.byteOffset + specAt, out.length - specAt),
    "hex",
  );
  out.insertAscii(specAt, annotation(digest.slice(0, 16)));
}

/** `head` is the text before the spec block's line break, `block` the spec block ("" for none). */
function annotated(head: string, block: string): string {
  if (block === "" || head.includes("\n  annotations:")) throw new Error(NO_PLACE);
  return `${head}\n${annotation(blockHash(block))}${block}`;
}

const NO_PLACE = "internal: a generated object has no spec, or has annotations of its own";

/** The annotation's lines, which go right before the spec block. */
const annotation = (hash: string): string => `  annotations:\n    ${HASH_ANNOTATION}: ${hashScalar(hash)}\n`;

/**
 * A hash as YAML, the way renderYaml writes it (test/spec-hash.test.ts holds the two together): plain,
 * unless a YAML 1.1 or 1.2 reader would take the hex digits for a number (all digits, 1e5 exponent
 * form, also without digits before the e as YAML 1.1's float allows, 0b binary), and then
 * double-quoted. Asking renderYaml itself doubles the cost per object.
 */
export const hashScalar = (hash: string): string =>
  /^(\d+|\d*e\d+|0b[01]+)$/.test(hash) ? `"${hash}"` : hash;

/** The same annotation on the object itself, for what cw applies without writing files. */
export function annotateResource(resource: Resource): Resource {
  return {
    ...resource,
    metadata: { ...resource.metadata, annotations: { [HASH_ANNOTATION]: specHash(renderYaml(resource)) } },
  };
}

/** The hash a live object's spec has now (the annotation says what it had when cw generated it). */
export const liveSpecHash = (object: { readonly [field: string]: unknown }): string =>
  specHash(renderYaml({ spec: object.spec ?? {} }).replace(/^/, "\n"));
