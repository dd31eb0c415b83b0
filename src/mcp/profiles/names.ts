/**
 * The drop-in profiles `bgjobs mcp --profile NAME` can serve: each is another MCP server's exact
 * tool set, implemented over bgjobs. Kept apart from the profiles themselves so the CLI can check
 * a name without loading the MCP SDK.
 */
export const PROFILE_NAMES = [
  'background-command-executor',
  'mcp-background-job',
  'background-agent',
] as const;

export type ProfileName = (typeof PROFILE_NAMES)[number];

export function isProfileName(value: string): value is ProfileName {
  return (PROFILE_NAMES as readonly string[]).includes(value);
}
