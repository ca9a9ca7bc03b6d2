// Every input diagnostic, proven by a table of bad inputs: each row is inline YAML or JSON and the exact
// set of (code, line, column) it must produce, no more and no fewer. Positions were counted by hand
// from the inline text, 1-based like an editor shows them, and point at the token to fix: the unknown
// key, the bad value, the second of two duplicates. Rows with several problems prove that one run
// reports them all, and that a mistake in one cluster or service does not spill into the others.

import { describe, expect, it } from "vitest";
import { compile } from "../src/compile.js";
import type { Diagnostic } from "../src/diagnostics/diagnostic.js";
import { EMPTY_LOCK, type Lock, readLock } from "../src/plan/lock.js";
import { readLegacy } from "../src/topology/legacy.js";
import { readFederation } from "../src/topology/read.js";

interface Expected {
  readonly code: string;
  readonly line: number;
  readonly col: number;
  /** For inputs of two files (the original Coddiwomple's); otherwise the one input file. */
  readonly file?: string;
}

interface Case {
  readonly name: string;
  readonly input: string;
  readonly expected: readonly Expected[];
}

interface LegacyCase {
  readonly name: string;
  readonly clusters: string;
  readonly services: string;
  readonly expected: readonly Expected[];
}

/**
 * Inline input: the text between the backticks without its first line break and without the
 * indentation of its first line, so line 1 is the line after the opening backtick and column 1 is
 * the column of that line's first character.
 */
function text(strings: TemplateStringsArray, ...values: unknown[]): string {
  const raw = strings.reduce((all, s, i) => all + s + (i < values.length ? String(values[i]) : ""), "");
  const lines = raw
    .replace(/^\n/, "")
    .replace(/\n[ ]*$/, "")
    .split("\n");
  const indent = /^ */.exec(lines[0] ?? "")?.[0].length ?? 0;
  return `${lines.map((l) => l.slice(Math.min(indent, /^ */.exec(l)?.[0].length ?? 0))).join("\n")}\n`;
}

const byPosition = (a: Expected, b: Expected) =>
  (a.file ?? "").localeCompare(b.file ?? "") ||
  a.line - b.line ||
  a.col - b.col ||
  a.code.localeCompare(b.code);

const positions = (diagnostics: readonly Diagnostic[], withFile: boolean): Expected[] =>
  diagnostics
    .map((d) => ({
      code: d.code,
      line: d.location?.line ?? 0,
      col: d.location?.col ?? 0,
      ...(withFile && { file: d.location?.file ?? "" }),
    }))
    .sort(byPosition);

/**
 * CW1041 (the ingress gateway's service account left to its default) and CW1043 (a passthrough server
 * beside config cw was not shown) come with nearly every input that exports something; a row asserts
 * them only when it is about them.
 */
const INCIDENTAL = ["CW1041", "CW1043"];
const about = (diagnostics: readonly Diagnostic[], expected: readonly Expected[]): Diagnostic[] =>
  diagnostics.filter((d) => !INCIDENTAL.includes(d.code) || expected.some((e) => e.code === d.code));

/** Everything cw says about a Federation file: reading, semantic checks and planning. */
function federationDiagnostics(input: string, file: string, lock: Lock = EMPTY_LOCK): Diagnostic[] {
  const read = readFederation(file, input);
  return [...read.diagnostics, ...(read.topology ? compile(read.topology, lock).diagnostics : [])];
}

function legacyDiagnostics(clusters: string, services: string): Diagnostic[] {
  const read = readLegacy({
    clusters: { file: "clusters.json", text: clusters },
    services: { file: "services.json", text: services },
  });
  return [...read.diagnostics, ...(read.topology ? compile(read.topology, EMPTY_LOCK).diagnostics : [])];
}

// Each message is one sentence: what is wrong, then (after a semicolon) what to do.
function expectActionable(diagnostics: readonly Diagnostic[]): void {
  for (const d of diagnostics) {
    expect(d.location, d.message).toBeDefined();
    expect(d.message, d.code).toMatch(/^[^;]+; \S.*[^.]$/s);
  }
}

