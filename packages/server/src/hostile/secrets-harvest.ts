/**
 * Collecting the secrets a hostile run itself creates: passwords, PINs and refresh tokens it sends,
 * device secrets and tokens the server hands back. Each is then checked to be absent from the log.
 */

const SECRET_KEY = /password|^pin$|secret|refreshtoken|accesstoken/i;

/**
 * Add to `out` every string under a secret-looking key of `body` (JSON text or bytes). Only values
 * long and varied enough to be told apart from ordinary log text are kept (at least 8 characters,
 * at least 4 different ones); short PINs and codes are covered by the fixed ones of the world.
 */
export function harvestSecrets(body: string | Uint8Array | undefined, out: string[]): void {
  if (body === undefined) return;
  const text = typeof body === 'string' ? body : new TextDecoder().decode(body);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return;
  }
  visit(value, out, 0);
}

function visit(value: unknown, out: string[], depth: number): void {
  if (depth > 20 || value === null || typeof value !== 'object') return;
  for (const [key, v] of Object.entries(value)) {
    if (SECRET_KEY.test(key) && typeof v === 'string' && distinctive(v) && !out.includes(v))
      out.push(v);
    else visit(v, out, depth + 1);
  }
}

function distinctive(s: string): boolean {
  return s.length >= 8 && new Set(s).size >= 4;
}
