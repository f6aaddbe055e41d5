/** The default mapping profile, shared (it is immutable) by the convenience functions. */
import { createMappingProfile, type MappingProfile } from "./profile";

export const DEFAULT_MAPPING_PROFILE: MappingProfile = createMappingProfile();
