import { describe, expect, it } from "vitest";
import { ActivityReporter } from "./activity";

function reporter(fail = false) {
  let clock = 0;
  const sent: number[] = [];
  const r = new ActivityReporter(
    () => {
      sent.push(clock);
      return fail ? Promise.reject(new Error("locked")) : Promise.resolve();
    },
    30_000,
    () => clock,
  );
  return { r, sent, at: (t: number) => (clock = t) };
}

describe("activity reporter", () => {
  it("tells the first input at once, then at most once per interval", () => {
    const { r, sent, at } = reporter();
    at(1_000);
    r.input();
    at(2_000);
    r.input();
    at(30_999);
    r.input();
    at(31_000);
    r.input();
    expect(sent).toEqual([1_000, 31_000]);
  });

  it("tells the first input of a new session at once", () => {
    const { r, sent, at } = reporter();
    at(5_000);
    r.input();
    at(6_000);
    r.reset();
    r.input();
    expect(sent).toEqual([5_000, 6_000]);
  });

  it("tries again at the next input when the last one was not heard", async () => {
    const { r, sent, at } = reporter(true);
    at(1_000);
    r.input();
    await Promise.resolve();
    await Promise.resolve();
    at(1_500);
    r.input();
    expect(sent).toEqual([1_000, 1_500]);
  });
});
