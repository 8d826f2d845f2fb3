/** Replaces every secret (of 8+ characters) in `text` with `[redacted]`: keeps API keys out of error messages. */
export function redact(text: string, secrets: Array<string | undefined> = []): string {
  let result = text;
  for (const secret of secrets) {
    if (secret && secret.length >= 8) result = result.split(secret).join('[redacted]');
  }
  return result;
}
