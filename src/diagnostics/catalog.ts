// The catalog of diagnostic codes. Codes are stable: a retired code is never reused, only marked
// retired. CW1xxx are topology-file problems, CW2xxx lock-file problems, CW3xxx output-folder
// problems, CW4xxx problems with the config a cluster already has (--existing), CW5xxx problems
// talking to live clusters, CW9xxx bugs in cw itself. `cw explain CODE` prints `explain`.

import type { Diagnostic, Level, Location } from "./diagnostic.js";

/** A diagnostic's sentence in its two parts: what is wrong, then what to do (or what cw does). */
export type Message = readonly [wrong: string, todo: string];

export interface CatalogEntry {
  readonly level: Level;
  readonly title: string;
  /** The long form: why it matters and how to fix it. */
  readonly explain: string;
  /**
   * The one-line message from the arguments a site gives (`diag("CW1010", { host, service, owner })`).
   * Codes without one still take their sentence from the site, as free text (being moved here).
   */
  readonly message?: (args: never) => Message;
  /** Set when the code is no longer produced: why, and since when. A retired code is never reused. */
  readonly retired?: string;
}

/** Why a value cannot be used (CW1003): the field and value as the user wrote them, shown. */
export type WrongValue =
  | {
      readonly kind: "type";
      readonly field: string;
      readonly expected: string;
      readonly actual: string;
      readonly advice: string;
    }
  | { readonly kind: "too-large"; readonly field: string; readonly written: string }
  | {
      readonly kind: "not-allowed";
      readonly field: string;
      readonly value: string;
      readonly allowed?: string;
      readonly detail?: string;
    }
  | { readonly kind: "empty-text"; readonly field: string }
  | { readonly kind: "out-of-range"; readonly field: string; readonly value: string; readonly detail: string }
  | { readonly kind: "key"; readonly key: string }
  | { readonly kind: "invalid"; readonly field: string; readonly detail: string };
function wrongValue(a: WrongValue): Message {
  switch (a.kind) {
    case "type":
      return [`${a.field} must be ${a.expected}, not ${a.actual}`, a.advice];
    case "too-large":
      return [`${a.field} is ${a.written}, a number too large to use`, "change it"];
    case "not-allowed":
      return a.allowed !== undefined
        ? [`${a.field} is ${a.value}, which is not allowed`, `write ${a.allowed}`]
        : [`${a.field} is ${a.value}, which is not allowed (${a.detail})`, "change it"];
    case "empty-text":
      return [`${a.field} is empty text`, "give it a value, or remove it"];
    case "out-of-range":
      return [`${a.field} is ${a.value}, which is out of range (${a.detail})`, "change it"];
    case "key":
      return [`the key ${a.key} cannot be used here`, "change it"];
    case "invalid":
      return [`${a.field} is not valid (${a.detail})`, "change it"];
  }
}
/** A name DNS cannot carry (CW1005): `owner` is what it names, as in "the port". */
export type InvalidName =
  | { readonly kind: "label"; readonly value: string; readonly owner: string }
  | { readonly kind: "subdomain"; readonly value: string; readonly owner: string }
  | { readonly kind: "too-long"; readonly value: string; readonly maximum: number; readonly owner: string };
/** A label key or value Kubernetes refuses (CW1035). */
export type InvalidLabel =
  | { readonly kind: "key"; readonly value: string; readonly field: string }
  | { readonly kind: "value"; readonly value: string; readonly label: string }
  | { readonly kind: "prefix"; readonly value: string };

/** What a name is given twice (CW1009): `name` is the repeated name, `service` the one it is in. */
export type Duplicate =
  | { readonly kind: "cluster" | "service"; readonly name: string; readonly firstLine: number }
  | {
      readonly kind: "port-name" | "alias" | "own-name" | "backend" | "consumer" | "subset" | "failover";
      readonly service: string;
      readonly name: string;
    }
  | { readonly kind: "port-number"; readonly service: string; readonly port: number }
  | { readonly kind: "share"; readonly service: string; readonly cluster: string; readonly subset?: string };
function duplicate(a: Duplicate): Message {
  switch (a.kind) {
    case "cluster":
    case "service":
      return [
        `${a.kind} "${a.name}" is defined twice (first at line ${a.firstLine})`,
        "rename or remove one",
      ];
    case "port-name":
      return [`service "${a.service}" has two ports named "${a.name}"`, "give each port its own name"];
    case "port-number":
      return [`service "${a.service}" lists port ${a.port} twice`, "give each port its own number"];
    case "own-name":
      return [`alias "${a.name}" of service "${a.service}" is the service's own name`, "remove the alias"];
    case "alias":
      return [`service "${a.service}" lists alias "${a.name}" twice`, "keep one"];
    case "backend":
      return [`service "${a.service}" lists cluster "${a.name}" as a backend twice`, "keep one"];
    case "consumer":
      return [`service "${a.service}" lists consumer "${a.name}" twice`, "keep one"];
    case "subset":
      return [`service "${a.service}" defines subset "${a.name}" twice`, "keep one"];
    case "failover":
      return [`the failover list of service "${a.service}" names cluster "${a.name}" twice`, "keep one"];
    case "share": {
      const subset = a.subset ? `subset "${a.subset}" of ` : "";
      return [
        `the split of service "${a.service}" lists ${subset}cluster "${a.cluster}" twice`,
        "merge the two shares",
      ];
    }
  }
}
/** Why istioVersion cannot be used (CW1017). */
export type InvalidIstioVersion =
  | { readonly kind: "no-multicluster" | "not-1x"; readonly version: string }
  | { readonly kind: "not-text"; readonly actual: string };
function invalidIstioVersion(a: InvalidIstioVersion): Message {
  switch (a.kind) {
    case "no-multicluster":
      return [
        `Istio ${a.version} has no multicluster support cw can use`,
        "upgrade the cluster to Istio 1.1 or later",
      ];
    case "not-1x":
      return [`${a.version} is not an Istio 1.x release`, 'write the release like "1.30" or "1.30.3"'];
    case "not-text":
      return [
        `istioVersion must be text such as "1.30", not ${a.actual}`,
        "put it in quotes (1.30 unquoted is the number 1.3)",
      ];
  }
}
/** Names as a list in a sentence: "a", "b". */
const quoted = (names: readonly string[], separator: string) => names.map((n) => `"${n}"`).join(separator);
/** An address or CIDR block cw cannot use (CW1014); `problem` from topology/gateway-address.ts. */
export type BadAddress =
  | { readonly kind: "cidr"; readonly value: string; readonly field?: string }
  | { readonly kind: "ipv4"; readonly value: string }
  | { readonly kind: "gateway-address"; readonly value: string; readonly problem: readonly [string, string] };

/** A file that is not what it was given as (CW1013). */
export type NotAFederation =
  | { readonly kind: "not-a-mapping"; readonly list: boolean; readonly apiVersion: string }
  | { readonly kind: "wrong-header"; readonly found: string; readonly apiVersion: string }
  | { readonly kind: "legacy-not-a-list"; readonly what: "clusters" | "services" };

/** A file or folder in cw's way that cw did not write (CW3002). */
export type NotOurs =
  | {
      readonly kind: "existing-folder";
      readonly path: string;
      readonly what: string;
      readonly cluster: string;
    }
  | { readonly kind: "link"; readonly path: string }
  | { readonly kind: "foreign"; readonly path: string; readonly force: boolean };
function notOurs(a: NotOurs): Message {
  switch (a.kind) {
    case "existing-folder":
      return [
        `${a.path} is ${a.what}`,
        `cw writes cluster ${a.cluster}'s existing config only into a real folder there: move it away`,
      ];
    case "link":
      return [
        `${a.path} is a symbolic link`,
        "cw never writes through one: move it away, or run again with --force to replace the link itself",
      ];
    case "foreign":
      return [
        `${a.path} exists and cw did not write it`,
        a.force
          ? "move it away, or run again with --force to overwrite it"
          : "move it away or choose another folder",
      ];
  }
}
/** A file cw wrote that changed since, or the record that says which files are cw's (CW3003). */
export type Edited =
  | { readonly kind: "edited"; readonly path: string; readonly by: "generate" | "discover" }
  | { readonly kind: "unreadable-record"; readonly path: string; readonly error: string };
