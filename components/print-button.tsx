"use client";

/** The browser's own print dialog; without JavaScript the browser's menu does the same. */
export function PrintButton() {
  return (
    <button type="button" className="secondary no-print" onClick={() => window.print()}>
      Print or save as PDF
    </button>
  );
}
