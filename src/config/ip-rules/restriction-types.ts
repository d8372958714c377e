/** What an account's IP restriction restricts. ngrok's fourth type, `dashboard`, has nothing to restrict here. */
export const restrictionTypes = ['agent', 'api', 'endpoints'] as const;
export type RestrictionType = (typeof restrictionTypes)[number];
