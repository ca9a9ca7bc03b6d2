// `cw init [file] [--from-discover]`: writes a starter topology file (./federation.yaml by default)
// that explains itself in comments and passes `cw check` as written, or, with --from-discover, one
// filled from live clusters as `cw discover --write` fills it. Either way its first line wires up the
// JSON Schema for editors. An existing file is never overwritten: the user's file is theirs.

import { existsSync, writeFileSync } from "node:fs";
import { dirname, isAbsolute, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { DNS1123_LABEL } from "../topology/schema.js";
import { federationName } from "./default-names.js";
import type { DiscoverReadOptions } from "./discover.js";
import { ExitCode, type Io } from "./io.js";
import { packageRoot } from "./package-root.js";
import { UsageError } from "./usage-error.js";

/** The discover flags are used with fromDiscover only. */
export interface InitOptions extends DiscoverReadOptions {
  readonly file: string;
  readonly fromDiscover: boolean;
}

export async function runInit(options: InitOptions, io: Io): Promise<ExitCode> {
  const { file } = options;
  if (existsSync(file)) {
    throw new UsageError(
      `${file} exists; cw init leaves it alone. To add what runs in your clusters to it: cw discover ${file} --context CONTEXT --write`,
    );
  }
  const name = options.name ?? federationName(file);
  if (name.length > 63 || !DNS1123_LABEL.test(name)) {
    throw new UsageError(
      `--name "${name}" is not a valid name; use up to 63 lower-case letters, digits and '-', starting and ending with a letter or digit`,
    );
  }
  const schemaLine = `# yaml-language-server: $schema=${schemaReference(file)}\n`;
  if (options.fromDiscover) {
    if (options.contexts.length === 0) {
      throw new UsageError("--from-discover reads the clusters named with --context (repeat for more)");
    }
    const { runDiscover } = await import("./discover.js");
    return runDiscover(
      {
        ...options,
        topology: file,
        name,
        write: true,
        update: false,
        format: "text",
        starter: (n, contexts) => `${schemaLine}${discoveredHeader(contexts)}${skeleton(n)}`,
      },
      io,
    );
  }
  try {
    // "wx": fails if the file appeared since the check above, rather than overwrite it.
    writeFileSync(file, `${schemaLine}${STARTER.replace("{name}", name)}`, { flag: "wx" });
  } catch (e) {
    throw new UsageError(`cannot write ${file}: ${(e as Error).message}`);
  }
  io.out(
    `cw: wrote ${file}, a starter federation of two clusters and one service. Edit it, then:\n` +
      `  cw check ${file}\n  cw generate ${file} -o out\n  cw verify ${file} -o out\n`,
  );
  return ExitCode.ok;
}

/** The schema shipped with cw, as a path relative to the new file (what the YAML language server reads). */
function schemaReference(file: string): string {
  const schema = fileURLToPath(new URL("schema/federation.schema.json", packageRoot()));
  const path = relative(dirname(resolve(file)), schema)
    .split("\\")
    .join("/");
  return isAbsolute(path) ? path : path.startsWith(".") ? path : `./${path}`;
}

const discoveredHeader = (contexts: readonly string[]) =>
  [
    `# Written by cw init --from-discover from kubeconfig context${contexts.length === 1 ? "" : "s"} ${contexts.join(", ")}.`,
    "# Say who may call what (each service's consumers), then: cw check, cw generate -o out, cw verify.",
    "# cw discover --write merges new findings in later and keeps your edits and comments.",
    "",
  ].join("\n");

const skeleton = (name: string) =>
  `apiVersion: coddiwomple.io/v1alpha1\nkind: Federation\nmetadata:\n  name: ${name}\nspec:\n  clusters: []\n  services: []\n`;

// The example values are placeholders: 192.0.2.0/24 is reserved for documentation (RFC 5737).
const STARTER = `#
# A Federation: clusters that each run their own Istio control plane, and the services they share.
# Replace the example values with yours (or fill it from your clusters: cw discover --context east=CONTEXT
# --context west=CONTEXT --write), then: cw check, cw generate -o out, cw verify. Every field is in the
# JSON Schema (cw schema) and the README's "The topology file".
apiVersion: coddiwomple.io/v1alpha1
kind: Federation
metadata:
  name: {name}                 # labels every generated object
spec:
  defaults:                    # all optional; these are cw's defaults
    suffix: global             # global names are <service>.<suffix>
    namespace: istio-system    # where routing objects go (must exist)
  clusters:
    - name: east               # the name the rest of this file uses
      trustDomain: east.example    # Istio's meshConfig.trustDomain there; distinct per cluster
      istioVersion: "1.30"     # quote it; selects API versions and the DNS method
      ingress:
        addresses: [192.0.2.10]    # where other clusters reach its ingress gateway (IPs or DNS names)
        port: 15443                # the gateway's mTLS port
        serviceAccount: istio-ingressgateway-service-account  # its pods' spec.serviceAccountName
      kubeconfig: { context: east }  # for discover, diff and apply (default: the cluster's name)
    - name: west
      trustDomain: west.example
      istioVersion: "1.30"
      ingress:
        addresses: [192.0.2.20]
        serviceAccount: istio-ingressgateway-service-account
  services:
    - name: reviews            # callers use reviews.global
      namespace: default       # where it runs in its backend clusters
      ports:
        - { name: http, protocol: HTTP, port: 9080 }
      backends:
        - cluster: west        # the clusters that run it
      consumers: [east]        # who may call it from other clusters; default: nobody
`;
