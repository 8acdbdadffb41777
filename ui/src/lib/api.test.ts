import { afterEach, describe, expect, it } from "vitest";
import { asAppError, errorText } from "./api";
import { byLang, ui } from "./lang.svelte";
import type { AppError } from "../bindings/AppError";

const offline: AppError = {
  code: "Offline",
  message: "Không kết nối được máy chủ trung tâm. Đang làm việc ngoại tuyến.",
  message_en: "Could not reach the central server. Working offline.",
};

describe("sentences from the Rust side", () => {
  afterEach(() => {
    ui.lang = "vi";
  });
  it("show in the UI's language", () => {
    expect(errorText(offline)).toBe(offline.message);
    ui.lang = "en";
    expect(errorText(offline)).toBe(offline.message_en);
    expect(byLang("Nữ", "Female")).toBe("Female");
  });
  it("fall back to Vietnamese where there is no English", () => {
    ui.lang = "en";
    expect(byLang("Nguyễn Thị Ánh", null)).toBe("Nguyễn Thị Ánh");
    expect(errorText({ code: "Internal", message: "Lỗi", message_en: "" })).toBe("Lỗi");
  });
  it("keep the text of a failure that is not an AppError", () => {
    ui.lang = "en";
    expect(asAppError("boom")).toEqual({ code: "Internal", message: "boom", message_en: "boom" });
    expect(errorText(new Error("no IPC"))).toBe("Error: no IPC");
  });
});
