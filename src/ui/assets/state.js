// What the page's sections share: the federation's view (/api/state), the clusters taken down ("what
// if"), the trace drawn on the picture, and the services the picture shows. A section changes it
// through these functions, and every section that listens redraws.

const listeners = new Set();

export const state = {
  view: undefined,
  /** Cluster names taken down, sorted. */
  down: [],
  /** The call drawn on the picture: { from: "a/default/default", to: "reviews.global:9080" }. */
  selected: undefined,
  /** Services the picture draws, when the federation is too large to draw whole. */
  focus: [],
};

export function onChange(listener) {
  listeners.add(listener);
}

/** Changes some fields and tells every listener which. */
export function update(fields) {
  Object.assign(state, fields);
  for (const listener of listeners) listener(new Set(Object.keys(fields)));
}

/** The generated configuration is there to trace and verify (the topology has no errors). */
export const generated = () => (state.view?.files.length ?? 0) > 0;
