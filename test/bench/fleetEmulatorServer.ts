/**
 * The emulator of the fleet benchmark, in its own process: one Defender tenant and one workspace per lane (all
 * workspaces in one subscription). Prints one JSON line with the coordinates, then serves until stdin closes.
 * argv: lanes, incidents per lane, seed.
 */
import { createEmulator } from "../../src/testing/index";

const lanes = Number(process.argv[2] ?? "20");
const incidents = Number(process.argv[3] ?? "100");
const seed = Number(process.argv[4] ?? "1");
const emu = createEmulator({ seed, incidents: 0, throttling: false });
const server = await emu.listen();
const coords = [];
for (let i = 0; i < lanes; i++) {
  const tenantId = `7e1a0000-0000-4000-8000-${String(i).padStart(12, "0")}`;
  emu.addTenant({ tenantId, incidents });
  const workspaceName = `ws-lane-${i}`;
  emu.addWorkspace({
    subscriptionId: server.subscriptionId,
    resourceGroupName: server.resourceGroupName,
    workspaceName,
  });
  coords.push({ tenantId, workspaceName });
}
process.stdout.write(
  `${JSON.stringify({
    defenderEndpoint: server.defenderEndpoint,
    sentinelEndpoint: server.sentinelEndpoint,
    subscriptionId: server.subscriptionId,
    resourceGroupName: server.resourceGroupName,
    lanes: coords,
  })}\n`,
);
process.stdin.resume();
process.stdin.on("end", () => {
  void server.close().then(() => process.exit(0));
});
