// What of a live object cw compares with what it generated: everything the user or cw wrote, without
// what the server keeps for itself (uid, resourceVersion, managedFields, timestamps, status). Rendered
// with cw's own canonical YAML writer, so "unchanged" is a string comparison and a diff reads like the
// files cw generates.

import { renderYaml } from "../emit/render.js";
import type { KubeObject } from "./client.js";

const SERVER_METADATA = [
  "creationTimestamp",
  "deletionGracePeriodSeconds",
  "deletionTimestamp",
  "generation",
  "managedFields",
  "resourceVersion",
  "selfLink",
  "uid",
];

export function comparable(object: KubeObject): Record<string, unknown> {
  const { status: _status, metadata, ...rest } = object;
  const meta: Record<string, unknown> = { ...metadata };
  for (const key of SERVER_METADATA) delete meta[key];
  for (const key of ["labels", "annotations"]) {
    const value = meta[key];
    if (value !== null && typeof value === "object" && Object.keys(value).length === 0) delete meta[key];
  }
  return { ...rest, metadata: meta };
}

export const comparableYaml = (object: KubeObject): string => renderYaml(comparable(object));
