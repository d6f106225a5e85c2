/** Types of scripts/chromium.mjs for the TypeScript scripts that launch a browser. */
export function findChromium(): Promise<string>;