const yamlCases: Case[] = [
  {
    name: "CW1001 a tab used for indentation",
    input: text`
      apiVersion: coddiwomple.io/v1alpha1
      kind: Federation
      metadata:
      ${"\t"}name: demo
      spec: { clusters: [], services: [] }
    `,
    expected: [{ code: "CW1001", line: 4, col: 1 }],
  },
  {
    name: "CW1001 a key written twice points at the second",
    input: text`
      apiVersion: coddiwomple.io/v1alpha1
      kind: Federation
      metadata:
        name: demo
        name: other
      spec: { clusters: [], services: [] }
    `,
    expected: [{ code: "CW1001", line: 5, col: 3 }],
  },
  {
    name: "CW1001 an unclosed quote points at the opening quote, not the end of the file",
    input: text`
      apiVersion: coddiwomple.io/v1alpha1
      kind: Federation
      metadata:
        name: "demo
      spec:
        clusters: []
    `,
    expected: [{ code: "CW1001", line: 4, col: 9 }],
  },
  {
    name: "CW1001 a second document in the file",
    input: text`
      apiVersion: coddiwomple.io/v1alpha1
      kind: Federation
      ---
      metadata: { name: demo }
    `,
    expected: [{ code: "CW1001", line: 3, col: 1 }],
  },
  {
    // Found by the fuzz target (issue 12): the key became text, with a Node warning on the terminal.
    name: "CW1001 a key that is a list, at the key",
    input: text`
      apiVersion: coddiwomple.io/v1alpha1
      kind: Federation
      metadata: { name: demo }
      spec: { clusters: [{ ? [a]: b, name: a }], services: [] }
    `,
    expected: [{ code: "CW1001", line: 4, col: 24 }],
  },
  {
    // Found by the fuzz target (issue 12): a !!binary key became text, with a Node warning.
    name: "CW1001 a key and a value tagged !!binary, at the first",
    input: text`
      apiVersion: coddiwomple.io/v1alpha1
      kind: Federation
      metadata: { name: !!binary aGVsbG8= }
      spec: { clusters: [{ !!binary bmFtZQ==: a }], services: [] }
    `,
    expected: [{ code: "CW1001", line: 3, col: 28 }],
  },
  {
    name: "CW1013 an empty file",
    input: "",
    expected: [{ code: "CW1013", line: 1, col: 1 }],
  },
  {
    name: "CW1013 another kind of document, at the kind",
    input: text`
      apiVersion: coddiwomple.io/v1alpha1
      kind: Lock
      vips: {}
    `,
    expected: [{ code: "CW1013", line: 2, col: 7 }],
  },
  {
    name: "CW1013 a list, as the original's files are",
    input: text`
      - name: a
        address: a.example.com
    `,
    expected: [{ code: "CW1013", line: 1, col: 1 }],
  },
  {
    name: "CW1002 unknown fields at every level, each at its key",
    input: text`
      apiVersion: coddiwomple.io/v1alpha1
      kind: Federation
      metadata:
        name: demo
        labels: {}
      spec:
        defaults:
          sufix: global
        clusters:
          - name: a
            ingres:
              addresses: [192.0.2.1]
        services:
          - name: web
            ports:
              - { name: http, protocol: HTTP, port: 80, tagetPort: 8080 }
            backends:
              - cluster: a
            consumer: [b]
    `,
    expected: [
      { code: "CW1002", line: 5, col: 3 },
      { code: "CW1002", line: 8, col: 5 },
      { code: "CW1002", line: 11, col: 7 },
      { code: "CW1002", line: 16, col: 51 },
      { code: "CW1002", line: 19, col: 7 },
    ],
  },
  {
    name: "CW1003 wrong types, each at its value (istioVersion has its own code)",
    input: text`
      apiVersion: coddiwomple.io/v1alpha1
      kind: Federation
      metadata:
        name: demo
      spec:
        clusters:
          - name: a
            istioVersion: 1.20
            ingress: [192.0.2.1]
          - name: b
            ingress:
              addresses: 192.0.2.2
        services:
          - name: web
            ports:
              - name: http
                protocol: HTTP
                port: "80"
            backends:
              - cluster: a
            consumers: b
    `,
    expected: [
      { code: "CW1017", line: 8, col: 21 },
      { code: "CW1003", line: 9, col: 16 },
      { code: "CW1003", line: 12, col: 20 },
      { code: "CW1003", line: 18, col: 17 },
      { code: "CW1003", line: 21, col: 18 },
    ],
  },
  {
    name: "CW1004 missing required fields, at the mapping that lacks them",
    input: text`
      apiVersion: coddiwomple.io/v1alpha1
      kind: Federation
      metadata: {}
      spec:
        clusters:
          - region: us-east1
          - name: a
        services:
          - name: web
            backends: [{ cluster: a }]
          - name: api
            ports: []
            backends: [{ cluster: a }]
    `,
    expected: [
      { code: "CW1004", line: 3, col: 11 },
      { code: "CW1004", line: 6, col: 7 },
      { code: "CW1004", line: 9, col: 7 },
      { code: "CW1004", line: 12, col: 14 },
    ],
  },
  {
    name: "CW1005 names that are not DNS-1123 labels or subdomains, or too long",
    input: text`
      apiVersion: coddiwomple.io/v1alpha1
      kind: Federation
      metadata:
        name: Demo
      spec:
        clusters:
          - name: East_1
        services:
          - name: web-
            namespace: Prod
            aliases: [web.default, Web.Prod]
            ports:
              - { name: HTTP, protocol: HTTP, port: 80 }
            backends:
              - cluster: a
                host: web_svc.prod.svc.cluster.local
          - name: a-service-name-that-is-far-too-long-to-be-a-kubernetes-label-at-all
            ports: [{ name: http, protocol: HTTP, port: 80 }]
            backends: []
    `,
    expected: [
      { code: "CW1005", line: 4, col: 9 },
      { code: "CW1005", line: 7, col: 13 },
      { code: "CW1005", line: 9, col: 13 },
      { code: "CW1005", line: 10, col: 18 },
      { code: "CW1005", line: 11, col: 30 },
      { code: "CW1005", line: 13, col: 19 },
      { code: "CW1005", line: 16, col: 17 },
      { code: "CW1005", line: 17, col: 13 },
    ],
  },
  {
    name: "CW1006 ports out of range (and a fractional port, a wrong type)",
    input: text`
      apiVersion: coddiwomple.io/v1alpha1
      kind: Federation
      metadata:
        name: demo
      spec:
        clusters:
          - name: a
            ingress:
              addresses: [192.0.2.1]
              port: 0
        services:
          - name: web
            ports:
              - { name: http, protocol: HTTP, port: 65536 }
              - { name: admin, protocol: HTTP, port: 9000, targetPort: -1 }
              - { name: grpc, protocol: GRPC, port: 8080.5 }
            backends: [{ cluster: a }]
    `,
    expected: [
      { code: "CW1006", line: 10, col: 15 },
      { code: "CW1006", line: 14, col: 47 },
      { code: "CW1006", line: 15, col: 66 },
      { code: "CW1003", line: 16, col: 47 },
    ],
  },
  {
    name: "CW1007 unknown protocols, including the right name in the wrong case",
    input: text`
      apiVersion: coddiwomple.io/v1alpha1
      kind: Federation
      metadata:
        name: demo
      spec:
        clusters:
          - name: a
        services:
          - name: web
            ports:
              - name: http
                protocol: HTTQ
                port: 80
              - name: dns
                protocol: udp
                port: 53
            backends: [{ cluster: a }]
    `,
    expected: [
      { code: "CW1007", line: 12, col: 21 },
      { code: "CW1007", line: 15, col: 21 },
    ],
  },
  {
    name: "CW1008 a backend in a cluster that is not defined",
    input: text`
      apiVersion: coddiwomple.io/v1alpha1
      kind: Federation
      metadata:
        name: demo
      spec:
        clusters:
          - name: east
            ingress: { addresses: [192.0.2.1] }
        services:
          - name: web
            ports: [{ name: http, protocol: HTTP, port: 80 }]
            backends:
              - cluster: east
              - cluster: west
    `,
    expected: [{ code: "CW1008", line: 14, col: 20 }],
  },
  {
    name: "CW1009 duplicate clusters, services, port names and numbers, backends and consumers",
    input: text`
      apiVersion: coddiwomple.io/v1alpha1
      kind: Federation
      metadata:
        name: demo
      spec:
        clusters:
          - name: a
            ingress: { addresses: [192.0.2.1] }
          - name: b
            ingress: { addresses: [192.0.2.2] }
          - name: a
        services:
          - name: web
            ports:
              - { name: http, protocol: HTTP, port: 80 }
              - { name: http, protocol: TCP, port: 81 }
              - { name: metrics, protocol: HTTP, port: 80 }
            backends:
              - cluster: a
              - cluster: a
            consumers: [b, b]
          - name: web
            ports: [{ name: http, protocol: HTTP, port: 80 }]
            backends: [{ cluster: b }]
    `,
    expected: [
      { code: "CW1009", line: 11, col: 13 },
      { code: "CW1009", line: 16, col: 19 },
      { code: "CW1009", line: 17, col: 50 },
      { code: "CW1009", line: 20, col: 20 },
      { code: "CW1009", line: 21, col: 22 },
      { code: "CW1009", line: 22, col: 13 },
    ],
  },
  {
    // Each used to stop check and generate with "internal: ... generated twice" (issue 12).
    name: "CW1009 an alias listed twice, and an alias that is the service's own name",
    input: text`
      apiVersion: coddiwomple.io/v1alpha1
      kind: Federation
      metadata:
        name: demo
      spec:
        clusters:
          - name: a
            ingress: { addresses: [192.0.2.1] }
          - name: b
        services:
          - name: web
            aliases: [web.default, web.default]
            ports: [{ name: http, protocol: HTTP, port: 80 }]
            backends: [{ cluster: a }]
            consumers: [b]
          - name: api
            aliases: [api]
            ports: [{ name: http, protocol: HTTP, port: 80 }]
            backends: [{ cluster: a }]
            consumers: [b]
    `,
    expected: [
      { code: "CW1009", line: 12, col: 30 },
      { code: "CW1009", line: 17, col: 17 },
    ],
  },
  {
    // Before issue 12, {} gave a DENY policy with matchLabels {} (every pod), bad keys passed, and a
    // __proto__ key vanished without a word.
    name: "CW1035 and CW1036 label keys and values as Kubernetes checks them, and empty selectors",
    input: text`
      apiVersion: coddiwomple.io/v1alpha1
      kind: Federation
      metadata:
        name: demo
      spec:
        clusters:
          - name: a
            ingress: { addresses: [192.0.2.1], selector: {} }
          - name: b
            ingress:
              addresses: [192.0.2.2]
              selector: { "bad key": x, __proto__: y, istio: "a b", app.kubernetes.io/name: gw }
        services:
          - name: reviews
            selector: {}
            ports: [{ name: http, protocol: HTTP, port: 9080 }]
            backends: [{ cluster: b }]
            consumers: [a]
            subsets: [{ name: v1, labels: { __proto__: v1 } }]
    `,
    expected: [
      { code: "CW1036", line: 8, col: 52 },
      { code: "CW1035", line: 12, col: 21 },
      { code: "CW1035", line: 12, col: 35 },
      { code: "CW1035", line: 12, col: 56 },
      { code: "CW1036", line: 15, col: 17 },
      { code: "CW1035", line: 19, col: 39 },
    ],
  },
  {
    // Each of these became a ServiceEntry endpoint Istio refuses, with exit 0, before issue 12.
    name: "CW1014 ingress addresses that are not an IPv4 address, an IPv6 address or a DNS name",
    input: text`
      apiVersion: coddiwomple.io/v1alpha1
      kind: Federation
      metadata:
        name: demo
      spec:
        clusters:
          - name: a
            ingress:
              addresses:
                - 1.2.3.4:15443
                - a b
                - 999.1.1.1
                - http://x/
                - 010.0.0.1
                - fe80::1%eth0
                - 2001:db8::1
                - eastwest.b.example
        services: []
    `,
    expected: [
      { code: "CW1014", line: 10, col: 13 },
      { code: "CW1014", line: 11, col: 13 },
      { code: "CW1014", line: 12, col: 13 },
      { code: "CW1014", line: 13, col: 13 },
      { code: "CW1014", line: 14, col: 13 },
      { code: "CW1014", line: 15, col: 13 },
    ],
  },
  {
    // YAML reads 1e400 as infinity, which the message once called "null" (issue 12).
    name: "CW1006 a port too large for a number says so, in the user's words",
    input: text`
      apiVersion: coddiwomple.io/v1alpha1
      kind: Federation
      metadata:
        name: demo
      spec:
        clusters:
          - name: a
        services:
          - name: web
            ports: [{ name: http, protocol: HTTP, port: 1e400 }]
            backends: [{ cluster: a }]
    `,
    expected: [{ code: "CW1006", line: 10, col: 51 }],
  },
  {
    name: "CW1010 two services claim one host, through an alias",
    input: text`
      apiVersion: coddiwomple.io/v1alpha1
      kind: Federation
      metadata:
        name: demo
      spec:
        clusters:
          - name: a
        services:
          - name: reviews
            aliases: [reviews.default]
            ports: [{ name: http, protocol: HTTP, port: 9080 }]
            backends: [{ cluster: a }]
          - name: reviews-v2
            aliases: [reviews.default]
            ports: [{ name: http, protocol: HTTP, port: 9080 }]
            backends: [{ cluster: a }]
          - name: ratings
            ports: [{ name: http, protocol: HTTP, port: 9080 }]
            backends: [{ cluster: a }]
          - name: stars
            aliases: [ratings]
            ports: [{ name: http, protocol: HTTP, port: 9080 }]
            backends: [{ cluster: a }]
    `,
    expected: [
      { code: "CW1010", line: 14, col: 17 },
      { code: "CW1010", line: 21, col: 17 },
    ],
  },
  {
    name: "CW1011 backend clusters with no ingress address, once per cluster",
    input: text`
      apiVersion: coddiwomple.io/v1alpha1
      kind: Federation
      metadata:
        name: demo
      spec:
        clusters:
          - name: a
            ingress: { addresses: [192.0.2.1] }
          - name: b
          - name: c
            ingress:
              port: 15443
        services:
          - name: reviews
            ports: [{ name: http, protocol: HTTP, port: 9080 }]
            backends: [{ cluster: b }]
            consumers: ["*"]
          - name: ratings
            ports: [{ name: http, protocol: HTTP, port: 9080 }]
            backends: [{ cluster: b }, { cluster: c }]
            consumers: ["*"]
          - name: details
            ports: [{ name: http, protocol: HTTP, port: 9080 }]
            backends: [{ cluster: c }]
    `,
    expected: [
      { code: "CW1011", line: 9, col: 13 },
      { code: "CW1011", line: 11, col: 7 },
    ],
  },
  {
    name: "CW1011 a split that sends calls to a backend cluster with no ingress address",
    input: text`
      apiVersion: coddiwomple.io/v1alpha1
      kind: Federation
      metadata:
        name: demo
      spec:
        clusters:
          - name: a
            ingress: { addresses: [192.0.2.1] }
          - name: b
        services:
          - name: reviews
            ports: [{ name: http, protocol: HTTP, port: 9080 }]
            backends: [{ cluster: a }, { cluster: b }]
            consumers: [a]
            subsets: [{ name: v1, labels: { version: v1 } }]
            split:
              - { cluster: a, subset: v1, weight: 50 }
              - { cluster: b, subset: v1, weight: 50 }
    `,
    expected: [{ code: "CW1011", line: 9, col: 13 }],
  },
  {
    name: "CW1041 an exporting cluster whose ingress gateway's service account is left to its default",
    input: text`
      apiVersion: coddiwomple.io/v1alpha1
      kind: Federation
      metadata:
        name: demo
      spec:
        clusters:
          - { name: a, trustDomain: a.example }
          - name: b
            trustDomain: b.example
            ingress: { addresses: [192.0.2.2] }
          - name: c
            trustDomain: c.example
            ingress: { addresses: [192.0.2.3], serviceAccount: eastwest }
          - name: d
            trustDomain: d.example
            ingress: { addresses: [192.0.2.4] }
        services:
          - name: reviews
            ports: [{ name: http, protocol: HTTP, port: 9080 }]
            backends: [{ cluster: b }, { cluster: c }]
            consumers: [a]
          - name: ratings
            ports: [{ name: http, protocol: HTTP, port: 9080 }]
            backends: [{ cluster: d }]
            consumers: [a]
            mode: passthrough
    `,
    expected: [{ code: "CW1041", line: 10, col: 7 }],
  },
  {
    name: "CW1040 a suffix inside the cluster domain",
    input: text`
      apiVersion: coddiwomple.io/v1alpha1
      kind: Federation
      metadata:
        name: demo
      spec:
        defaults:
          suffix: svc.cluster.local
        clusters:
          - name: a
        services:
          - name: reviews
            ports: [{ name: http, protocol: HTTP, port: 9080 }]
            backends: [{ cluster: a }]
    `,
    expected: [{ code: "CW1040", line: 7, col: 13 }],
  },
  {
    name: "CW1040 the cluster domain itself as the suffix",
    input: text`
      apiVersion: coddiwomple.io/v1alpha1
      kind: Federation
      metadata:
        name: demo
      spec:
        defaults: { suffix: cluster.local }
        clusters:
          - name: a
        services:
          - name: reviews
            ports: [{ name: http, protocol: HTTP, port: 9080 }]
            backends: [{ cluster: a }]
    `,
    expected: [{ code: "CW1040", line: 6, col: 23 }],
  },
  {
    name: "CW1012 consumers that are not clusters (and CW1020, a consumer that runs the service)",
    input: text`
      apiVersion: coddiwomple.io/v1alpha1
      kind: Federation
      metadata:
        name: demo
      spec:
        clusters:
          - name: a
            ingress: { addresses: [192.0.2.1] }
          - name: b
        services:
          - name: reviews
            ports: [{ name: http, protocol: HTTP, port: 9080 }]
            backends: [{ cluster: a }]
            consumers: [b, bee, "all", a]
    `,
    expected: [
      { code: "CW1012", line: 14, col: 22 },
      { code: "CW1012", line: 14, col: 27 },
      { code: "CW1020", line: 14, col: 34 },
    ],
  },
  {
    name: "CW1014 a VIP pool and a VIP that are not IPv4",
    input: text`
      apiVersion: coddiwomple.io/v1alpha1
      kind: Federation
      metadata:
        name: demo
      spec:
        defaults:
          vipPool: 240.241.0.0
        clusters:
          - name: a
        services:
          - name: web
            vip: 240.241.1.300
            ports: [{ name: http, protocol: HTTP, port: 80 }]
            backends: [{ cluster: a }]
    `,
    expected: [
      { code: "CW1014", line: 7, col: 14 },
      { code: "CW1014", line: 12, col: 12 },
    ],
  },
  {
    name: "CW1014 a VIP pool with a prefix longer than 32",
    input: text`
      apiVersion: coddiwomple.io/v1alpha1
      kind: Federation
      metadata: { name: demo }
      spec:
        defaults: { vipPool: 10.0.0.0/33 }
        clusters: []
        services: []
    `,
    expected: [{ code: "CW1014", line: 5, col: 24 }],
  },
  {
    name: "CW1019 a consumer that shares its trust domain with a cluster that is not one",
    input: text`
      apiVersion: coddiwomple.io/v1alpha1
      kind: Federation
      metadata: { name: demo }
      spec:
        clusters:
          - { name: a, trustDomain: shared.example, ingress: { addresses: [192.0.2.1], serviceAccount: gw } }
          - { name: b, trustDomain: shared.example }
          - { name: c, trustDomain: shared.example }
        services:
          - name: reviews
            ports: [{ name: http, protocol: HTTP, port: 9080 }]
            backends: [{ cluster: a }]
            consumers: [b]
    `,
    expected: [{ code: "CW1019", line: 10, col: 13 }],
  },
  {
    name: "CW1021 a global host longer than DNS allows",
    input: text`
      apiVersion: coddiwomple.io/v1alpha1
      kind: Federation
      metadata: { name: demo }
      spec:
        defaults: { suffix: ${Array.from({ length: 4 }, () => "x".repeat(62)).join(".")} }
        clusters:
          - name: a
        services:
          - name: reviews
            ports: [{ name: http, protocol: HTTP, port: 9080 }]
            backends: [{ cluster: a }]
    `,
    expected: [{ code: "CW1021", line: 9, col: 13 }],
  },
  {
    name: "CW1023 a VIP pool inside the range Istio allocates from",
    input: text`
      apiVersion: coddiwomple.io/v1alpha1
      kind: Federation
      metadata: { name: demo }
      spec:
        defaults: { vipPool: 240.240.0.0/16 }
        clusters: []
        services: []
    `,
    expected: [{ code: "CW1023", line: 5, col: 24 }],
  },
  {
    name: "CW1034 a consumer narrowed to a namespace on Istio's default trust domain",
    input: text`
      apiVersion: coddiwomple.io/v1alpha1
      kind: Federation
      metadata: { name: demo }
      spec:
        clusters:
          - { name: a, trustDomain: a.example, ingress: { addresses: [192.0.2.1], serviceAccount: gw } }
          - { name: b }
        services:
          - name: reviews
            ports: [{ name: http, protocol: HTTP, port: 9080 }]
            backends: [{ cluster: a }]
            consumers: [{ cluster: b, namespaces: [shop] }]
    `,
    expected: [{ code: "CW1034", line: 12, col: 30 }],
  },
  {
    name: "CW1015 one explicit VIP given to two services",
    input: text`
      apiVersion: coddiwomple.io/v1alpha1
      kind: Federation
      metadata:
        name: demo
      spec:
        clusters:
          - name: a
        services:
          - name: web
            vip: 240.241.7.7
            ports: [{ name: http, protocol: HTTP, port: 80 }]
            backends: [{ cluster: a }]
          - name: api
            vip: 240.241.7.7
            ports: [{ name: http, protocol: HTTP, port: 80 }]
            backends: [{ cluster: a }]
    `,
    // Services are given VIPs in name order, so "web" is the one that finds the VIP taken.
    expected: [{ code: "CW1015", line: 10, col: 12 }],
  },
  {
    name: "CW1016 a /30 pool (two addresses) for three services",
    input: text`
      apiVersion: coddiwomple.io/v1alpha1
      kind: Federation
      metadata:
        name: demo
      spec:
        defaults:
          vipPool: 10.9.0.0/30
        clusters:
          - name: a
        services:
          - name: s1
            ports: [{ name: http, protocol: HTTP, port: 80 }]
            backends: [{ cluster: a }]
          - name: s2
            ports: [{ name: http, protocol: HTTP, port: 80 }]
            backends: [{ cluster: a }]
          - name: s3
            ports: [{ name: http, protocol: HTTP, port: 80 }]
            backends: [{ cluster: a }]
    `,
    expected: [{ code: "CW1016", line: 7, col: 14 }],
  },
  {
    name: "CW1016 explicit VIPs outside the pool leave the pool's addresses free",
    input: text`
      apiVersion: coddiwomple.io/v1alpha1
      kind: Federation
      metadata:
        name: demo
      spec:
        defaults:
          vipPool: 10.9.0.0/30
        clusters:
          - name: a
        services:
          - name: s1
            vip: 10.1.1.1
            ports: [{ name: http, protocol: HTTP, port: 80 }]
            backends: [{ cluster: a }]
          - name: s2
            ports: [{ name: http, protocol: HTTP, port: 80 }]
            backends: [{ cluster: a }]
          - name: s3
            ports: [{ name: http, protocol: HTTP, port: 80 }]
            backends: [{ cluster: a }]
    `,
    expected: [],
  },
  {
    name: "CW1017 Istio versions cw cannot use",
    input: text`
      apiVersion: coddiwomple.io/v1alpha1
      kind: Federation
      metadata:
        name: demo
      spec:
        clusters:
          - name: a
            istioVersion: "2.0"
          - name: b
            istioVersion: "1.0"
        services: []
    `,
    expected: [
      { code: "CW1017", line: 8, col: 21 },
      { code: "CW1017", line: 10, col: 21 },
    ],
  },
  {
    name: "CW1018 a service with no backends is a warning",
    input: text`
      apiVersion: coddiwomple.io/v1alpha1
      kind: Federation
      metadata:
        name: demo
      spec:
        clusters: []
        services:
          - name: web
            ports: [{ name: http, protocol: HTTP, port: 80 }]
            backends: []
    `,
    expected: [{ code: "CW1018", line: 8, col: 13 }],
  },
  {
    name: "all at once: a bad cluster, a bad service and unknown references in one file",
    input: text`
      apiVersion: coddiwomple.io/v1alpha1
      kind: Federation
      metadata:
        name: demo
      spec:
        clusters:
          - name: east
            ingress:
              addresses: [192.0.2.1]
              port: 99999
          - name: west
            zone: eu-west-1a
            regoin: eu-west-1
            ingress: { addresses: [198.51.100.1] }
        services:
          - name: reviews
            ports:
              - { name: http, protocol: HTTQ, port: 9080 }
            backends:
              - cluster: east
              - cluster: north
            consumers: [west, sud]
          - name: ratings
            ports: [{ name: http, protocol: HTTP, port: 9080 }]
            backends: [{ cluster: west }]
            consumers: [east]
    `,
    // No CW1008 for east or west: a cluster with a mistake is still a cluster. And the service with
    // a bad protocol still has its backends and consumers checked.
    expected: [
      { code: "CW1006", line: 10, col: 15 },
      { code: "CW1002", line: 13, col: 7 },
      { code: "CW1007", line: 18, col: 35 },
      { code: "CW1008", line: 21, col: 20 },
      { code: "CW1012", line: 22, col: 25 },
    ],
  },
  {
    name: "all at once: a mistake in the document's shell hides nothing in the clusters and services",
    input: text`
      apiVersion: coddiwomple.io/v1alpha1
      kind: Federation
      metadata:
        name: Demo
      spec:
        defaults:
          vipPool: 240.241.0.0/99
        clusters:
          - name: a
        services:
          - name: web
            ports: [{ name: http, protocol: HTTP, port: 80 }]
            backends: [{ cluster: b }]
    `,
    expected: [
      { code: "CW1005", line: 4, col: 9 },
      { code: "CW1014", line: 7, col: 14 },
      { code: "CW1008", line: 13, col: 29 },
    ],
  },
  {
    name: "a bad ingress address is one problem, not also a missing ingress",
    input: text`
      apiVersion: coddiwomple.io/v1alpha1
      kind: Federation
      metadata:
        name: demo
      spec:
        clusters:
          - name: east
            ingress: { addresses: [""] }
          - name: west
            ingress: { addresses: [198.51.100.1] }
        services:
          - name: reviews
            ports: [{ name: http, protocol: HTTP, port: 9080 }]
            backends: [{ cluster: east }]
            consumers: [west]
    `,
    expected: [{ code: "CW1003", line: 8, col: 30 }],
  },
  {
    name: "positions of later list items stay right when an earlier item was dropped",
    input: text`
      apiVersion: coddiwomple.io/v1alpha1
      kind: Federation
      metadata:
        name: demo
      spec:
        clusters:
          - name: a
        services:
          - name: web
            ports:
              - { name: bad, protocol: SCTP, port: 80 }
              - { name: http, protocol: HTTP, port: 81 }
              - { name: http, protocol: HTTP, port: 82 }
            backends:
              - { cluster: Nope }
              - cluster: a
              - cluster: a
    `,
    expected: [
      { code: "CW1007", line: 11, col: 34 },
      { code: "CW1009", line: 13, col: 19 },
      { code: "CW1005", line: 15, col: 22 },
      { code: "CW1009", line: 17, col: 20 },
    ],
  },
  {
    name: "CW1024 split weights that add up to 95, at the split key",
    input: text`
      apiVersion: coddiwomple.io/v1alpha1
      kind: Federation
      metadata:
        name: demo
      spec:
        clusters:
          - name: a
            ingress: { addresses: [192.0.2.1] }
          - name: b
            ingress: { addresses: [192.0.2.2] }
        services:
          - name: reviews
            ports: [{ name: http, protocol: HTTP, port: 9080 }]
            subsets:
              - { name: v1, labels: { version: v1 } }
              - { name: v3, labels: { version: v3 } }
            backends: [{ cluster: a }, { cluster: b }]
            consumers: [a]
            split:
              - { cluster: b, subset: v3, weight: 75 }
              - { cluster: a, subset: v1, weight: 20 }
    `,
    expected: [{ code: "CW1024", line: 19, col: 7 }],
  },
  {
    name: "CW1025 a subset without labels (and CW1009, a subset defined twice)",
    input: text`
      apiVersion: coddiwomple.io/v1alpha1
      kind: Federation
      metadata:
        name: demo
      spec:
        clusters:
          - name: a
            ingress: { addresses: [192.0.2.1] }
        services:
          - name: reviews
            ports: [{ name: http, protocol: HTTP, port: 9080 }]
            subsets:
              - { name: v1, labels: {} }
              - name: v2
                labels: { version: v2 }
              - { name: v2, labels: { version: v2b } }
            backends: [{ cluster: a }]
    `,
    expected: [
      { code: "CW1025", line: 13, col: 31 },
      { code: "CW1009", line: 16, col: 19 },
    ],
  },
  {
    name: "CW1026 split shares and failover entries in clusters without a backend, CW1027 an unknown subset",
    input: text`
      apiVersion: coddiwomple.io/v1alpha1
      kind: Federation
      metadata:
        name: demo
      spec:
        clusters:
          - name: a
            ingress: { addresses: [192.0.2.1] }
          - name: b
            ingress: { addresses: [192.0.2.2] }
          - name: c
        services:
          - name: reviews
            ports: [{ name: http, protocol: HTTP, port: 9080 }]
            subsets: [{ name: v1, labels: { version: v1 } }]
            backends: [{ cluster: a }, { cluster: b }]
            consumers: [c]
            split:
              - { cluster: a, subset: v1, weight: 50 }
              - { cluster: b, subset: v4, weight: 25 }
              - { cluster: c, weight: 25 }
            failover: [b, d]
    `,
    expected: [
      { code: "CW1027", line: 20, col: 33 },
      { code: "CW1026", line: 21, col: 22 },
      { code: "CW1026", line: 22, col: 21 },
    ],
  },
  {
    name: "CW1028 egress mode without an egress gateway, from the cluster's mode and from the service's",
    input: text`
      apiVersion: coddiwomple.io/v1alpha1
      kind: Federation
      metadata:
        name: demo
      spec:
        clusters:
          - name: a
            trustDomain: a.example
            ingress: { addresses: [192.0.2.1] }
          - name: locked
            trustDomain: locked.example
            mode: egress
          - name: c
            trustDomain: c.example
        services:
          - name: orders
            ports: [{ name: http, protocol: HTTP, port: 8080 }]
            backends: [{ cluster: a }]
            consumers: [locked]
          - name: stock
            mode: egress
            ports: [{ name: http, protocol: HTTP, port: 8080 }]
            backends: [{ cluster: a }]
            consumers: [c]
    `,
    expected: [
      { code: "CW1028", line: 12, col: 13 },
      { code: "CW1028", line: 21, col: 13 },
    ],
  },
  {
    name: "CW1029 passthrough to backends with different hosts, by the service's mode and by the caller's",
    input: text`
      apiVersion: coddiwomple.io/v1alpha1
      kind: Federation
      metadata:
        name: demo
      spec:
        clusters:
          - name: a
            trustDomain: a.example
            ingress: { addresses: [192.0.2.1] }
          - name: b
            trustDomain: b.example
            ingress: { addresses: [192.0.2.2] }
          - name: c
            trustDomain: c.example
            mode: passthrough
        services:
          - name: payments
            mode: passthrough
            ports: [{ name: grpc, protocol: GRPC, port: 7070 }]
            backends:
              - cluster: a
              - { cluster: b, host: pay.billing.svc.cluster.local }
            consumers: [c]
          - name: ledger
            ports: [{ name: http, protocol: HTTP, port: 8080 }]
            backends: [{ cluster: a, host: ledger.one.svc.cluster.local }, { cluster: b }]
            consumers: [c]
    `,
    expected: [
      { code: "CW1029", line: 18, col: 13 },
      { code: "CW1029", line: 24, col: 13 },
    ],
  },
  {
    name: "CW1031 a consumer scoped to namespaces that calls through its egress gateway is a warning",
    input: text`
      apiVersion: coddiwomple.io/v1alpha1
      kind: Federation
      metadata:
        name: demo
      spec:
        clusters:
          - name: a
            trustDomain: a.example
            ingress: { addresses: [192.0.2.1] }
          - name: locked
            trustDomain: locked.example
            mode: egress
            egress: { namespace: istio-egress }
        services:
          - name: orders
            ports: [{ name: http, protocol: HTTP, port: 8080 }]
            backends: [{ cluster: a }]
            consumers:
              - { cluster: locked, namespaces: [shop] }
    `,
    expected: [{ code: "CW1031", line: 19, col: 22 }],
  },
  {
    name: "CW1032 a split called through an egress gateway",
    input: text`
      apiVersion: coddiwomple.io/v1alpha1
      kind: Federation
      metadata:
        name: demo
      spec:
        clusters:
          - name: a
            trustDomain: a.example
            ingress: { addresses: [192.0.2.1] }
          - name: b
            trustDomain: b.example
            ingress: { addresses: [192.0.2.2] }
          - name: locked
            trustDomain: locked.example
            mode: egress
            egress: {}
        services:
          - name: reviews
            ports: [{ name: http, protocol: HTTP, port: 9080 }]
            backends: [{ cluster: a }, { cluster: b }]
            consumers: [locked]
            split:
              - { cluster: a, weight: 60 }
              - { cluster: b, weight: 40 }
    `,
    expected: [{ code: "CW1032", line: 15, col: 13 }],
  },
  {
    name: "CW1033 service accounts without namespaces",
    input: text`
      apiVersion: coddiwomple.io/v1alpha1
      kind: Federation
      metadata:
        name: demo
      spec:
        clusters:
          - name: a
            trustDomain: a.example
            ingress: { addresses: [192.0.2.1] }
          - name: b
            trustDomain: b.example
        services:
          - name: orders
            ports: [{ name: http, protocol: HTTP, port: 8080 }]
            backends: [{ cluster: a }]
            consumers:
              - { cluster: b, serviceAccounts: [checkout] }
    `,
    expected: [{ code: "CW1033", line: 17, col: 25 }],
  },
  {
    // A subset label or a share in error is reported once: the subset does not then count as one
    // without labels (CW1025), nor the split as one whose weights miss 100 (CW1024).
    name: "schema errors in the routing fields: modes, sidecarScope, egress, subset labels, split shares",
    input: text`
      apiVersion: coddiwomple.io/v1alpha1
      kind: Federation
      metadata:
        name: demo
      spec:
        defaults:
          mode: mesh
          sidecarScope: "yes"
        clusters:
          - name: a
            ingress: { addresses: [192.0.2.1] }
            mode: Gateway
            egress: { port: 8443, services: egress }
          - name: b
        services:
          - name: reviews
            mode: direct
            ports: [{ name: http, protocol: HTTP, port: 9080 }]
            subsets:
              - { name: v1, labels: { version: 1 } }
            backends: [{ cluster: a }]
            consumers: [b]
            split:
              - { cluster: a, subset: v1, weight: "75" }
              - { cluster: a, weight: 25, region: eu }
    `,
    expected: [
      { code: "CW1003", line: 7, col: 11 },
      { code: "CW1003", line: 8, col: 19 },
      { code: "CW1003", line: 12, col: 13 },
      { code: "CW1002", line: 13, col: 29 },
      { code: "CW1003", line: 17, col: 13 },
      { code: "CW1003", line: 20, col: 42 },
      { code: "CW1003", line: 24, col: 45 },
      { code: "CW1002", line: 25, col: 37 },
    ],
  },
  {
    name: "a subset in error is reported once, not again as unknown where a split share names it",
    input: text`
      apiVersion: coddiwomple.io/v1alpha1
      kind: Federation
      metadata:
        name: demo
      spec:
        clusters:
          - name: a
            ingress: { addresses: [192.0.2.1] }
          - name: b
            ingress: { addresses: [192.0.2.2] }
        services:
          - name: reviews
            ports: [{ name: http, protocol: HTTP, port: 9080 }]
            subsets:
              - { name: v1, labels: [version, v1] }
              - { name: v2, labels: { version: v2 } }
            backends: [{ cluster: a }, { cluster: b }]
            consumers: [a]
            split:
              - { cluster: b, subset: v1, weight: 50 }
              - { cluster: a, subset: v2, weight: 50 }
    `,
    expected: [{ code: "CW1003", line: 15, col: 31 }],
  },
  {
    name: "schema errors in consumer objects and the failover list",
    input: text`
      apiVersion: coddiwomple.io/v1alpha1
      kind: Federation
      metadata:
        name: demo
      spec:
        clusters:
          - name: a
            trustDomain: a.example
            ingress: { addresses: [192.0.2.1] }
          - name: b
            trustDomain: b.example
          - name: c
            trustDomain: c.example
        services:
          - name: orders
            ports: [{ name: http, protocol: HTTP, port: 8080 }]
            backends: [{ cluster: a }]
            consumers:
              - { cluster: b, namespace: [shop] }
              - { cluster: c, namespaces: [] }
            failover: [A]
    `,
    expected: [
      { code: "CW1002", line: 19, col: 25 },
      { code: "CW1004", line: 20, col: 37 },
      { code: "CW1005", line: 21, col: 18 },
    ],
  },
  {
    name: "the example topology is clean",
    input: text`
      apiVersion: coddiwomple.io/v1alpha1
      kind: Federation
      metadata:
        name: bookinfo
      spec:
        clusters:
          - name: a
            trustDomain: a.bookinfo.example
            ingress: { addresses: [203.0.113.10] }
          - name: b
            trustDomain: b.bookinfo.example
            ingress: { addresses: [eastwest.b.bookinfo.example] }
        services:
          - name: reviews
            aliases: [reviews.default]
            ports: [{ name: http, protocol: HTTP, port: 9080 }]
            backends: [{ cluster: b }]
            consumers: [a]
    `,
    expected: [],
  },
];

