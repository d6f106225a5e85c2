/** Types of scripts/chromium.mjs for the TypeScript scripts that launch a browser. */
export function findChromium(): Promise<string>;
/** Debian's headless shell, else Debian's full chromium, else null: what is installed, nothing fetched. */
export function debianChromium(): string | null;
