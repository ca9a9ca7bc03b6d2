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
});