const jsonCases: Case[] = [
  {
    name: "CW1001 a missing comma",
    input: text`
      {
        "apiVersion": "coddiwomple.io/v1alpha1",
        "kind": "Federation"
        "metadata": { "name": "demo" },
        "spec": { "clusters": [], "services": [] }
      }
    `,
    expected: [{ code: "CW1001", line: 4, col: 3 }],
  },
  {
    name: "CW1013 a list instead of a Federation",
    input: text`
      [
        { "name": "a", "address": "a.example.com" }
      ]
    `,
    expected: [{ code: "CW1013", line: 1, col: 1 }],
  },
  {
    name: "CW1013 another apiVersion, at its value",
    input: text`
      {
        "apiVersion": "v1",
        "kind": "Federation"
      }
    `,
    expected: [{ code: "CW1013", line: 2, col: 17 }],
  },
  {
    name: "all at once: wrong type, bad name, duplicate, unknown field and unknown cluster",
    input: text`
      {
        "apiVersion": "coddiwomple.io/v1alpha1",
        "kind": "Federation",
        "metadata": { "name": "demo" },
        "spec": {
          "clusters": [
            { "name": "east", "ingress": { "addresses": ["192.0.2.1"], "port": "15443" } },
            { "name": "West", "ingress": { "addresses": ["198.51.100.1"] } },
            { "name": "east" }
          ],
          "services": [
            {
              "name": "reviews",
              "ports": [{ "name": "http", "protocol": "HTTP", "port": 9080, "target": 9080 }],
              "backends": [{ "cluster": "east" }, { "cluster": "south" }],
              "consumers": ["*"]
            }
          ]
        }
      }
    `,
    expected: [
      { code: "CW1003", line: 7, col: 74 },
      { code: "CW1005", line: 8, col: 17 },
      { code: "CW1009", line: 9, col: 17 },
      { code: "CW1002", line: 14, col: 71 },
      { code: "CW1008", line: 15, col: 58 },
    ],
  },
  {
    name: "CW1007, CW1006 and CW1012 in JSON",
    input: text`
      {
        "apiVersion": "coddiwomple.io/v1alpha1",
        "kind": "Federation",
        "metadata": { "name": "demo" },
        "spec": {
          "clusters": [{ "name": "a", "ingress": { "addresses": ["192.0.2.1"] } }],
          "services": [
            {
              "name": "db",
              "ports": [{ "name": "pg", "protocol": "POSTGRES", "port": 5432, "targetPort": 0 }],
              "backends": [{ "cluster": "a" }],
              "consumers": ["b"]
            }
          ]
        }
      }
    `,
    expected: [
      { code: "CW1007", line: 10, col: 47 },
      { code: "CW1006", line: 10, col: 87 },
      { code: "CW1012", line: 12, col: 23 },
    ],
  },
];

