import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { defaultBackendsPath, resolveBackendsPath } from "../../../extension/backends/backends-path";

describe("backends.yml location", () => {
  it("follows XDG_CONFIG_HOME on Linux, else ~/.config", () => {
    assert.equal(
      defaultBackendsPath({ platform: "linux", homeDir: "/home/ann", env: {} }),
      "/home/ann/.config/thunder/backends.yml",
    );
    assert.equal(
      defaultBackendsPath({ platform: "linux", homeDir: "/home/ann", env: { XDG_CONFIG_HOME: "/cfg" } }),
      "/cfg/thunder/backends.yml",
    );
    assert.equal(
      defaultBackendsPath({ platform: "linux", homeDir: "/home/ann", env: { XDG_CONFIG_HOME: "" } }),
      "/home/ann/.config/thunder/backends.yml",
    );
  });

  it("uses Application Support on macOS and APPDATA on Windows", () => {
    assert.equal(
      defaultBackendsPath({
        platform: "darwin",
        homeDir: "/Users/ann",
        env: { XDG_CONFIG_HOME: "/ignored" },
      }),
      "/Users/ann/Library/Application Support/thunder/backends.yml",
    );
    assert.equal(
      defaultBackendsPath({
        platform: "win32",
        homeDir: "C:\\Users\\ann",
        env: { APPDATA: "C:\\Users\\ann\\AppData\\Roaming" },
      }),
      "C:\\Users\\ann\\AppData\\Roaming\\thunder\\backends.yml",
    );
  });

  it("lets a setting override the location, expanding ~", () => {
    const linux = { platform: "linux" as const, homeDir: "/home/ann", env: {} };
    assert.equal(resolveBackendsPath("  ", linux), "/home/ann/.config/thunder/backends.yml");
    assert.equal(resolveBackendsPath(undefined, linux), "/home/ann/.config/thunder/backends.yml");
    assert.equal(resolveBackendsPath("~/my backends/b.yml", linux), "/home/ann/my backends/b.yml");
    assert.equal(resolveBackendsPath("/etc//thunder/b.yml", linux), "/etc/thunder/b.yml");
  });
});
