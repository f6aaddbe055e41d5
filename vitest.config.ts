import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    alias: {
      "defender-sentinel-sync/testing": fileURLToPath(new URL("./src/testing/index.ts", import.meta.url)),
      "defender-sentinel-sync": fileURLToPath(new URL("./src/index.ts", import.meta.url)),
    },
  },
  test: {
    include: ["test/**/*.test.ts", "examples/**/*.test.ts"],
    typecheck: { enabled: true, include: ["test/**/*.test-d.ts"] },
    testTimeout: 30_000,
    hookTimeout: 30_000,
    benchmark: { include: ["test/bench/**/*.bench.ts"] },
  },
});