const CLUSTERS_OK = text`
  [
    { "name": "a", "address": "a.example.com" },
    { "name": "b", "address": "b.example.com" }
  ]
`;

const legacyCases: LegacyCase[] = [
  {
    name: "CW1013 a clusters file that is not a list",
    clusters: text`
      { "name": "a", "address": "a.example.com" }
    `,
    services: "[]\n",
    expected: [{ code: "CW1013", line: 1, col: 1, file: "clusters.json" }],
  },
  {
    name: "CW1013 a Federation passed as the services file",
    clusters: CLUSTERS_OK,
    services: text`
      apiVersion: coddiwomple.io/v1alpha1
      kind: Federation
    `,
    expected: [{ code: "CW1013", line: 1, col: 1, file: "services.json" }],
  },
  {
    name: "CW1001 a syntax error in the services file",
    clusters: CLUSTERS_OK,
    services: text`
      [
        { "name": "foo" "ports": [] }
      ]
    `,
    expected: [{ code: "CW1001", line: 2, col: 19, file: "services.json" }],
  },
  {
    name: "CW1038, CW1005, CW1006, CW1007, CW1008 in the original's fields",
    clusters: CLUSTERS_OK,
    services: text`
      [
        {
          "name": "Foo",
          "ports": [{ "name": "http", "service_port": 80, "protocol": "HTTP" }],
          "backends": { "a": "foo.default.svc.cluster.local" }
        },
        {
          "name": "bar",
          "dns_prefix": ["bar.default"],
          "ports": [
            { "name": "http", "service_port": 70000, "protocol": "HTTP" },
            { "name": "dns", "service_port": 53, "protocol": "DNS" }
          ],
          "backends": { "a": "bar.default.svc.cluster.local", "z": "bar.default.svc.cluster.local" }
        }
      ]
    `,
    expected: [
      { code: "CW1005", line: 3, col: 13, file: "services.json" },
      { code: "CW1038", line: 9, col: 5, file: "services.json" },
      { code: "CW1006", line: 11, col: 41, file: "services.json" },
      { code: "CW1007", line: 12, col: 56, file: "services.json" },
      { code: "CW1008", line: 14, col: 57, file: "services.json" },
    ],
  },
  {
    name: "all at once over both files: clusters, services, hosts and VIPs",
    clusters: text`
      [
        { "name": "a", "address": "a.example.com", "kubeconfig_path": "~/.kube/config" },
        { "name": "B", "address": "b.example.com" },
        { "name": "c", "address": "", "context": "c" },
        { "name": "a", "address": "a2.example.com" }
      ]
    `,
    services: text`
      [
        {
          "name": "foo",
          "dns_prefixes": ["foo", "foo.default"],
          "ports": [{ "name": "http", "service_port": 80, "protocol": "HTTP", "backend_port": 0 }],
          "backends": { "a": "foo.default.svc.cluster.local", "d": "foo.default.svc.cluster.local" }
        },
        {
          "name": "bar",
          "dns_prefixes": ["bar", "foo.default"],
          "ports": [{ "name": "tcp", "service_port": 81, "protocol": "UDP" }],
          "backends": { "c": "bar.default.svc.cluster.local" },
          "address": "1.2.3.4"
        },
        {
          "name": "car",
          "ports": [{ "name": "tcp", "service_port": 82, "protocol": "TCP" }],
          "backends": { "c": "car.default.svc.cluster.local" },
          "address": "1.2.3.4"
        }
      ]
    `,
    // Cluster c's address is wrong, which is reported once: not again as a missing ingress address.
    expected: [
      { code: "CW1005", line: 3, col: 13, file: "clusters.json" },
      { code: "CW1003", line: 4, col: 29, file: "clusters.json" },
      { code: "CW1038", line: 4, col: 33, file: "clusters.json" },
      { code: "CW1009", line: 5, col: 13, file: "clusters.json" },
      { code: "CW1010", line: 4, col: 29, file: "services.json" },
      { code: "CW1006", line: 5, col: 89, file: "services.json" },
      { code: "CW1008", line: 6, col: 57, file: "services.json" },
      { code: "CW1007", line: 11, col: 64, file: "services.json" },
      { code: "CW1015", line: 19, col: 16, file: "services.json" },
    ],
  },
  {
    name: "CW1009 and CW1014 in a service",
    clusters: CLUSTERS_OK,
    services: text`
      [
        {
          "name": "db",
          "ports": [
            { "name": "pg", "service_port": 5432, "protocol": "TCP" },
            { "name": "pg", "service_port": 5433, "protocol": "TCP" },
            { "name": "admin", "service_port": 5432, "protocol": "TCP" }
          ],
          "backends": { "a": "db.data.svc.cluster.local" },
          "address": "10.0.0.256"
        }
      ]
    `,
    expected: [
      { code: "CW1009", line: 6, col: 17, file: "services.json" },
      { code: "CW1009", line: 7, col: 42, file: "services.json" },
      { code: "CW1014", line: 10, col: 16, file: "services.json" },
    ],
  },
  {
    // The original ignored unknown fields, and its own README's example has this typo (issue 12).
    name: "CW1038 an unknown field is a warning with a suggestion, and the rest is read",
    clusters: text`
      [
        { "name": "a", "address": "a.example.com", "kubecondig_context": "ctx-a" },
        { "name": "b", "address": "b.example.com" }
      ]
    `,
    services: text`
      [
        {
          "name": "foo",
          "ports": [{ "name": "http", "service_port": 80, "protocol": "HTTP", "weight": 1 }],
          "backends": { "a": "foo.default.svc.cluster.local" }
        }
      ]
    `,
    expected: [
      { code: "CW1038", line: 2, col: 46, file: "clusters.json" },
      { code: "CW1038", line: 4, col: 73, file: "services.json" },
    ],
  },
  {
    name: "CW1003 a backend under the key __proto__, and CW1014 a cluster address with a port",
    clusters: text`
      [
        { "name": "a", "address": "a.example.com:15443" },
        { "name": "b", "address": "b.example.com" }
      ]
    `,
    services: text`
      [
        {
          "name": "foo",
          "ports": [{ "name": "http", "service_port": 80, "protocol": "HTTP" }],
          "backends": { "b": "foo.default.svc.cluster.local", "__proto__": "foo.default.svc.cluster.local" }
        }
      ]
    `,
    expected: [
      { code: "CW1014", line: 2, col: 29, file: "clusters.json" },
      { code: "CW1003", line: 5, col: 57, file: "services.json" },
    ],
  },
  {
    name: "CW1009 a DNS prefix listed twice, at the second",
    clusters: CLUSTERS_OK,
    services: text`
      [
        {
          "name": "foo",
          "dns_prefixes": ["foo", "foo.default", "foo.default"],
          "ports": [{ "name": "http", "service_port": 80, "protocol": "HTTP" }],
          "backends": { "a": "foo.default.svc.cluster.local" }
        }
      ]
    `,
    expected: [{ code: "CW1009", line: 4, col: 44, file: "services.json" }],
  },
];

