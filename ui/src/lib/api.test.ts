import { afterEach, describe, expect, it } from "vitest";
import { asAppError, errorText } from "./api";
import { tx, ui } from "./lang.svelte";
import type { AppError } from "../bindings/AppError";

const offline: AppError = {
  code: "Offline",
  message: {
    vi: "Không kết nối được máy chủ trung tâm. Đang làm việc ngoại tuyến.",
    en: "Could not reach the central server. Working offline.",
  },
};

describe("words from the Rust side", () => {
  afterEach(() => {
    ui.lang = "vi";
  });
  it("show in the UI's language", () => {
    expect(errorText(offline)).toBe(offline.message.vi);
    ui.lang = "en";
    expect(errorText(offline)).toBe(offline.message.en);
    expect(tx({ vi: "Nữ", en: "Female" })).toBe("Female");
  });
  it("fall back to Vietnamese should the English come empty", () => {
    ui.lang = "en";
    expect(errorText({ code: "Internal", message: { vi: "Lỗi", en: "" } })).toBe("Lỗi");
  });
  it("keep the text of a failure that is not an AppError", () => {
    ui.lang = "en";
    expect(asAppError("boom")).toEqual({ code: "Internal", message: { vi: "boom", en: "boom" } });
    expect(errorText(new Error("no IPC"))).toBe("Error: no IPC");
  });
});

describe("a failure that only looks like an AppError", () => {
  it("keeps its own text (a DOMException has a code and a string message)", () => {
    const dom = { code: 11, message: "The object is in an invalid state." };
    expect(errorText(dom)).toBe("The object is in an invalid state.");
  });
});
