import { porticoVersion } from '../version.ts';

/** The version sent in Auth as `Extra.Version`. */
export const agentVersion = porticoVersion;

/** Sent in Auth as `Extra.UserAgent`. */
export const userAgent = `portico-agent/${agentVersion}`;