describe("Federation YAML diagnostics", () => {
  it.each(yamlCases)("$name", ({ input, expected }) => {
    const diagnostics = about(federationDiagnostics(input, "federation.yaml"), expected);
    expect(positions(diagnostics, false)).toEqual([...expected].sort(byPosition));
    expectActionable(diagnostics);
  });
});

describe("Federation JSON diagnostics", () => {
  it.each(jsonCases)("$name", ({ input, expected }) => {
    const diagnostics = about(federationDiagnostics(input, "federation.json"), expected);
    expect(positions(diagnostics, false)).toEqual([...expected].sort(byPosition));
    expectActionable(diagnostics);
  });
});

describe("original Coddiwomple files diagnostics", () => {
  it.each(legacyCases)("$name", ({ clusters, services, expected }) => {
    const diagnostics = about(legacyDiagnostics(clusters, services), expected);
    expect(positions(diagnostics, true)).toEqual([...expected].sort(byPosition));
    expectActionable(diagnostics);
  });
});

const lockCases: Case[] = [
  {
    name: "CW2001 a syntax error, at its position",
    input: text`
      apiVersion: coddiwomple.io/v1alpha1
      kind: Lock
      vips:
        web: 240.241.0.1
        web: 240.241.0.2
    `,
    expected: [{ code: "CW2001", line: 5, col: 3 }],
  },
  {
    name: "CW2001 an unknown field, at its key",
    input: text`
      apiVersion: coddiwomple.io/v1alpha1
      kind: Lock
      vip:
        web: 240.241.0.1
    `,
    expected: [{ code: "CW2001", line: 3, col: 1 }],
  },
  {
    name: "CW2001 another kind of document",
    input: text`
      apiVersion: coddiwomple.io/v1alpha1
      kind: Federation
    `,
    expected: [{ code: "CW2001", line: 2, col: 7 }],
  },
  {
    name: "CW2002 entries that are not IPv4 addresses are dropped, the others kept",
    input: text`
      apiVersion: coddiwomple.io/v1alpha1
      kind: Lock
      vips:
        api: 240.241.0.300
        db: nowhere
        web: 240.241.0.1
    `,
    expected: [
      { code: "CW2002", line: 4, col: 8 },
      { code: "CW2002", line: 5, col: 7 },
    ],
  },
];

