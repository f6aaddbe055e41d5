/** The default mapping profile, shared (it is immutable) by the convenience functions. */
import { createMappingProfile, type MappingProfile } from "./profile";

/**
 * The mapping profile the engine uses when none is given: `createMappingProfile()` with no overrides. Pass it (or
 * a profile made with `createMappingProfile`) to `defenderToSentinel` and `sentinelToDefender`.
 */
export const DEFAULT_MAPPING_PROFILE: MappingProfile = createMappingProfile();
