import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

/**
 * Write a file that may hold secrets: created with mode 0600 (and re-chmodded if it already existed,
 * since writeFile keeps an existing file's mode).
 */
export function writeSecretFile(path: string, content: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content, { mode: 0o600 });
  chmodSync(path, 0o600);
}

/** Replace each secret in a text; for JSON and terminal output without --reveal-secrets. */
export function redact(text: string, secrets: Array<string | undefined>, mark = "<redacted: use --out FILE or --reveal-secrets>"): string {
  let out = text;
  for (const s of secrets) if (s) out = out.split(s).join(mark);
  return out;
}
