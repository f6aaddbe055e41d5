/**
 * Runs the emulator in its own process so a benchmark can measure the engine's memory alone.
 * Prints one JSON line with the coordinates, then serves until stdin closes.
 */
import { createEmulator } from "../../src/testing/index";

const incidents = Number(process.argv[2] ?? "1000");
const seed = Number(process.argv[3] ?? "1");
const emu = createEmulator({ seed, incidents, throttling: false });
const server = await emu.listen();
process.stdout.write(
  `${JSON.stringify({
    defenderEndpoint: server.defenderEndpoint,
    sentinelEndpoint: server.sentinelEndpoint,
    tenantId: server.tenantId,
    subscriptionId: server.subscriptionId,
    resourceGroupName: server.resourceGroupName,
    workspaceName: server.workspaceName,
  })}\n`,
);
process.stdin.resume();
process.stdin.on("end", () => {
  void server.close().then(() => process.exit(0));
});