describe("lock file diagnostics", () => {
  it.each(lockCases)("$name", ({ input, expected }) => {
    const { diagnostics } = readLock("federation.lock.yaml", input);
    expect(positions(diagnostics, false)).toEqual([...expected].sort(byPosition));
    expectActionable(diagnostics);
  });

  it("keeps the good entries of a lock with bad ones", () => {
    const { lock } = readLock(
      "federation.lock.yaml",
      "apiVersion: coddiwomple.io/v1alpha1\nkind: Lock\nvips:\n  api: nowhere\n  web: 240.241.0.1\n",
    );
    expect([...lock.vips.keys()]).toEqual(["web"]);
  });

  it("CW2002 locked VIPs outside the pool or taken by an explicit VIP, at the lock entry", () => {
    const topology = text`
      apiVersion: coddiwomple.io/v1alpha1
      kind: Federation
      metadata:
        name: demo
      spec:
        defaults:
          vipPool: 240.241.0.0/16
        clusters:
          - name: a
        services:
          - name: api
            ports: [{ name: http, protocol: HTTP, port: 80 }]
            backends: [{ cluster: a }]
          - name: db
            vip: 240.241.0.9
            ports: [{ name: pg, protocol: TCP, port: 5432 }]
            backends: [{ cluster: a }]
          - name: web
            ports: [{ name: http, protocol: HTTP, port: 80 }]
            backends: [{ cluster: a }]
    `;
    const lockText = text`
      apiVersion: coddiwomple.io/v1alpha1
      kind: Lock
      vips:
        api: 10.0.0.1
        db: 240.241.0.9
        web: 240.241.0.9
    `;
    const { lock, diagnostics: lockDiagnostics } = readLock("federation.lock.yaml", lockText);
    expect(lockDiagnostics).toEqual([]);
    const diagnostics = federationDiagnostics(topology, "federation.yaml", lock);
    expect(positions(diagnostics, true)).toEqual([
      { code: "CW2002", line: 4, col: 8, file: "federation.lock.yaml" },
      { code: "CW2002", line: 6, col: 8, file: "federation.lock.yaml" },
    ]);
    expectActionable(diagnostics);
  });

  it("CW1037 a fixed VIP that is another service's locked VIP, at the vip field", () => {
    // Before issue 12 this was warning CW2002 on the lock entry, and "web" silently lost its VIP.
    const topology = text`
      apiVersion: coddiwomple.io/v1alpha1
      kind: Federation
      metadata:
        name: demo
      spec:
        clusters:
          - name: a
        services:
          - name: db
            vip: 240.241.0.9
            ports: [{ name: pg, protocol: TCP, port: 5432 }]
            backends: [{ cluster: a }]
          - name: web
            ports: [{ name: http, protocol: HTTP, port: 80 }]
            backends: [{ cluster: a }]
    `;
    const lockText = "apiVersion: coddiwomple.io/v1alpha1\nkind: Lock\nvips:\n  web: 240.241.0.9\n";
    const { lock } = readLock("federation.lock.yaml", lockText);
    const diagnostics = federationDiagnostics(topology, "federation.yaml", lock);
    expect(positions(diagnostics, true)).toEqual([
      { code: "CW1037", line: 10, col: 12, file: "federation.yaml" },
    ]);
    expect(diagnostics[0]?.message).toContain('is the locked VIP of "web" (federation.lock.yaml:4)');
    expectActionable(diagnostics);
  });

  it("a locked VIP inside the pool is kept, with no diagnostic", () => {
    const read = readFederation(
      "federation.yaml",
      text`
        apiVersion: coddiwomple.io/v1alpha1
        kind: Federation
        metadata: { name: demo }
        spec:
          clusters: [{ name: a }]
          services:
            - { name: web, ports: [{ name: http, protocol: HTTP, port: 80 }], backends: [{ cluster: a }] }
      `,
    );
    const { lock } = readLock(
      "federation.lock.yaml",
      "apiVersion: coddiwomple.io/v1alpha1\nkind: Lock\nvips:\n  web: 240.241.3.3\n",
    );
    const compiled = compile(read.topology as NonNullable<typeof read.topology>, lock);
    expect(compiled.diagnostics).toEqual([]);
    expect(compiled.plan?.vips.get("web")).toBe("240.241.3.3");
  });
});

describe("diagnostics are data", () => {
  it("a topology with errors still reports warnings, and compiles to nothing", () => {
    const read = readFederation(
      "federation.yaml",
      text`
        apiVersion: coddiwomple.io/v1alpha1
        kind: Federation
        metadata: { name: demo }
        spec:
          clusters: [{ name: a }]
          services:
            - { name: web, ports: [{ name: http, protocol: HTTP, port: 80 }], backends: [] }
            - { name: api, ports: [{ name: http, protocol: HTTP, port: 80 }], backends: [{ cluster: z }] }
      `,
    );
    expect(read.topology).toBeDefined();
    const compiled = compile(read.topology as NonNullable<typeof read.topology>, EMPTY_LOCK);
    expect(compiled.clusters).toEqual([]);
    expect(compiled.diagnostics.map((d) => `${d.level} ${d.code}`)).toEqual([
      "warning CW1018",
      "error CW1008",
    ]);
  });
});
