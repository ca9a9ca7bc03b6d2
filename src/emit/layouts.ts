// The output layouts' names and the default, apart from the code that lays files out (layout.ts), so
// that the command definitions can offer them without loading the renderer.

export const LAYOUTS = ["object", "service", "cluster"] as const;
export type Layout = (typeof LAYOUTS)[number];

/**
 * cw generate's layout unless --layout says otherwise: one file per cluster, the only layout whose
 * file count does not grow with the output (the README says why, with the measurements). compile()
 * itself lays out one object per file unless asked, as the UI shows them.
 */
export const DEFAULT_LAYOUT: Layout = "cluster";
