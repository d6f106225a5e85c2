// Auth.js v5 as its docs set it up (auth.js at the root, handlers re-exported by the route), with the
// Telegram Login Widget recipe of @telegram-auth/server's maintainers: a Credentials provider whose
// authorize() validates the widget's fields, which next-auth/react's signIn("telegram-login", opts,
// data) sends as the query string. Credentials sessions are JWTs (Auth.js does not allow database
// sessions with Credentials), so the Prisma adapter stores the person and their Telegram account,
// called from authorize() through the adapter's own methods.
import NextAuth from "next-auth";
import Credentials from "next-auth/providers/credentials";
import { PrismaAdapter } from "@auth/prisma-adapter";
import { AuthDataValidator } from "@telegram-auth/server";
import { objectToAuthDataMap } from "@telegram-auth/server/utils";
import { prisma } from "./lib/prisma.js";

const adapter = PrismaAdapter(prisma);

export const { handlers, auth, signIn, signOut } = NextAuth({
  adapter,
  session: { strategy: "jwt" },
  providers: [
    Credentials({
      id: "telegram-login",
      name: "Telegram Login",
      credentials: {},
      async authorize(credentials, request) {
        const validator = new AuthDataValidator({ botToken: `${process.env.BOT_TOKEN}` });
        const data = objectToAuthDataMap(Object.fromEntries(new URL(request.url).searchParams));
        const user = await validator.validate(data);
        if (!(user.id && user.first_name)) return null;
        const profile = { name: [user.first_name, user.last_name || ""].join(" "), image: user.photo_url ?? null };
        const account = { provider: "telegram-login", providerAccountId: user.id.toString() };
        const existing = await adapter.getUserByAccount(account);
        if (existing) return adapter.updateUser({ id: existing.id, ...profile });
        const created = await adapter.createUser({ ...profile, email: null, emailVerified: null });
        await adapter.linkAccount({ ...account, userId: created.id, type: "credentials" });
        return created;
      },
    }),
  ],
});
