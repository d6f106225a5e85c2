import "server-only";
// Account use cases that need the session as well as the data layer; shared by pages, actions and
// the /api/me routes so that both paths run the same code.
import { recordAudit } from "./data/audit";
import { eraseUser } from "./data/erase";
import { exportUserData } from "./data/export";
import { bumpSessionVersion } from "./data/users";
import { db } from "./db";
import { securityEvent } from "./log";
import { endSession, getSession } from "./session";

export async function logOut({ everywhere, requestId }: { everywhere: boolean; requestId: string }): Promise<void> {
  const user = await getSession();
  if (user && everywhere) await bumpSessionVersion(user.id);
  else if (user) await recordAudit(await db(), "auth.logged_out", user.id);
  await endSession();
  securityEvent("auth.logged_out", requestId, { everywhere });
}

export async function deleteMyAccount(userId: string, requestId: string): Promise<void> {
  await eraseUser(userId);
  await endSession();
  securityEvent("user.erased", requestId);
}

export async function exportMyData(userId: string) {
  const data = await exportUserData(userId);
  await recordAudit(await db(), "data.exported", userId);
  return data;
}
