// The tracer reads generated files with the neutral fast reader (src/yaml/plain-yaml.ts) as YAML 1.1,
// the version kubectl and Istio read them as. Flow collections and CR line ends, which cw's emitter
// does not write, stay with the yaml library.

import { readPlainYaml as readPlain } from "../yaml/plain-yaml.js";

/**
 * The values of the documents of `text` as parseAllDocuments(text, { version: "1.1" }) and toJS give
 * them, leaving out empty documents, or undefined when the text needs the yaml library.
 */
export const readPlainYaml = (text: string): unknown[] | undefined => readPlain(text, { version: "1.1" });
