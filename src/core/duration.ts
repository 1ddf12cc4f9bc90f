import ms from "ms";

/**
 * Parse a human duration for --timeout: `90s`, `40m`, `1h`, `1h30m`, or a bare number of seconds.
 * Returns milliseconds, or undefined when the text is not a duration.
 */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) > 0 ? Number(trimmed) * 1000 : undefined;
  // `ms` reads one number+unit; compound forms like 1h30m are summed part by part.
  const parts = trimmed.match(/\d+(?:\.\d+)?\s*[a-z]+/gi);
  if (!parts || parts.join("").replace(/\s/g, "") !== trimmed.replace(/\s/g, "")) return undefined;
  let total = 0;
  for (const part of parts) {
    const value = ms(part.replace(/\s/g, "") as ms.StringValue);
    if (typeof value !== "number" || Number.isNaN(value)) return undefined;
    total += value;
  }
  return total > 0 ? total : undefined;
}

/** `2m05s`, `45s`, `1h02m` for progress lines. */
export function formatElapsed(msValue: number): string {
  const s = Math.floor(msValue / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (h > 0) return `${h}h${String(m).padStart(2, "0")}m`;
  if (m > 0) return `${m}m${String(sec).padStart(2, "0")}s`;
  return `${sec}s`;
}