function edited(a: Edited): Message {
  if (a.kind === "unreadable-record")
    return [
      `${a.path} cannot be read (${a.error}), so cw cannot tell its files from yours`,
      "restore it, or delete it and run again with --force",
    ];
  return a.by === "generate"
    ? [
        `${a.path} was edited since cw wrote it`,
        "move your change into the topology, then run again with --force",
      ]
    : [
        `${a.path} was edited since cw discover --existing wrote it`,
        "move your version away, or run again with --force to overwrite it",
      ];
}
/** Why a folder or the lock file could not be read or written (CW3004). */
export type CannotWrite =
  | { readonly kind: "lock"; readonly dir: string; readonly problem: string }
  | { readonly kind: "aborted"; readonly dir: string }
  | { readonly kind: "write" | "read"; readonly path: string; readonly error: string }
  | {
      readonly kind: "lock-file";
      readonly path: string;
      readonly problem: string;
      readonly nothingWritten: boolean;
    };
function cannotWrite(a: CannotWrite): Message {
  switch (a.kind) {
    case "lock":
      return [`cannot lock ${a.dir}: ${a.problem}`, "choose a folder you can write with -o"];
    case "aborted":
      return [`nothing was written to ${a.dir}`, "fix what stopped the run, then run again"];
    case "write":
      return [
        `cannot write ${a.path}: ${a.error}`,
        "make the folder writable (and the disk not full), then run again",
      ];
    case "read":
      return [`cannot read ${a.path}: ${a.error}`, "make the folder readable, or choose another with -o"];
    case "lock-file":
      return [
        `cannot write the lock file ${a.path}: ${a.problem}`,
        `${a.nothingWritten ? "nothing was written: " : ""}choose a writable place with --lock FILE`,
      ];
  }
}
/** A folder that holds another federation's output, or says nothing of whose (CW3005). */
export type OtherFederation =
  | { readonly kind: "taken"; readonly dir: string; readonly found: string; readonly federation: string }
  | {
      readonly kind: "unmarked";
      readonly dir: string;
      readonly manifest: string;
      readonly federation: string;
      readonly topology: string;
      readonly regenerate: string;
    }
  | {
      readonly kind: "not-this";
      readonly dir: string;
      readonly found: string;
      readonly federation: string;
      readonly topology: string;
      readonly regenerate: string;
    };
function otherFederation(a: OtherFederation): Message {
  switch (a.kind) {
    case "taken":
      return [
        `${a.dir} holds the output of federation "${a.found}", and cw would replace and remove its files for federation "${a.federation}"`,
        "choose another folder with -o, or run again with --force to take it over",
      ];
    case "unmarked":
      return [
        `${a.dir}/ has no ${a.manifest}, so nothing says it holds federation "${a.federation}"`,
        `give the folder cw generate wrote for ${a.topology} with -o, or write it: ${a.regenerate}`,
      ];
    case "not-this":
      return [
        `${a.dir}/ holds the output of federation "${a.found}", not of "${a.federation}" (${a.topology})`,
        `give this federation's folder with -o, or write it: ${a.regenerate}`,
      ];
  }
}

/** What an existing Gateway server does to cw's on the same pods (CW4010, CW4012, CW4014). */
export type DuplicateChain = {
  readonly conflict: "duplicate-chain";
  readonly chain: string;
  readonly port: number;
};
export type ShadowedServer = { readonly conflict: "shadowed"; readonly why: string };
const conflictOf = (a: DuplicateChain | ShadowedServer) =>
  a.conflict === "duplicate-chain" ? `both build a filter chain for ${a.chain}` : a.why;
const consequenceOf = (a: DuplicateChain | ShadowedServer) =>
  a.conflict === "duplicate-chain"
    ? `Envoy rejects the listener on port ${a.port} and every call through it fails`
    : "Istio drops one of them (the one created later) and its calls fail";

