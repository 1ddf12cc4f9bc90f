import { flagError } from "./errors.js";

/** What a command's option looks like to the check below (commander's `Option` has these). */
export interface FlagSpec {
  long?: string | undefined;
  attributeName(): string;
}

/**
 * An explicitly empty value is a usage error, never "not given": `--vgw-id "$UNSET"` must not quietly
 * reuse or create a gateway, and `--ports "22,,"` must not drop an item. Lists keep empty items
 * (see `collectList`) so this one check sees them.
 */
export function rejectEmptyValues(opts: Record<string, unknown>, specs: readonly FlagSpec[]): void {
  for (const spec of specs) {
    const value = opts[spec.attributeName()];
    const flag = spec.long ?? `--${spec.attributeName()}`;
    if (value === "") throw flagError(flag, "is empty; give a value or leave the flag out");
    if (Array.isArray(value) && value.some((v) => v === "")) {
      throw flagError(flag, "has an empty item; give every item a value (no leading, trailing or doubled commas)");
    }
  }
}

/** Commander leaves absent options as undefined keys; drop them so stand-ins and wizard answers apply. */
export function givenFlags<F extends object>(opts: Record<string, unknown>): F {
  return Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined)) as F;
}
