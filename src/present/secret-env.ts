/** What a masked value shows instead of itself. */
export const MASKED = '***';

// Words that mark a variable as a secret: API_KEY, GITHUB_TOKEN, DB_PASSWORD, PGPASSWD,
// AWS_SECRET_ACCESS_KEY, NPM_AUTH_TOKEN, GOOGLE_APPLICATION_CREDENTIALS, SESSION_COOKIE…
// Masking a harmless value by mistake costs little; showing a secret costs much.
const SECRET_WORDS = /TOKEN|KEY|SECRET|PASS|PWD|CREDENTIAL|AUTH|PRIVATE|COOKIE|SESSION/i;
// The shell's own working directories are not secrets.
const NOT_SECRET = new Set(['PWD', 'OLDPWD']);

/** True when an environment variable's name says it holds a secret. */
export function looksSecret(name: string): boolean {
  return !NOT_SECRET.has(name.toUpperCase()) && SECRET_WORDS.test(name);
}

/**
 * An environment as it may be shown: every key, with the value of each secret-looking key
 * replaced by MASKED.
 *
 * @example
 * maskEnv({ API_KEY: 'sk-1', COLOR: 'red' }); // → { API_KEY: '***', COLOR: 'red' }
 */
export function maskEnv(env: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).map(([key, value]) => [key, looksSecret(key) ? MASKED : value]),
  );
}
