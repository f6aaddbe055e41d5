/** Azure Functions (Node.js programming model v4) entry point: a timer trigger every five minutes. */
import { app } from "@azure/functions";
import { fleetFromEnvironment } from "./fleetFromEnvironment";
import { createSyncTimerHandler } from "./syncTimer";

const handler = createSyncTimerHandler(() => fleetFromEnvironment());

app.timer("defenderSentinelSync", {
  schedule: "0 */5 * * * *",
  handler: async (timer, context) => {
    await handler(timer, context);
  },
});
