/**
 * Hashing secrets: passwords, PINs and device secrets with argon2id; high-entropy random tokens
 * (refresh tokens) with SHA-256, which is enough for 256-bit random values and fast to look up.
 */
import { createHash, randomBytes } from 'node:crypto';
import argon2 from 'argon2';

/** argon2id with OWASP's minimum parameters (19 MiB, 2 passes). */
const OPTIONS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/** Hash a password, PIN or device secret. */
export function hashSecret(secret: string): Promise<string> {
  return argon2.hash(secret, OPTIONS);
}

/** Verify a secret against its argon2id hash; false for any malformed hash. */
export async function verifySecret(hash: string, secret: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, secret);
  } catch {
    return false;
  }
}

/** A random token, base64url, `bytes` long before encoding. */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** SHA-256 of a random token, hex, for storage and lookup. */
export function tokenDigest(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
