// Terminal progress: silent for short runs, then one line naming the stage and the count, redrawn in
// place at most every interval, and cleared before anything else is printed. (Whether it shows at all
// is the CLI's choice: processIo has a progress only when stderr is a terminal.)

import { describe, expect, it } from "vitest";
import { terminalProgress } from "../src/cli/progress.js";

function fake() {
  let time = 0;
  const written: string[] = [];
  const progress = terminalProgress((text) => written.push(text), {
    delay: 500,
    interval: 100,
    now: () => time,
  });
  return {
    progress,
    written,
    at: (t: number) => {
      time = t;
    },
  };
}

describe("terminalProgress", () => {
  it("draws nothing for a run shorter than the delay, and then has nothing to clear", () => {
    const { progress, written, at } = fake();
    progress.stage("parse");
    at(100);
    progress.stage("render", 10);
    progress.advance(5);
    progress.done();
    expect(written).toEqual([]);
  });

  it("shows the stage and count in place, at most once per interval, and clears the line", () => {
    const { progress, written, at } = fake();
    progress.stage("generate", 500);
    at(600);
    progress.advance(37);
    at(650);
    progress.advance(38);
    at(710);
    progress.stage("write", 12000);
    progress.advance(1000);
    at(820);
    progress.advance(2000);
    progress.done();
    expect(written).toEqual([
      "\rcw: generating 37/500 clusters\x1b[K",
      "\rcw: writing 0/12000 files\x1b[K",
      "\rcw: writing 2000/12000 files\x1b[K",
      "\r\x1b[K",
    ]);
  });

  it("keeps the cluster count across the stages each cluster goes through, and counts files without a total", () => {
    const { progress, written, at } = fake();
    // What compile and the writer report for each cluster (compile.ts, emit/write.ts), 30 ms a stage:
    // a redraw falls at the start of each cluster, when the stage has just been named.
    let t = 600;
    const step = () => {
      t += 30;
      at(t);
    };
    for (let i = 0; i < 6; i++) {
      for (const stage of ["generate", "validate", "render"] as const) {
        step();
        progress.stage(stage, 6);
        progress.advance(i);
      }
      progress.advance(i + 1);
      step();
      progress.stage("write");
      progress.advance((i + 1) * 1000);
    }
    at(t + 200);
    progress.stage("write");
    expect(written).toEqual([
      "\rcw: generating 0/6 clusters\x1b[K",
      "\rcw: generating 1/6 clusters\x1b[K",
      "\rcw: generating 2/6 clusters\x1b[K",
      "\rcw: generating 3/6 clusters\x1b[K",
      "\rcw: generating 4/6 clusters\x1b[K",
      "\rcw: generating 5/6 clusters\x1b[K",
      "\rcw: writing 6000 files\x1b[K",
    ]);
  });
});
