/**
 * Expiring HMAC signatures for URLs that need no bearer token (the signature is the authority),
 * like the pre-signed URLs Notion hands out for hosted files.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

function mac(secret: string, subject: string, expires: number): string {
  return createHmac('sha256', secret).update(`${subject}\n${expires}`).digest('base64url');
}

/** The signature of `subject` valid until `expires` (Unix seconds). */
export function signUrl(secret: string, subject: string, expires: number): string {
  return mac(secret, subject, expires);
}

export type SignatureCheck = 'valid' | 'expired' | 'invalid';

/**
 * Checks a signature in constant time. A correct signature past its expiry is `expired`; anything
 * else that does not match (tampered subject, expiry or signature) is `invalid`.
 */
export function checkSignature(
  secret: string,
  subject: string,
  expires: number,
  signature: string,
  nowSeconds: number,
): SignatureCheck {
  const want = Buffer.from(mac(secret, subject, expires));
  const got = Buffer.from(signature);
  if (!Number.isSafeInteger(expires) || want.length !== got.length || !timingSafeEqual(want, got)) {
    return 'invalid';
  }
  return expires > nowSeconds ? 'valid' : 'expired';
}
