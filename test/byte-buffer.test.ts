// The byte path of the renderer (src/emit/byte-buffer.ts, render.ts's writeYaml, spec-hash.ts's
// writeAnnotated, layout.ts's files): the bytes must be those the string path gave when written to a
// file (UTF-8, a lone surrogate as U+FFFD), for any text: ASCII, other BMP characters, astral ones,
// lone surrogates, long strings, and a buffer that grows past its first size on the way.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ByteBuffer, concatBytes } from "../src/emit/byte-buffer.js";
import { layoutCluster } from "../src/emit/layout.js";
import { renderResource, renderYaml } from "../src/emit/render.js";
import { renderAnnotated, withHashAnnotation, writeAnnotated } from "../src/emit/spec-hash.js";
import type { Generated, Resource } from "../src/generate/resource.js";

// Any UTF-16 code unit, so lone surrogates too; and some ASCII, so that most strings mix both.
const unit = fc.oneof(
  fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
  fc.constantFrom("a", "-", ".", " ", ":", "\u00e9", "\ud83d\ude00", "\ud800", "\udc00"),
);
const text = fc.oneof(
  fc.string({ unit, maxLength: 20 }),
  fc.string({ unit: "binary", maxLength: 20 }),
  // Past the length where the buffer hands a string to the encoder at once.
  fc.string({ unit, minLength: 250, maxLength: 600 }),
  fc.stringMatching(/^[a-z][a-z0-9.-]{5,40}$/),
);

const isWellFormed = (s: string) => (s as string & { isWellFormed(): boolean }).isWellFormed();

describe("ByteBuffer", () => {
  it("writes every string as Node's UTF-8 encoder does, growing past its first size", () => {
    fc.assert(
      fc.property(fc.array(text, { maxLength: 30 }), (strings) => {
        const out = new ByteBuffer(8);
        for (const s of strings) out.text(s);
        // Each string on its own: two halves of a pair in two strings are two lone surrogates.
        expect(out.copy()).toEqual(Buffer.concat(strings.map((s) => Buffer.from(s))));
        expect(out.wellFormed).toBe(strings.every(isWellFormed));
      }),
      { numRuns: 300 },
    );
  });

  it("writes a lone surrogate as U+FFFD, as writing the string to a file did", () => {
    const out = new ByteBuffer(1);
    out.text("a\ud800b\udc00\ud83d\ude00");
    expect([...out.copy()]).toEqual([0x61, 0xef, 0xbf, 0xbd, 0x62, 0xef, 0xbf, 0xbd, 0xf0, 0x9f, 0x98, 0x80]);
    expect(out.wellFormed).toBe(false);
  });

  it("puts ASCII in at a place, moving what follows, across growth", () => {
    const out = new ByteBuffer(4);
    out.text("head\ntail\n");
    out.insertAscii(5, "middle\n".repeat(20));
    expect(out.toString()).toBe(`head\n${"middle\n".repeat(20)}tail\n`);
  });
});

const resource = (name: string, value: string): Resource =>
  ({
    apiVersion: "networking.istio.io/v1",
    kind: "ServiceEntry",
    metadata: { name, namespace: "istio-system", labels: { "app.kubernetes.io/name": value } },
    spec: { hosts: [value, `${value}.global`], nested: { [value]: [value, 80, true] }, x: value },
  }) as unknown as Resource;

describe("the byte path", () => {
  it("writes an object with its hash annotation as the bytes of the string path", () => {
    fc.assert(
      fc.property(text, fc.integer({ min: 1, max: 64 }), (value, capacity) => {
        const object = resource("reviews", value);
        const out = new ByteBuffer(capacity);
        writeAnnotated(out, object);
        const expected = withHashAnnotation(renderResource(object, ""));
        expect(out.copy()).toEqual(Buffer.from(expected));
        // The string API gives the library's string back, lone surrogates and all.
        expect(renderAnnotated(object)).toBe(expected);
      }),
      { numRuns: 300 },
    );
  });

  it("lays files out whose bytes are their text as UTF-8, and whose text is the string path's", () => {
    fc.assert(
      fc.property(fc.array(text, { minLength: 1, maxLength: 8 }), (values) => {
        const objects: Generated[] = values.map((v, i) => ({
          resource: resource(`r${i}`, v),
          service: `s${i % 3}`,
          origin: undefined,
        })) as unknown as Generated[];
        for (const layout of ["object", "service", "cluster"] as const) {
          for (const f of layoutCluster("fed", "a", objects, [], layout).files) {
            expect(Buffer.from(f.bytes ?? f.content)).toEqual(Buffer.from(f.content));
            if (f.path === "kustomization.yaml") continue;
            const docs = f.content.split(/^# Do not edit.*\n/m)[1]?.split(/^---\n/m) ?? [];
            expect(docs.length).toBe(f.objects?.length);
            docs.forEach((doc, i) => {
              const id = f.objects?.[i] ?? "";
              const index = Number(id.slice("serviceentry-r".length));
              expect(doc).toBe(renderAnnotated(objects[index]?.resource as Resource));
            });
          }
        }
      }),
      { numRuns: 60 },
    );
  });

  it("meets no lone surrogate in a value or key: the library escapes them (doubleQuotedAsJSON)", () => {
    expect(renderYaml({ "\udc00": "\ud800" })).toBe('"\\udc00": "\\ud800"\n');
  });
});

describe("concatBytes", () => {
  it("puts byte arrays one after another, each end where the next starts, empty ones included", () => {
    const { bytes, ends } = concatBytes([Buffer.from("ab"), new Uint8Array(0), Buffer.from("cde")]);
    expect(Buffer.from(bytes).toString()).toBe("abcde");
    expect(ends).toEqual([2, 2, 5]);
    expect(concatBytes([])).toEqual({ bytes: new ArrayBuffer(0), ends: [] });
  });
});