export const catalog = {
  CW1001: {
    level: "error",
    title: "syntax error",
    explain:
      "The file is not valid YAML or JSON. cw reports one syntax error, at its cause: one slip makes a YAML parser stumble over many later lines that are fine, so fix this one and run again. Common causes are a missing colon after a key, a line indented more than the key above it when that key already has a value, a key or list item that lines up with nothing above it, tabs used for indentation, an unclosed quote or bracket, and the same key written twice in one mapping.",
  },
  CW1002: {
    level: "error",
    title: "unknown field",
    message: (a: { key: string; hint: string }) => [
      `unknown field ${a.key}${a.hint}`,
      "remove it or correct its name",
    ],
    explain:
      "The field is not part of the Federation format, so cw would silently ignore it. Usually it is a typo (`consumer` for `consumers`) or a field placed at the wrong level. Check the spelling against the JSON Schema in schema/federation.schema.json; an editor with YAML language support shows the valid fields.",
  },
  CW1003: {
    level: "error",
    title: "wrong type or value",
    message: (a: WrongValue) => wrongValue(a),
    explain:
      "The value has the wrong type (a list where a mapping is expected, text where a number is expected) or is not one of the allowed values. Quote strings that look like numbers or booleans, and check the allowed values in the JSON Schema.",
  },
  CW1004: {
    level: "error",
    title: "missing required field",
    message: (a: { field: string; emptyList?: { minimum: number } }) =>
      a.emptyList
        ? [`${a.field} is an empty list`, `add at least ${a.emptyList.minimum} entry to it`]
        : [`missing required field ${a.field}`, "add it to this mapping"],
    explain:
      "A field that cw cannot guess is missing, for example a service's ports or a cluster's name. Add it at the position shown.",
  },
  CW1005: {
    level: "error",
    title: "invalid name",
    message: (a: InvalidName) =>
      a.kind === "label"
        ? [
            `${a.value} is not a valid name for ${a.owner}`,
            "use lower-case letters, digits and '-', starting and ending with a letter or digit",
          ]
        : a.kind === "subdomain"
          ? [
              `${a.value} is not a valid DNS name for ${a.owner}`,
              "use lower-case DNS labels joined by dots, such as reviews.default",
            ]
          : [
              `${a.value} is longer than ${a.maximum} characters, the most DNS allows for ${a.owner}`,
              "shorten it",
            ],
    explain:
      "Names of clusters, services, namespaces and ports become parts of Kubernetes object names and DNS names, so they must be DNS-1123 labels: at most 63 characters, lower-case letters, digits and '-', starting and ending with a letter or digit. Host names and aliases must be DNS-1123 subdomains: labels joined by dots, at most 253 characters.",
  },
  CW1006: {
    level: "error",
    title: "port out of range",
    message: (a: { port: string }) => [`port ${a.port} is out of range`, "use a port from 1 to 65535"],
    explain: "Ports are TCP port numbers from 1 to 65535.",
  },
  CW1007: {
    level: "error",
    title: "unknown protocol",
    message: (a: { value: string; hint: string; protocols: readonly string[] }) => [
      `unknown protocol ${a.value}${a.hint}`,
      `use one of ${a.protocols.join(", ")}`,
    ],
    explain:
      "A port's protocol decides how Istio proxies it. cw supports the protocols of the original Coddiwomple: HTTP, HTTP2, GRPC, HTTPS, TLS, TCP and MONGO. Use TCP for any other protocol carried over TCP.",
  },
  CW1008: {
    level: "error",
    title: "unknown cluster",
    message: (a: { service: string; cluster: string; hint: string }) => [
      `service "${a.service}" has a backend in cluster "${a.cluster}", which is not defined${a.hint}`,
      "add the cluster to the topology's clusters, or correct the name",
    ],
    explain:
      "A service names a cluster that the topology does not define, so cw cannot tell where the backend runs or how to reach it. Define the cluster under spec.clusters (or, for the original Coddiwomple's files, in the file given with --cluster-file), or correct the name; the message suggests the closest defined name.",
  },
  CW1009: {
    level: "error",
    title: "duplicate name",
    message: (a: Duplicate) => duplicate(a),
    explain:
      "Two clusters, two services, or two ports of one service share a name (or two ports share a number), or a service lists the same backend cluster, consumer or alias twice, or its own name as an alias. Names identify objects in the generated configuration, so each must be unique in its list. Rename or remove the second one; the message gives the line of the first.",
  },
  CW1010: {
    level: "error",
    title: "host claimed twice",
    message: (a: { host: string; service: string; owner: string }) => [
      `host "${a.host}" of service "${a.service}" is already claimed by service "${a.owner}"`,
      "rename one of them or drop the alias",
    ],
    explain:
      "Two services claim the same global host name (through their names, aliases, or the per-port names cw derives for non-HTTP ports, which look like `p5432.db.global`). A caller could not tell which service it reaches. Rename one service or remove the alias.",
  },
  CW1011: {
    level: "error",
    title: "backend cluster has no ingress address",
    message: (a: { cluster: string; services: readonly string[] }) => [
      `cluster "${a.cluster}" runs ${quoted(a.services, ", ")} for other clusters but has no ingress address`,
      "set ingress.addresses to its ingress gateway's external IP or DNS name",
    ],
    explain:
      "A service that other clusters consume has a backend in a cluster with no ingress gateway address, or its split sends a share of a backend cluster's callers to such a cluster. Callers in other clusters reach a backend through its cluster's ingress gateway, so cw needs that address: set spec.clusters[].ingress.addresses to the external IP or DNS name of the gateway's Service (kubectl -n istio-system get svc istio-ingressgateway).",
  },
  CW1012: {
    level: "error",
    title: "consumer is not a cluster",
    message: (a: { cluster: string; service: string; hint: string }) => [
      `consumer "${a.cluster}" of service "${a.service}" is not a cluster${a.hint}`,
      'list cluster names, or "*" for every cluster',
    ],
    explain:
      "A service's consumers list names something that is not a cluster in the topology. List cluster names, or '*' for every cluster.",
  },
  CW1013: {
    level: "error",
    title: "not a Federation",
    message: (a: NotAFederation) =>
      a.kind === "legacy-not-a-list"
        ? [
            `an original Coddiwomple ${a.what} file is a JSON list of ${a.what}`,
            "check that you passed the right file",
          ]
        : a.kind === "not-a-mapping"
          ? [
              "the file is not a Federation document",
              a.list
                ? "this looks like an original Coddiwomple file: pass it with --cluster-file or --service-file"
                : `start it with apiVersion: ${a.apiVersion} and kind: Federation`,
            ]
          : [
              `the file ${a.found}, so it is not a Federation`,
              `start it with apiVersion: ${a.apiVersion} and kind: Federation`,
            ],
    explain:
      "A topology file starts with `apiVersion: coddiwomple.io/v1alpha1` and `kind: Federation`. For the original Coddiwomple's JSON files use `cw generate --cluster-file clusters.json --service-file services.json`.",
  },
  CW1014: {
    level: "error",
    title: "invalid address",
    message: (a: BadAddress) =>
      a.kind === "cidr"
        ? [
            `${a.field ? `${a.field} ` : ""}${a.value} is not an IPv4 CIDR block`,
            "write it like 240.241.0.0/16",
          ]
        : a.kind === "ipv4"
          ? [`${a.value} is not an IPv4 address`, "write it like 240.241.0.10"]
          : [`${a.value} ${a.problem[0]}`, a.problem[1]],
    explain:
      "An IP address or CIDR block could not be read, or is of a kind cw does not support. The VIP pool must be an IPv4 CIDR block such as 240.241.0.0/16; a service's vip must be an IPv4 address. An ingress gateway address is what other clusters dial: an IPv4 address in dotted decimal without leading zeros, an IPv6 address without a zone, or a DNS name, never with a port, a scheme or a path (the port is ingress.port).",
  },
  CW1015: {
    level: "error",
    title: "VIP used twice",
    message: (a: { vip: string; service: string; owner: string }) => [
      `VIP ${a.vip} of "${a.service}" is already the VIP of "${a.owner}"`,
      "remove one of the two vip fields",
    ],
    explain:
      "Two services were given the same virtual IP. Sidecars route TCP traffic by destination IP and port, so each global service needs its own VIP. Remove one of the explicit `vip` fields and let cw allocate one from the pool.",
  },
  CW1016: {
    level: "error",
    title: "VIP pool exhausted",
    message: (a: { service: string }) => [
      `the VIP pool has no free address left for "${a.service}"`,
      "use a larger vipPool",
    ],
    explain:
      "There are more global services than free addresses in the VIP pool (explicit `vip` fields inside the pool use addresses up too). Use a larger pool in spec.defaults.vipPool (a /16 holds 65,534 services).",
  },
  CW1017: {
    level: "error",
    title: "invalid Istio version",
    message: (a: InvalidIstioVersion) => invalidIstioVersion(a),
    explain:
      'istioVersion is a release such as "1.30" or "1.30.3". Quote it in YAML, because 1.30 unquoted is the number 1.3. cw supports Istio 1.1 and later.',
  },
  CW1018: {
    level: "warning",
    title: "service has no backend",
    message: (a: { service: string; missing: "backends" | "consumers" }) =>
      a.missing === "backends"
        ? [
            `service "${a.service}" has no backends, so nothing is generated for it`,
            "add a backend or remove the service",
          ]
        : [
            `service "${a.service}" has a split but no consumers, so no caller uses it`,
            "list the clusters whose callers the split applies to under consumers",
          ],
    explain:
      "The service lists no backends, so no cluster runs it and cw generates nothing for it. Add backends, or remove the service.",
  },
  CW1019: {
    level: "warning",
    title: "trust domain shared by consumer and non-consumer",
    message: (a: {
      service: string;
      leaky: readonly string[];
      domains: readonly string[];
      backends: boolean;
    }) => [
      `service "${a.service}" is not exported to ${a.leaky.map((c) => `"${c}"`).join(", ")}, but ${a.leaky.length === 1 ? "it shares" : "they share"} trust domain ${a.domains.join(", ")} with a consumer${a.backends ? " or a backend" : ""}, so the gateway cannot keep ${a.leaky.length === 1 ? "it" : "them"} out`,
      "give each cluster its own trustDomain",
    ],
    explain:
      "A service is exported to some clusters but not to others that share their trust domain. The ingress gateway tells callers apart only by the trust domain in their mTLS certificate, so it cannot keep those other clusters out. Give each cluster its own trust domain (the Istio meshConfig.trustDomain setting) to make exports enforceable.",
  },
  CW1020: {
    level: "warning",
    title: "consumer has the service locally",
    message: (a: { cluster: string; service: string }) => [
      `cluster "${a.cluster}" runs "${a.service}" itself, so callers there use the local backend`,
      "remove it from consumers",
    ],
    explain:
      "A consumer cluster also runs a backend of the service. Callers there reach the local backend through the global name, so the consumer entry has no effect.",
  },
  CW1021: {
    level: "error",
    title: "name too long",
    message: (a: { host: string }) => [
      `host "${a.host}" is longer than DNS allows`,
      "shorten the service name, alias or suffix",
    ],
    explain:
      "A generated Kubernetes object name or host name would exceed its limit (63 characters for labels, 253 for names). Shorten the service name or the name suffix.",
  },
  CW1022: {
    level: "warning",
    title: "exports not enforced on old Istio",
    message: (a: { cluster: string; version: string }) => [
      `cluster "${a.cluster}" runs Istio ${a.version}, which cannot enforce a DENY AuthorizationPolicy, so its exports are not enforced at the gateway`,
      "upgrade to Istio 1.5 or later",
    ],
    explain:
      "Istio releases before 1.5 have no DENY AuthorizationPolicy (1.4's policies can only ALLOW, and an ALLOW policy on a shared ingress gateway would refuse all its other traffic), so cw cannot limit which clusters' callers pass the ingress gateway: every cluster that can reach the gateway can call every exported service. Upgrade the cluster's Istio to 1.5 or later to enforce exports.",
  },
  CW1023: {
    level: "warning",
    title: "VIP pool overlaps Istio's own range",
    message: (a: { pool: string }) => [
      `VIP pool "${a.pool}" overlaps 240.240.0.0/16, where Istio allocates addresses of its own`,
      "use a pool outside it, such as cw's default 240.241.0.0/16",
    ],
    explain:
      "Istio allocates addresses for ServiceEntries without addresses from 240.240.0.0/16 (DNS auto-allocation, and the IP allocator of Istio 1.23 and later). A VIP of cw's in that range can equal one Istio hands out, and two services on one VIP and port collide in the sidecar. Use a pool outside it; cw's default is 240.241.0.0/16. Move the pool only together with the lock file's VIPs, and restart callers afterwards.",
  },
  CW1024: {
    level: "error",
    title: "split weights do not add up to 100",
    message: (a: { service: string; total: number }) => [
      `the split of service "${a.service}" adds up to ${a.total}, not 100`,
      "change the weights so they add up to 100",
    ],
    explain:
      "A service's split shares its consumers' calls over (cluster, subset) pairs in percent, as Istio's route weights do, so the weights must add up to exactly 100. For 75% to v3 in b and the rest split 15/10 between v1 and v2 locally, write weights 75, 15 and 10.",
  },
  CW1025: {
    level: "error",
    title: "subset without labels",
    message: (a: { subset: string; service: string }) => [
      `subset "${a.subset}" of service "${a.service}" has no labels, so it would select every pod`,
      `give it the labels of its pods, such as {version: ${a.subset}}`,
    ],
    explain:
      "A subset selects pods by their labels (usually version: v1). A subset without labels would select every pod of the service, which is never what a split means. Give the subset the labels its pods carry.",
  },
  CW1026: {
    level: "error",
    title: "cluster runs no backend of the service",
    message: (a: {
      cluster: string;
      service: string;
      where: "a split share" | "the failover list";
      backends: readonly string[];
      hint: string;
    }) => [
      `${a.where} names cluster "${a.cluster}", which runs no backend of "${a.service}"${a.hint}`,
      `name one of its backend clusters (${a.backends.join(", ") || "none"})`,
    ],
    explain:
      "A split share or a failover entry names a cluster, but that cluster runs no backend of the service, so no call could be sent there. Name one of the service's backend clusters, or add a backend there.",
  },
  CW1027: {
    level: "error",
    title: "unknown subset",
    message: (a: { service: string; subset: string; hint: string }) => [
      `the split of service "${a.service}" names subset "${a.subset}", which the service does not define${a.hint}`,
      "add it under subsets or correct the name",
    ],
    explain:
      "A split share names a subset that the service does not define under subsets. Define it, or correct the name.",
  },
  CW1028: {
    level: "error",
    title: "egress mode without an egress gateway",
    message: (a: { cluster: string; service: string; mode: string }) => [
      `cluster "${a.cluster}" calls "${a.service}" through its egress gateway (${a.mode} mode, from a cluster in egress mode) but has no egress gateway`,
      "describe it under the cluster's egress field, or use another mode",
    ],
    explain:
      "In egress mode a cluster's calls to other clusters leave through its own egress gateway, so cw needs to know that gateway: add an egress field to the cluster (its selector, namespace, service account, Service name and port), or call in gateway or passthrough mode.",
  },
  CW1029: {
    level: "error",
    title: "passthrough needs one backend host",
    message: (a: { service: string; hosts: readonly string[] }) => [
      `service "${a.service}" is called in passthrough mode, where the caller names the backend's Kubernetes host in its SNI, but its backends use different hosts (${a.hosts.join(", ")})`,
      "give every backend the same host, or use gateway mode",
    ],
    explain:
      "In passthrough mode the remote ingress gateway does not terminate TLS: it routes by the SNI the caller sends, which names the backend's Kubernetes Service host and port (outbound_.<port>_._.<host>). A caller sends one SNI whatever cluster it reaches, so every backend must use the same host. Make the hosts equal (the default <name>.<namespace>.svc.cluster.local is), or use gateway mode.",
  },
  CW1030: {
    level: "warning",
    title: "failover order needs Istio 1.18",
    message: (a: { cluster: string; version: string; service: string }) => [
      `cluster "${a.cluster}" runs Istio ${a.version}, which cannot follow the failover order of "${a.service}"`,
      "its callers fail over by locality instead",
    ],
    explain:
      "An explicit failover order is written as a DestinationRule failoverPriority with label values, which Istio reads from 1.18 on. Older callers fail over by locality only (nearest first). Upgrade the calling cluster, or drop the failover list.",
  },
  CW1031: {
    level: "warning",
    title: "caller scoping not enforceable through an egress gateway",
    message: (a: { cluster: string; service: string; version: string }) => [
      `cluster "${a.cluster}" calls "${a.service}" through its egress gateway, where the caller's namespace and service account are checked, but it runs Istio ${a.version}, which has no DENY AuthorizationPolicy (1.5 and later), and the remote gateway sees only the egress gateway's identity`,
      "only the cluster is enforced",
    ],
    explain:
      "In egress mode the remote gateway sees the egress gateway's certificate, not the caller's, so it can only tell clusters apart. cw therefore checks a consumer's namespaces and service accounts on the calling cluster's own egress gateway, with a DENY AuthorizationPolicy per service. Istio releases before 1.5 have no DENY action, so a cluster that old cannot check them anywhere: only the cluster is enforced. Upgrade the calling cluster to Istio 1.5 or later, or call the service in passthrough mode, where the pods check the caller.",
  },
  CW1032: {
    level: "error",
    title: "split through an egress gateway",
    message: (a: { service: string; cluster: string; remote: readonly string[] }) => [
      `the split of "${a.service}" sends "${a.cluster}"'s calls to ${quoted(a.remote, " and ")}, but in passthrough mode through its egress gateway the only name the egress gateway can route by is Istio's SNI, outbound_.<port>_.<subset>_.<host>, which names no cluster`,
      `send the remote shares to one cluster, or call it in egress (terminated) mode from "${a.cluster}"`,
    ],
    explain:
      "In passthrough mode through an egress gateway, the sidecar's mutual TLS passes through the egress gateway and the remote ingress gateway to the pods, and the egress gateway routes it by its SNI alone: Istio's own name of the upstream, outbound_.<port>_.<subset>_.<host>. That names the subset but not the cluster, and Istio validates Gateway server hosts and tls route sniHosts as DNS names, so only a wildcard (*.<host>) can match it, which cannot tell one subset from another either. The egress gateway can therefore send a split's remote shares to one cluster only. Send them to one cluster, or call the service in egress mode (terminated at the egress gateway, which routes each share by its own SNI or header).",
  },
  CW1033: {
    level: "error",
    title: "service accounts without namespaces",
    message: (a: { cluster: string; service: string }) => [
      `consumer "${a.cluster}" of service "${a.service}" lists service accounts but no namespaces`,
      "add the namespaces they live in (an identity is namespace and service account)",
    ],
    explain:
      "An Istio identity is <trust domain>/ns/<namespace>/sa/<service account>, and a policy can match a prefix or a suffix of it but nothing in the middle. To allow service accounts, say in which namespaces they are: consumers: [{cluster: a, namespaces: [shop], serviceAccounts: [frontend]}].",
  },
  CW1034: {
    level: "warning",
    title: "default trust domain cannot be narrowed",
    message: (a: { cluster: string; service: string; egress: boolean }) => [
      `cluster "${a.cluster}" keeps Istio's default trust domain cluster.local, which Istio rewrites in exact identities, so "${a.service}" admits all of "${a.cluster}"'s callers rather than the ${a.egress ? "egress gateway" : "namespaces and service accounts listed"}`,
      `give "${a.cluster}" a trust domain of its own`,
    ],
    explain:
      "Istio treats cluster.local in an identity (cluster.local/ns/<namespace>/sa/<account>) as an alias of the checking cluster's own trust domain, so a policy in another cluster cannot name a caller of a cluster.local cluster exactly. cw then admits that cluster's whole trust domain, which is wider than the namespaces, service accounts or egress gateway the topology names. Give the calling cluster a trust domain of its own (meshConfig.trustDomain).",
  },
  CW1035: {
    level: "error",
    title: "invalid label",
    message: (a: InvalidLabel) =>
      a.kind === "key"
        ? [
            `${a.value} is not a valid label key in ${a.field}`,
            "use up to 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit, optionally after a DNS prefix and '/', such as app or app.kubernetes.io/name",
          ]
        : a.kind === "value"
          ? [
              `${a.value} is not a valid value for label "${a.label}"`,
              "use up to 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit (or nothing)",
            ]
          : [`the prefix of label key ${a.value} is longer than 253 characters`, "shorten it"],
    explain:
      "Selectors and subset labels are Kubernetes labels. A key is a name of at most 63 characters (letters, digits, '-', '_' and '.', starting and ending with a letter or digit), optionally after a DNS subdomain prefix and '/', as in app.kubernetes.io/name; a value is empty or a name of the same form. A key or value Kubernetes would refuse could never match a pod, so cw refuses it too.",
  },
  CW1036: {
    level: "error",
    title: "empty selector",
    message: (a: { field: string }) => [
      `${a.field} has no labels, so it would select every pod in its namespace`,
      "give the labels of the pods meant, such as {app: reviews}, or leave the field out for cw's default",
    ],
    explain:
      "A selector with no labels selects every pod of its namespace. On a gateway or a service's pods it would put cw's policies (DENY AuthorizationPolicies among them) on every workload there, and in the root namespace (istio-system) on every workload of the mesh. Give the labels of the pods meant, such as {istio: ingressgateway} or {app: reviews}, or leave the field out for cw's default.",
  },
  CW1037: {
    level: "error",
    title: "fixed VIP is another service's locked VIP",
    message: (a: { vip: string; service: string; holder: string; lockedAt?: string }) => [
      `VIP ${a.vip} of "${a.service}" is the locked VIP of "${a.holder}"${a.lockedAt ? ` (${a.lockedAt})` : ""}, which its callers may still use`,
      `choose another vip, or remove "${a.holder}"'s lock entry first if it really should move`,
    ],
    explain:
      "The lock file records the VIP each service was given, so that callers that resolved it keep reaching the same service. A fixed vip that equals another service's locked VIP would hand that address to a different service while callers still use it. Choose another vip; if the other service really should move, remove its entry from the lock file first (and restart its callers).",
  },
  CW1038: {
    level: "warning",
    title: "unknown field in the original's files",
    message: (a: { key: string; hint: string }) => [
      `unknown field ${a.key}${a.hint}, ignored as the original Coddiwomple ignored it`,
      "remove it or correct its name",
    ],
    explain:
      "The original Coddiwomple ignored fields it did not know, and cw reads its files the same way, so the field has no effect. Usually it is a typo, such as kubecondig_context in the original's own README: correct it, or remove it.",
  },
  CW1039: {
    level: "error",
    title: "cannot read the input file",
    message: (a: { problem: string }) => [a.problem, "give the path of the file itself"],
    explain:
      "cw reads a topology (and the original's two JSON files) from regular files of UTF-8 text. The path names a folder, a pipe or a device, or a file cw may not read, or one whose bytes are not UTF-8. Give the path of the file itself; to feed a topology from another program, write it to a file first.",
  },
  CW1040: {
    level: "error",
    title: "suffix inside the cluster domain",
    message: (a: { suffix: string; domain: string }) => [
      `suffix "${a.suffix}" is inside the cluster domain ${a.domain}, where Kubernetes names its Services, so global names would take over real Service names`,
      "choose a suffix outside it, such as global",
    ],
    explain:
      "Kubernetes names every Service <service>.<namespace>.svc.cluster.local. A suffix equal to cluster.local or ending in it (svc.cluster.local, for example) makes global names and aliases fall inside that domain: the alias reviews.default with the suffix svc.cluster.local is the name of the real Service reviews in namespace default, and cw's ServiceEntry for it would take that Service's calls over in every cluster that imports it. Choose a suffix outside the cluster domain, such as global (the default) or a subdomain you own.",
  },
  CW1041: {
    level: "warning",
    title: "ingress gateway identity defaulted",
    message: (a: { cluster: string; serviceAccount: string }) => [
      `cluster "${a.cluster}" does not give ingress.serviceAccount, so callers expect its gateway to run as "${a.serviceAccount}" (the name istioctl and the IstioOperator use; Istio's Helm gateway chart names it after the release, an east-west gateway has its own)`,
      "set it to the gateway pods' spec.serviceAccountName, or let cw discover read it",
    ],
    explain:
      "Callers check the identity of the ingress gateway they reach (the ServiceEntry's subjectAltNames: spiffe://<trust domain>/ns/<ingress.namespace>/sa/<ingress.serviceAccount>), so a wrong service account fails every TLS handshake to that cluster. Without ingress.serviceAccount cw assumes istio-ingressgateway-service-account, the name istioctl and the IstioOperator give the ingress gateway. Istio's Helm gateway chart names the service account after the release (for example istio-ingressgateway or istio-eastwestgateway), and an east-west gateway installed from Istio's multicluster samples has its own. Read it from the gateway's pods (kubectl -n <namespace> get pods -l <selector> -o jsonpath='{.items[0].spec.serviceAccountName}') and set ingress.serviceAccount, or let cw discover fill it in.",
  },
  CW1042: {
    level: "warning",
    title: "trust-domain validation turned off",
    message: (a: { cluster: string; version: string; domains: readonly string[] }) => [
      `cluster "${a.cluster}" runs Istio ${a.version}, which cannot list ${a.domains.join(", ")} as trusted domains, so its mesh settings turn trust-domain validation off (PILOT_SKIP_VALIDATE_TRUST_DOMAIN): every pod of "${a.cluster}" then accepts mTLS from any workload whose certificate chains to the shared root, whatever its trust domain, and only AuthorizationPolicies keep callers out`,
      'upgrade to Istio 1.16.4, 1.17.2 or later (give the full version, such as "1.17.2") to list only the consumers\' domains',
    ],
    explain:
      "In passthrough mode a caller's mTLS ends at the called pod, whose sidecar accepts only certificates of its own trust domain (and its aliases) unless told otherwise. Istio 1.16.4, 1.17.2 and later accept the trust domains listed in meshConfig.caCertificates[].trustDomains, and cw lists exactly the consumers' domains there. Older releases (and 1.17.0, 1.17.1) can only turn the check off for the whole cluster with istiod's PILOT_SKIP_VALIDATE_TRUST_DOMAIN: every pod then accepts mTLS from any workload whose certificate chains to the shared root, whatever its trust domain, and only AuthorizationPolicies keep callers out. Next to an AUTO_PASSTHROUGH server for *.local (Istio's east-west gateway) any workload of any cluster sharing the root can then reach any pod that no policy guards. Upgrade the cluster, and give istioVersion with its patch (\"1.17.2\"): a version without a patch is taken to be the minor's first release.",
  },
  CW1043: {
    level: "warning",
    title: "passthrough server beside an unknown gateway",
    message: (a: { hosts: readonly string[]; port: number; cluster: string }) => [
      `cw writes an AUTO_PASSTHROUGH server for ${a.hosts.join(", ")} on port ${a.port} of cluster "${a.cluster}"'s ingress gateway, but does not know the cluster's Istio config: if that gateway already has Istio's east-west Gateway (AUTO_PASSTHROUGH for *.local on the same port), the two servers duplicate their filter chains and Envoy rejects the listener, failing every call through it`,
      "give the cluster's config with --existing (cw discover --existing <dir> writes it), and cw then uses that server instead",
    ],
    explain:
      "For a service called in passthrough mode cw writes an AUTO_PASSTHROUGH server for the service's host on the ingress gateway's port. Istio's multi-network guide installs an east-west Gateway with an AUTO_PASSTHROUGH server for *.local on port 15443 (samples/multicluster/expose-services.yaml). If the cluster has it on the same gateway and port, each server builds a filter chain for the service (builtAutoPassthroughFilterChains in pilot/pkg/networking/core/gateway.go), the two chains match the same SNI, and Envoy rejects the whole listener: every call through that port fails. cw cannot see the cluster's config unless it is given: run cw discover --existing <dir> (or write the folder by hand: <dir>/<cluster>/*.yaml) and pass --existing <dir> to cw generate. With the east-west Gateway there, cw writes no server and relies on it; with a cluster folder that shows none, this warning goes away.",
  },
  CW1044: {
    level: "warning",
    title: "Kubernetes name routed nowhere",
    message: (a: { service: string; everywhere: boolean }) => [
      `routeKubernetesName of "${a.service}" changes nothing: no consumer runs it and sends calls away with a split, where the name would carry the split${a.everywhere ? "" : ", and consumers that do not run it have no such name (routeKubernetesName: everywhere creates it there)"}`,
      "add a split, or remove the setting",
    ],
    explain:
      "routeKubernetesName: true routes the service's own Kubernetes name (reviews, reviews.default, reviews.default.svc.cluster.local) in the consumer clusters that run the service and send part of their calls away with a split: there the name carries the split, as the global name does. A consumer that runs the service without such a split calls its local pods, and a consumer that does not run the service has no such name. When no consumer is of the first kind, the setting changes nothing. Add the split, or use routeKubernetesName: everywhere to create the name in consumers that do not run the service (warning CW1045), or remove the setting.",
  },
  CW1045: {
    level: "warning",
    title: "Kubernetes name created where the service does not run",
    message: (a: { cluster: string; service: string; host: string }) => [
      `cluster "${a.cluster}" does not run "${a.service}", so cw creates the name ${a.host} there and sends its calls to the global service: a Service of that name in "${a.cluster}" that the topology does not show would lose its calls to it`,
      "make sure there is none, or use routeKubernetesName: true",
    ],
    explain:
      "With routeKubernetesName: everywhere, a consumer cluster that does not run the service gets its Kubernetes name all the same: a ServiceEntry for <name>.<namespace>.svc.cluster.local on the service's VIP, which the sidecars' DNS proxy answers (pod search domains make reviews and reviews.default find it), and a VirtualService that sends the calls to the global service. The VirtualService routes the name whoever owns it: if the cluster has a Service of that name that the topology does not show, calls to it go to the global service instead, and Istio's DNS proxy answers that Service's ClusterIP first (BuildNameTable in pkg/dns/server/name_table.go). Make sure the cluster has no such Service, or use routeKubernetesName: true to route the name only where the service runs.",
  },
  CW1046: {
    level: "warning",
    title: "Kubernetes name cannot be created before Istio 1.8",
    message: (a: { cluster: string; version: string; host: string }) => [
      `cluster "${a.cluster}" runs Istio ${a.version}, which has no sidecar DNS proxy to answer a ServiceEntry for ${a.host}, so cw creates no such name there`,
      "its callers use the global name",
    ],
    explain:
      "routeKubernetesName: everywhere creates the service's Kubernetes name in consumer clusters that do not run it with a ServiceEntry, which only the sidecars' DNS proxy answers (Istio 1.8 and later, ISTIO_META_DNS_CAPTURE). A cluster on an older release resolves cluster.local names with its Kubernetes DNS alone, which has no such Service, so cw creates no name there and its callers keep using the global name. Upgrade the cluster to use the Kubernetes name there.",
  },
  CW1047: {
    level: "error",
    title: "passthrough through an egress gateway needs the pods' service account",
    message: (a: { cluster: string; service: string }) => [
      `cluster "${a.cluster}" calls "${a.service}" in passthrough mode through its egress gateway, where the sidecar's mTLS ends at the service's pods, which cw can name only from the service's serviceAccount (without one, Istio expects the egress gateway's identity and every handshake fails)`,
      "set serviceAccount to the pods' service account",
    ],
    explain:
      "A service called in passthrough mode from a cluster in egress mode is reached through that cluster's egress gateway, which passes the sidecar's mutual TLS on unopened: the handshake ends at the service's pods. The sidecar sends it to the egress gateway's Service, and Istio's mutual TLS expects that Service's identity unless the DestinationRule names another (subjectAltNames; buildUpstreamTLSSettings in pilot/pkg/networking/core/cluster_tls.go), so cw must name the pods' identity, spiffe://<trust domain>/ns/<namespace>/sa/<serviceAccount>. Set the service's serviceAccount to its pods' service account.",
  },
  CW2001: {
    level: "error",
    title: "unreadable lock file",
    message: (
      a: { kind: "syntax" | "not-a-lock"; detail: string } | { kind: "unreadable"; problem: string },
    ) =>
      a.kind === "unreadable"
        ? [a.problem, "give the path of the file itself"]
        : [
            a.kind === "syntax"
              ? `the lock file is not valid YAML (${a.detail})`
              : `the lock file is not a cw lock (${a.detail})`,
            "restore it from version control, or delete it to allocate VIPs afresh",
          ],
    explain:
      "The lock file next to the topology records the VIP given to each global service, so that VIPs never move between runs. It could not be read. Restore it from version control; if it is lost, delete it and cw allocates VIPs afresh (callers may then need a restart to pick up new addresses).",
  },
  CW2002: {
    level: "warning",
    title: "lock entry ignored",
    message: (a: {
      service: string;
      address: string;
      problem: "not-ipv4" | "outside-pool" | { owner: string };
    }) =>
      a.problem === "not-ipv4"
        ? [
            `the lock gives "${a.service}" the address "${a.address}", which is not an IPv4 address`,
            "cw allocates a new VIP",
          ]
        : [
            `the locked VIP ${a.address} of "${a.service}" is ${a.problem === "outside-pool" ? "outside the VIP pool" : `already the VIP of "${a.problem.owner}"`}`,
            "cw allocates a new one and updates the lock",
          ],
    explain:
      "An entry of the lock file could not be kept: its address is invalid, outside the VIP pool, or already taken by another service. cw allocates a new VIP for that service and rewrites the lock file.",
  },
  CW3001: {
    level: "error",
    title: "output folder not created by cw",
    message: (a: { dir: string; problem: "not-a-folder" | "foreign-files" }) =>
      a.problem === "not-a-folder"
        ? [`${a.dir} exists and is not a folder`, "choose another output folder with -o"]
        : [`${a.dir} already holds files that cw did not write`, "choose a new or empty folder with -o"],
    explain:
      "cw writes only into a folder it created (it keeps a .coddiwomple-manifest file there), so that it never deletes or overwrites files it did not write. Choose a new or empty folder with -o, or move the existing folder away.",
  },
  CW3002: {
    level: "error",
    title: "would overwrite a file cw did not write",
    message: (a: NotOurs) => notOurs(a),
    explain:
      "A file that cw would generate already exists in the output folder (or, for cw discover --existing, in the --existing folder), and cw did not write it. Move the file away, or choose another folder; cw discover --existing overwrites it with --force. cw never writes through a symbolic link.",
  },
  CW3003: {
    level: "error",
    title: "generated file was edited",
    message: (a: Edited) => edited(a),
    explain:
      "A file cw generated has been changed since cw wrote it, and regenerating would lose the change. Put the change into the topology file (or a kustomize overlay of your own), then run again with --force to overwrite.",
  },
  CW3004: {
    level: "error",
    title: "cannot write output",
    message: (a: CannotWrite) => cannotWrite(a),
    explain: "The file system refused a write. The message gives the operating system's reason.",
  },
  CW3005: {
    level: "error",
    title: "output folder of another federation",
    message: (a: OtherFederation) => otherFederation(a),
    explain:
      "The folder's .coddiwomple-manifest, which cw generate writes, names the federation it holds, and this one names another federation. cw generate will not write there: it would replace that federation's files and remove the ones this federation does not generate (run again with --force if the folder really should change hands). cw verify and cw trace check a folder against a topology, and refuse it too (and the default folder, out, when it has no manifest at all): checking one federation's calls against another's output would report mismatches that are not there. Give the folder that cw generate wrote for this topology with -o, or generate it.",
  },
  CW3006: {
    level: "error",
    title: "symbolic link in the output folder",
    message: (a: { dir: string; named: string; more: number; count: number }) => [
      `${a.named}${a.more > 0 ? ` and ${a.more} more` : ""} ${a.count === 1 ? "is a symbolic link" : "are symbolic links"}, which cw does not follow in its output folder ${a.dir}`,
      `replace ${a.count === 1 ? "it" : "them"} with the real folder or file, or choose another folder with -o`,
    ],
    explain:
      "The output folder, or a folder or file in it, is a symbolic link. cw never follows one there: writing through a link to a cluster folder would write into (and replace files of) whatever folder it points at, outside the output folder. Replace the link with the real folder or file, or choose another output folder with -o.",
  },
  CW3007: {
    level: "error",
    title: "output folder in use",
    message: (a: { what: string; problem: string }) => [
      `${a.problem}, writing ${a.what}`,
      "wait for it to finish, or delete that lock file if no cw runs there any more",
    ],
    explain:
      "Another cw run is writing the same output folder or lock file (cw holds a .<name>.cw-lock file beside it while it runs). Two runs at once would each write a complete result, and one would be lost. Wait for the other run to finish. A lock left by a run that was killed is taken over by the next run on the same machine; one from another machine (on a shared disk) must be deleted by hand once no cw runs there.",
  },
  CW4001: {
    level: "error",
    title: "existing config unreadable",
    message: (a: { path: string; error: string }) => [
      `cannot read ${a.path}: ${a.error}`,
      "make it readable, or remove it from the --existing folder",
    ],
    explain:
      "A file or folder under the --existing folder could not be read. The message gives the operating system's reason. The folder holds one subfolder per cluster, named as in the topology, with the Istio objects that cluster already has in *.yaml files below it; cw discover --existing <dir> writes it from live clusters.",
  },
  CW4002: {
    level: "error",
    title: "existing config is not valid YAML",
    message: (a: { file: string; error: string; aliases?: boolean }) =>
      a.aliases
        ? [`${a.error} in ${a.file}`, "write the values out instead of aliases"]
        : [`${a.error} in ${a.file}`, "fix the YAML (cw discover --existing writes files that read)"],
    explain:
      "A file under the --existing folder is not valid YAML, so cw cannot tell what the cluster already has and would generate without it. Fix the file, or write the folder again with cw discover --existing <dir>.",
  },
  CW4003: {
    level: "error",
    title: "not a Kubernetes object",
    message: (a: { file: string }) => [
      `a document of ${a.file} is not a Kubernetes object (it needs apiVersion, kind and metadata.name)`,
      "remove it or complete it",
    ],
    explain:
      "A document in a file under the --existing folder has no apiVersion, kind or metadata.name, so it is no object a cluster could hold. Remove it or complete it. Objects of other kinds than Istio's (networking.istio.io, security.istio.io) and the istio ConfigMap are ignored, not reported.",
  },
  CW4004: {
    level: "warning",
    title: "existing config for an unknown cluster",
    message: (a: { folder: string; cluster: string; known: readonly string[] }) => [
      `${a.folder} is a folder for cluster "${a.cluster}", which the topology does not have, so it is not read`,
      `rename it after one of the topology's clusters (${a.known.join(", ")}) or remove it`,
    ],
    explain:
      "The --existing folder has a subfolder whose name is no cluster of the topology, so its objects are not read: a cluster's folder must be named exactly as the cluster. Rename it, or remove it if the cluster left the topology.",
  },
  CW4005: {
    level: "error",
    title: "mesh config unreadable",
    message: (a: { configMap: string; problem: string }) => [
      `the mesh config in ConfigMap ${a.configMap} cannot be read (${a.problem})`,
      "give data.mesh as the MeshConfig YAML, as Istio's own ConfigMap has it",
    ],
    explain:
      "The ConfigMap istio (or istio-<revision>) in the --existing folder holds Istio's MeshConfig as YAML text under data.mesh, as istiod reads it. Its data.mesh is not text, or not YAML, or not a mapping. Write it as the cluster has it (kubectl -n istio-system get configmap istio -o yaml).",
  },
  CW4010: {
    level: "error",
    title: "duplicate filter chains on a gateway port",
    message: (a: { servers: string } & DuplicateChain) => [
      `${a.servers} ${conflictOf(a)}, so ${consequenceOf(a)}`,
      "remove one of the two servers, or give cw's ingress another port",
    ],
    explain:
      "Two Gateway servers on the same port of the same gateway pods would produce the same filter-chain match (the same SNI names, and for AUTO_PASSTHROUGH the same Istio-mTLS protocols), and Envoy rejects the whole listener: every call through that port fails, not only the ones of the two servers. Typical case: Istio's east-west gateway (samples/multicluster/expose-services.yaml) has an AUTO_PASSTHROUGH server for *.local on port 15443, which builds a filter chain for every service of the cluster (builtAutoPassthroughFilterChains in pilot/pkg/networking/core/gateway.go); a second AUTO_PASSTHROUGH server for one of those services on the same port builds the same chain again. With the east-west Gateway in --existing, on the same selector and port as ingress, cw writes no server of its own and relies on it. Two terminating TLS servers whose hosts differ only in their namespace part (istio-system/x.global and */x.global) also pass Istio's duplicate check and build the same chain. Remove one of the two servers, or give cw's ingress another port or selector.",
  },
  CW4011: {
    level: "error",
    title: "two DestinationRules for one host",
    message: (a: {
      theirs: string;
      theirHost: string;
      ours: string;
      ourHost: string;
      where: string;
      merged: boolean;
    }) => [
      `the existing ${a.theirs} for host ${a.theirHost} and cw's ${a.ours} for ${a.ourHost} are both found by sidecars ${a.where}, and Istio ${a.merged ? "merges them (the first one's traffic policy wins)" : "uses the existing one instead of cw's"}, so cw's mTLS settings may not apply`,
      "narrow the existing rule's exportTo or host, or remove it",
    ],
    explain:
      "A DestinationRule the cluster already has applies to a host cw writes a DestinationRule for, in a namespace whose sidecars use cw's. Istio gives a sidecar the rules of one place per host: the most specific ones in its own namespace, else in the namespace of the service that owns the host, else in the root namespace (destinationRule in pilot/pkg/model/push_context.go), and merges rules of one namespace subsets first, the first rule's traffic policy winning (1.20 to 1.23 under the first rule's exportTo; 1.24 and later keep rules with different exportTo apart, mergeDestinationRule in pilot/pkg/model/destination_rule.go). Either way cw's mTLS origination, SNI or subsets may not apply, and calls fail. Remove or narrow the existing rule (exportTo, or a more specific host), or carry what it sets into the topology.",
  },
  CW4012: {
    level: "error",
    title: "Gateway server shadowed",
    message: (a: { servers: string } & ShadowedServer) => [
      `${a.servers} ${conflictOf(a)}, so ${consequenceOf(a)}`,
      "remove the existing server, or give cw's ingress another port",
    ],
    explain:
      "A Gateway server the cluster already has and one of cw's claim the same host on the same port of the same gateway pods, or one of them serves plain text on a port where the other needs TLS. Istio keeps one and drops the other (mergeGateways in pilot/pkg/model/gateway.go skips a TLS server whose host is already taken, and a server whose protocol cannot share the port), so some calls reach the wrong routes or none. Remove the existing server, or give cw's ingress another port.",
  },
  CW4013: {
    level: "error",
    title: "two Sidecars in one namespace",
    message: (a: { ours: string; theirs: string; namespace: string }) => [
      `cw's ${a.ours} and the existing ${a.theirs} are both the Sidecar of every workload in namespace ${a.namespace}, and Istio uses only one of them`,
      "add cw's egress hosts to yours and turn defaults.sidecarScope off, or remove yours",
    ],
    explain:
      "A namespace may have one Sidecar without a workloadSelector; with two, Istio uses one of them and ignores the other, so either cw's scoping or yours is lost. cw writes one per namespace the topology names when defaults.sidecarScope is on. Add cw's egress hosts to your Sidecar and turn sidecarScope off, or remove yours.",
  },
  CW4014: {
    level: "warning",
    title: "existing Gateway may select the ingress pods",
    message: (a: { servers: string } & (DuplicateChain | ShadowedServer)) => [
      `${a.servers} ${conflictOf(a)} if the existing Gateway selects the same pods, and its selector has labels that cw's does not name: then ${consequenceOf(a)}`,
      "make ingress.selector name every label the gateway pods carry",
    ],
    explain:
      "A Gateway the cluster already has would conflict with one of cw's on the same port if both select the same gateway pods, and cw cannot tell whether they do: the existing Gateway's selector has labels that ingress.selector does not name. If the pods carry them, the listener fails or a server is dropped (see CW4010 and CW4012). Make ingress.selector list every label of the gateway's selector that the pods carry, so cw can tell.",
  },
  CW4015: {
    level: "error",
    title: "existing policy denies every request",
    message: (a: { policy: string; workload: string }) => [
      `${a.policy} denies every request to ${a.workload}, so every cross-cluster call cw routes there is refused`,
      "add an ALLOW policy for the callers cw lets in (their trust domains), or narrow that policy's selector",
    ],
    explain:
      "An AuthorizationPolicy in the cluster denies every request to the ingress gateway or to the pods cross-cluster calls reach: an allow-nothing policy (ALLOW with no rules, `spec: {}`) or a DENY policy with an empty rule, in the workload's namespace or the root namespace. cw enforces exports with DENY policies and relies on Istio's default of allowing the rest, so its calls are refused. Add an ALLOW policy that lets in the calling clusters' trust domains, or narrow the policy's selector.",
  },
  CW4016: {
    level: "warning",
    title: "existing ALLOW policy on the path",
    message: (a: { policy: string; workload: string }) => [
      `${a.policy} is an ALLOW policy on ${a.workload}: only requests its rules match get in, and cw's cross-cluster callers may not be among them`,
      "add a rule for them, or check with cw check --live after applying",
    ],
    explain:
      "An ALLOW AuthorizationPolicy applies to the ingress gateway or to the pods cross-cluster calls reach. Once any ALLOW policy applies to a workload, Istio lets in only requests that match one, and cw's callers (the remote gateway, or workloads of another trust domain) may not match. Add a rule for them, then check the calls with cw check --live and a real request.",
  },
  CW4101: {
    level: "error",
    title: "cluster unreachable",
    explain:
      "cw check --live (and cw status) could not talk to the cluster's API server: the kubeconfig context is missing, its credentials are refused, or the server does not answer within --timeout. Nothing else about the cluster was checked. Check the context with kubectl --context <context> get ns; a cluster that is down stays down in the report and the other clusters are still checked.",
  },
  CW4102: {
    level: "error",
    title: "Istio version differs from istioVersion",
    explain:
      "istiod's image tag says which Istio release runs in the cluster, and it differs from the cluster's istioVersion in the topology (a minor version such as 1.30 matches any of its patches). cw chooses API versions, DNS settings and policy features by istioVersion, so output written for another release may be refused or behave differently. Set istioVersion to the release the cluster runs, or upgrade the cluster.",
  },
  CW4103: {
    level: "error",
    title: "trust domain differs",
    explain:
      "The mesh config (ConfigMap istio, meshConfig.trustDomain; cluster.local when unset) names another trust domain than the cluster's trustDomain in the topology. Other clusters' DENY policies let in callers by the trust domain in their certificates, so a wrong one refuses allowed calls or admits others. Set meshConfig.trustDomain as the cluster's mesh/ settings say, or correct the topology.",
  },
  CW4104: {
    level: "error",
    title: "ingress gateway lacks the mTLS port",
    explain:
      "Other clusters send every cross-cluster call to the ingress gateway's Service on ingress.port (15443 by default), and the Service the gateway selector finds has no such port, or no Service selects the gateway's pods. Current Istio profiles do not expose 15443 on istio-ingressgateway; an east-west gateway does. Add the port, or set ingress.port and ingress.selector to your gateway's.",
  },
  CW4105: {
    level: "error",
    title: "ingress gateway address differs",
    explain:
      "Callers in other clusters reach this cluster at ingress.addresses, and the gateway Service's external addresses (load balancer IPs or host names, or externalIPs) do not include them, or it has none yet. Set ingress.addresses to what the Service shows (cw discover --write fills it in), or wait for the load balancer.",
  },
  CW4106: {
    level: "error",
    title: "ingress gateway service account differs",
    explain:
      "cw pins the ingress gateway's identity (spiffe://<trust domain>/ns/<namespace>/sa/<service account>) in what callers accept, and the gateway's pods run as another service account, or no pod is running. Every handshake with the gateway then fails. istioctl installs use istio-ingressgateway-service-account, Helm's gateway chart the release name. Set ingress.serviceAccount to what the pods run as (cw discover --write fills it in).",
  },
  CW4107: {
    level: "error",
    title: "DNS capture is off",
    explain:
      "Workloads that call global names resolve them through the sidecar's DNS proxy (Istio 1.8 and later), which runs only with ISTIO_META_DNS_CAPTURE=true in the proxy metadata, mesh-wide (meshConfig.defaultConfig.proxyMetadata) or through a ProxyConfig in their namespace (or the root namespace); before 1.8, CoreDNS must serve the global suffix. Without it the names do not resolve. Merge the setting in the cluster folder's dns/ into the mesh (or the Corefile), then restart the workloads.",
  },
  CW4108: {
    level: "error",
    title: "generated objects not applied or changed",
    explain:
      "The cluster does not run exactly what cw generates for it: objects are missing, were changed in the cluster (their spec no longer matches their coddiwomple.io/hash annotation), are of an older generation, are blocked by an object of the same name cw did not create, or are no longer generated. Apply the cluster's folder (cw apply, or let the GitOps engine sync it) and prune what is no longer generated; cw diff shows each difference.",
  },
  CW4109: {
    level: "error",
    title: "roots of trust differ",
    explain:
      "The root certificates in two clusters' istio-ca-root-cert do not overlap, so each side's gateway refuses the other's certificate and every call between them fails. Give every cluster's Istio CA certificates from one root (Istio's plug-in CA certificates, secret cacerts in istio-system), then restart istiod and the workloads.",
  },
  CW5001: {
    level: "error",
    title: "live cluster could not be read",
    explain:
      "cw could not read one or more live clusters (cw discover): the API server was unreachable or did not answer in time (--timeout), the kubeconfig has no such context or cannot be read, its credentials (or their exec plugin) failed, or the server's answers were broken. Each cluster's line above says why. The clusters that could be read are still shown and written, and cw exits with code 3. Check the context with kubectl --context <context> get ns, then run again.",
  },
  CW9001: {
    level: "error",
    title: "internal error",
    message: (a: { kind: string; name: string; cluster: string; problem: string }) => [
      `cw generated an invalid ${a.kind} ${a.name} for cluster ${a.cluster}: ${a.problem}`,
      "this is a bug in cw, please report it",
    ],
    explain:
      "cw met a bug of its own: it generated configuration that failed its own checks, or one of its internal rules broke. It is never a problem of your input, and cw exits with code 70 so that scripts can tell the two apart. Please report it with the topology file that caused it (CW_DEBUG=1 prints the details).",
  },
} as const satisfies Record<string, CatalogEntry>;

export type Code = keyof typeof catalog;

export const isCode = (code: string): code is Code => Object.hasOwn(catalog, code);

/** What a site passes for `code`: its template's arguments, or the sentence for a code without one. */
export type MessageArgs<C extends Code> = (typeof catalog)[C] extends {
  readonly message: (args: infer A) => Message;
}
  ? A
  : string;

/** The templated codes, for the catalog test. */
export const templated = (code: Code): boolean => "message" in catalog[code];

export function diag<C extends Code>(code: C, args: MessageArgs<C>, location?: Location): Diagnostic {
  const entry: CatalogEntry = catalog[code];
  const message = entry.message
    ? (entry.message as (args: unknown) => Message)(args).join("; ")
    : (args as string);
  return location ? { code, level: entry.level, message, location } : { code, level: entry.level, message };
}
