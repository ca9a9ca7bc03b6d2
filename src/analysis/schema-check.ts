// Checks generated objects against Istio's published schemas (through @kubernetes-models/istio), so
// that cw never hands the user an object the API server would reject. A failure here is a bug in cw.
// install.istio.io is here for the IstioOperator snippet cw writes under dns/ (its schema is loose:
// it checks the envelope, not meshConfig's fields).

import * as installV1alpha1 from "@kubernetes-models/istio/install.istio.io/v1alpha1";
import * as networkingV1 from "@kubernetes-models/istio/networking.istio.io/v1";
import * as networkingV1alpha3 from "@kubernetes-models/istio/networking.istio.io/v1alpha3";
import * as networkingV1beta1 from "@kubernetes-models/istio/networking.istio.io/v1beta1";
import * as securityV1 from "@kubernetes-models/istio/security.istio.io/v1";
import * as securityV1beta1 from "@kubernetes-models/istio/security.istio.io/v1beta1";

interface Model {
  validate(): void;
}
type ModelClass = new (data: object) => Model;

const MODULES: Record<string, Record<string, unknown>> = {
  "install.istio.io/v1alpha1": installV1alpha1,
  "networking.istio.io/v1": networkingV1,
  "networking.istio.io/v1beta1": networkingV1beta1,
  "networking.istio.io/v1alpha3": networkingV1alpha3,
  "security.istio.io/v1": securityV1,
  "security.istio.io/v1beta1": securityV1beta1,
};

/** Undefined when valid, else the schema's complaint. Unknown API versions are a complaint too. */
export function schemaProblem(object: { apiVersion: string; kind: string }): string | undefined {
  const model = MODULES[object.apiVersion]?.[object.kind] as ModelClass | undefined;
  if (!model) return `no Istio schema for ${object.apiVersion} ${object.kind}`;
  // The model's constructor deep-copies the object (dropping undefined values) before validate() sees
  // it; at a million objects the copy costs more than the check. So the object is checked as it is
  // first: a key whose value is undefined counts as absent to the schema's checks as it does to the
  // copy, so whatever passes here passes there. Only a failure is checked again on the copy, which
  // decides (and words the complaint).
  try {
    model.prototype.validate.call(object);
    return undefined;
  } catch {
    try {
      new model(object as object).validate();
      return undefined;
    } catch (e) {
      return e instanceof Error ? e.message : String(e);
    }
  }
}
