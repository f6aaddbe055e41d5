import { fileURLToPath } from "node:url";
import { defineConfig, type Plugin } from "vitest/config";

/**
 * The public tests: files that import only the package entry points ("defender-sentinel-sync",
 * "defender-sentinel-sync/testing"), never src. There is no alias here, so those names resolve through
 * package.json "exports" (a package may import itself by name) to the BUILT dist: run `npm run build`
 * first. Child processes they start with tsx (the demo) get a tsconfig without the src paths, so they load
 * dist too. CI runs these on every supported Node version; vitest.config.ts runs everything against src.
 */
export const PUBLIC_TESTS = [
  "test/fleet/syncFleet.test.ts",
  "test/packaging/entryPoints.test.ts",
  "test/packaging/withoutMsw.test.ts",
  "test/resilience/connectorCopies.test.ts",
  "test/resilience/engineOptions.test.ts",
  "test/resilience/fallbacks.test.ts",
  "test/resilience/quarantine.test.ts",
  "test/resilience/stateStoreCorruption.test.ts",
  "test/resilience/timestamps.test.ts",
  "test/sync/alertSink.test.ts",
  "test/sync/crashSafety.test.ts",
  "test/sync/decoratedClients.test.ts",
  "test/sync/frozenInputs.test.ts",
  "test/sync/syncEngine.peers.test.ts",
  "test/sync/transientFailures.test.ts",
  "test/targets/unifiedTarget.test.ts",
  "test/sync/stateStores.test.ts",
  "test/examples/demo.test.ts",
  "examples/testing-your-extension.test.ts",
];

const srcDir = fileURLToPath(new URL("./src/", import.meta.url));

/** A test listed above that reaches into src (directly or through a helper) fails instead of passing on src. */
const refuseSrc: Plugin = {
  name: "public-tests-refuse-src",
  enforce: "pre",
  load(id) {
    if (id.startsWith(srcDir)) {
      throw new Error(`a public test loaded ${id}; public tests import only the package entry points`);
    }
    return null;
  },
};

export default defineConfig({
  plugins: [refuseSrc],
  test: {
    include: PUBLIC_TESTS,
    env: {
      DSS_TEST_TARGET: "dist",
      TSX_TSCONFIG_PATH: fileURLToPath(new URL("./tsconfig.public.json", import.meta.url)),
    },
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
