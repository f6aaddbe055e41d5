import { createClientLogger } from "@azure/logger";

/**
 * The package logger (`AZURE_LOG_LEVEL=info` or `setLogLevel` from @azure/logger turns it on).
 * Nothing secret is ever passed to it: requests are logged by core's sanitizing log policy.
 */
export const logger = createClientLogger("defender-sentinel-sync");
