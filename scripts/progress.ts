// A progress bar for long commands: redrawn in place on a terminal, one line per 10% otherwise
// (so CI logs stay short).
export function progressBar(label: string) {
  const tty = process.stderr.isTTY;
  let lastTenth = -1;
  const started = Date.now();
  return {
    update(done: number, total: number) {
      const ratio = total > 0 ? Math.min(1, done / total) : 1;
      if (tty) {
        const width = 30;
        const filled = Math.round(ratio * width);
        const eta = ratio > 0 ? Math.round(((Date.now() - started) / ratio - (Date.now() - started)) / 1000) : 0;
        process.stderr.write(
          `\r${label} [${"#".repeat(filled)}${"-".repeat(width - filled)}] ${done}/${total} ${Math.round(ratio * 100)}% eta ${eta}s `,
        );
      } else {
        const tenth = Math.floor(ratio * 10);
        if (tenth !== lastTenth) {
          lastTenth = tenth;
          process.stderr.write(`${label}: ${done}/${total} (${tenth * 10}%)\n`);
        }
      }
    },
    done() {
      if (tty) process.stderr.write("\n");
    },
  };
}
