// A small, standards-following OpenID provider on loopback that behaves like oauth.telegram.org:
// discovery, JWKS, an authorization endpoint that approves a configured test user at once, and a
// token endpoint with PKCE (S256), client_secret_basic or _post, single-use codes and RS256 ID
// tokens carrying Telegram's claims (`id`, an opaque `sub` above 2^53 as a string, `phone_number`
// without "+", no userinfo endpoint). Knobs make it misbehave the ways the app must refuse.
import { createHash, randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import { exportJWK, generateKeyPair, SignJWT, type JWK } from "jose";

export type TelegramUser = {
  id: number;
  sub: string;
  name?: string;
  preferred_username?: string;
  picture?: string;
  phone_number?: string;
  /** The standard OIDC `locale` claim (BCP 47), sent with the profile scope when set. */
  locale?: string;
};

export type Misbehaviour = {
  tamper?: boolean;
  expired?: boolean;
  audience?: string;
  omitNonce?: boolean;
  nonce?: string;
  /** Signs with a key the JWKS does not publish. */
  foreignKey?: boolean;
};

type Code = {
  clientId: string;
  redirectUri: string;
  challenge: string;
  nonce: string | null;
  scope: string;
  user: TelegramUser;
  used: boolean;
  expiresAt: number;
};

export type TestProvider = {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** The scope of every authorization request, in order. */
  authorizations: { scope: string; hasNonce: boolean; challengeMethod: string | null }[];
  tokenRequests: { ok: boolean; error?: string }[];
  user: TelegramUser;
  misbehave: Misbehaviour;
  /** The one registered redirect URI (the app's callback), set once the app has its port. */
  redirectUri: string;
  close: () => Promise<void>;
};

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

export async function startTestProvider(opts: { user: TelegramUser }): Promise<TestProvider> {
  const { privateKey, publicKey } = await generateKeyPair("RS256", { extractable: true });
  const foreign = await generateKeyPair("RS256");
  const kid = randomBytes(8).toString("hex");
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: "RS256", use: "sig" };
  const codes = new Map<string, Code>();
  const clientId = String(7_000_000_000 + Math.floor(Math.random() * 1_000_000));
  const clientSecret = randomBytes(24).toString("base64url");
  let issuer = "";

  const provider: TestProvider = {
    issuer: "",
    clientId,
    clientSecret,
    authorizations: [],
    tokenRequests: [],
    user: opts.user,
    misbehave: {},
    redirectUri: "",
    close: async () => new Promise<void>((res) => server.close(() => res())),
  };

  const send = (
    res: import("node:http").ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ) => {
    res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store", ...headers });
    res.end(JSON.stringify(body));
  };

  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", issuer);
    if (req.method === "GET" && url.pathname === "/.well-known/openid-configuration") {
      return send(res, 200, {
        issuer,
        authorization_endpoint: `${issuer}/auth`,
        token_endpoint: `${issuer}/token`,
        jwks_uri: `${issuer}/.well-known/jwks.json`,
        response_types_supported: ["code"],
        subject_types_supported: ["public"],
        id_token_signing_alg_values_supported: ["RS256"],
        scopes_supported: ["openid", "profile", "phone"],
        code_challenge_methods_supported: ["S256"],
        token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post"],
        grant_types_supported: ["authorization_code"],
        claims_supported: [
          "sub",
          "iss",
          "aud",
          "exp",
          "iat",
          "id",
          "name",
          "preferred_username",
          "picture",
          "phone_number",
          "locale",
        ],
      });
    }
    if (req.method === "GET" && url.pathname === "/.well-known/jwks.json") return send(res, 200, { keys: [jwk] });
    if (req.method === "GET" && url.pathname === "/auth") {
      const p = url.searchParams;
      provider.authorizations.push({
        scope: p.get("scope") ?? "",
        hasNonce: p.has("nonce"),
        challengeMethod: p.get("code_challenge_method"),
      });
      if (p.get("client_id") !== clientId || p.get("redirect_uri") !== provider.redirectUri)
        return send(res, 400, { error: "invalid_request" });
      if (p.get("response_type") !== "code" || !p.get("code_challenge") || p.get("code_challenge_method") !== "S256") {
        return send(res, 400, { error: "invalid_request", error_description: "PKCE S256 required" });
      }
      if (!(p.get("scope") ?? "").split(" ").includes("openid")) return send(res, 400, { error: "invalid_scope" });
      const code = randomBytes(24).toString("base64url");
      codes.set(code, {
        clientId,
        redirectUri: provider.redirectUri,
        challenge: p.get("code_challenge")!,
        nonce: p.get("nonce"),
        scope: p.get("scope")!,
        user: { ...provider.user },
        used: false,
        expiresAt: Date.now() + 60_000,
      });
      const back = new URL(provider.redirectUri);
      back.searchParams.set("code", code);
      if (p.get("state")) back.searchParams.set("state", p.get("state")!);
      res.writeHead(302, { location: back.toString(), "cache-control": "no-store" });
      return res.end();
    }
    if (req.method === "POST" && url.pathname === "/token") {
      const form = new URLSearchParams(await readBody(req));
      const refuse = (error: string, status = 400) => {
        provider.tokenRequests.push({ ok: false, error });
        send(res, status, { error });
      };
      let id = form.get("client_id");
      let secret = form.get("client_secret");
      const auth = req.headers.authorization;
      if (auth?.startsWith("Basic ")) {
        const [u, s] = Buffer.from(auth.slice(6), "base64").toString("utf8").split(":");
        id = decodeURIComponent(u ?? "");
        secret = decodeURIComponent(s ?? "");
      }
      if (id !== clientId || secret !== clientSecret) return refuse("invalid_client", 401);
      if (form.get("grant_type") !== "authorization_code") return refuse("unsupported_grant_type");
      const entry = codes.get(form.get("code") ?? "");
      if (!entry || entry.expiresAt < Date.now()) return refuse("invalid_grant");
      if (entry.used) {
        codes.delete(form.get("code")!);
        return refuse("invalid_grant");
      }
      entry.used = true;
      if (form.get("redirect_uri") !== entry.redirectUri) return refuse("invalid_grant");
      const verifier = form.get("code_verifier") ?? "";
      if (createHash("sha256").update(verifier).digest("base64url") !== entry.challenge) return refuse("invalid_grant");

      const m = provider.misbehave;
      const scopes = entry.scope.split(" ");
      const claims: Record<string, unknown> = { id: entry.user.id };
      if (scopes.includes("profile"))
        Object.assign(claims, {
          name: entry.user.name,
          preferred_username: entry.user.preferred_username,
          picture: entry.user.picture,
          ...(entry.user.locale !== undefined ? { locale: entry.user.locale } : {}),
        });
      if (scopes.includes("phone") && entry.user.phone_number) claims.phone_number = entry.user.phone_number;
      const nonce = m.nonce ?? (m.omitNonce ? null : entry.nonce);
      if (nonce) claims.nonce = nonce;
      const now = Math.floor(Date.now() / 1000);
      const jwt = new SignJWT(claims)
        .setProtectedHeader({ alg: "RS256", kid, typ: "JWT" })
        .setIssuer(issuer)
        .setSubject(entry.user.sub)
        .setAudience(m.audience ?? clientId)
        .setIssuedAt(m.expired ? now - 7200 : now)
        .setExpirationTime(m.expired ? now - 3600 : now + 300);
      let idToken = await jwt.sign(m.foreignKey ? foreign.privateKey : privateKey);
      if (m.tamper) {
        // Change one claim and keep the signature: what an attacker in the middle would try.
        const [h, p, s] = idToken.split(".");
        const payload = JSON.parse(Buffer.from(p!, "base64url").toString("utf8"));
        payload.id = payload.id + 1;
        idToken = `${h}.${Buffer.from(JSON.stringify(payload)).toString("base64url")}.${s}`;
      }
      provider.tokenRequests.push({ ok: true });
      return send(res, 200, {
        access_token: randomBytes(24).toString("base64url"),
        token_type: "Bearer",
        expires_in: 300,
        scope: entry.scope,
        id_token: idToken,
      });
    }
    send(res, 404, { error: "not_found" });
  });
  await new Promise<void>((res) => server.listen(0, "127.0.0.1", () => res()));
  issuer = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  provider.issuer = issuer;
  return provider;
}
