import "server-only";
// The erasure journal (docs/decisions/015-backups-and-erasure.md): one line per erased account, its
// random user id and when, appended and fsync'd to a file OUTSIDE the database (ERASURE_JOURNAL,
// default erasure-journal.log in DATA_DIR). No personal data: the id links to nobody once the user
// row is gone. A backup taken before an erasure still holds the account; `npm run restore` and every
// start replay the journal, so an account erased once is erased again in whatever copy of the
// database the app is given, as long as the journal is kept (the replay: replayErasureJournal in
// lib/data/erase.ts).
import {
  closeSync,
  existsSync,
  fstatSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  writeSync,
} from "node:fs";
import { dirname } from "node:path";
import { env } from "../core/env";

const ID = /^[A-Za-z0-9_-]{8,64}$/;

/**
 * Appends an erased user's id, durably, before the erasure commits (the caller's transaction is
 * still open): a failure to write stops the erasure, so no account is erased without its entry. If
 * the transaction then fails, the entry names an account its owner asked to erase (or the purge
 * found due), which a replay erases.
 */
export function journalErasure(userId: string, at: Date = new Date()): void {
  if (!ID.test(userId)) throw new Error("erasure journal: not a user id");
  const file = env().erasureJournal;
  mkdirSync(dirname(file), { recursive: true });
  const fd = openSync(file, "a+", 0o600);
  try {
    // A line torn by a crash mid-write has no newline: start on a fresh line, or this entry would be
    // glued to it and unreadable.
    const { size } = fstatSync(fd);
    const last = Buffer.alloc(1);
    const torn = size > 0 && readSync(fd, last, 0, 1, size - 1) === 1 && last[0] !== 0x0a;
    writeSync(fd, `${torn ? "\n" : ""}${JSON.stringify({ erased: userId, at: at.toISOString() })}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** The ids in the journal (a missing file: none). A torn last line (a crash mid-write) is skipped. */
export function journaledErasures(file: string = env().erasureJournal): string[] {
  if (!existsSync(file)) return [];
  const ids: string[] = [];
  for (const line of readFileSync(file, "utf8").split("\n")) {
    if (!line.trim()) continue;
    try {
      const entry = JSON.parse(line) as { erased?: unknown };
      if (typeof entry.erased === "string" && ID.test(entry.erased)) ids.push(entry.erased);
    } catch {
      /* a torn line */
    }
  }
  return ids;
}
