import "server-only";
// Everything kept about a user, as the user may ask under GDPR Art. 15 and 20, and the consent
// receipt (Kantara Consent Receipt v1.1 fields, which ISO/IEC 27560 builds on).
import { db } from "../db";
import { env } from "../env";
import { FIELDS } from "../fields";
import { getConsentOverview, type PurposeView } from "./consents";
import { ledgerForSubject } from "./ledger";

export async function exportUserData(userId: string) {
  const client = await db();
  const [user, overview, history, events] = await Promise.all([
    client.user.findUniqueOrThrow({
      where: { id: userId },
      select: { id: true, createdAt: true, lastSignInAt: true, wrapKeyId: true },
    }),
    getConsentOverview(userId),
    ledgerForSubject(client, userId),
    client.auditEvent.findMany({
      where: { subjectId: userId },
      orderBy: { id: "asc" },
      select: { type: true, at: true, detail: true },
    }),
  ]);
  return {
    format: "consent-login export v1",
    exportedAt: new Date().toISOString(),
    controller: controllerOf(),
    account: {
      id: user.id,
      createdAt: user.createdAt.toISOString(),
      lastSignInAt: user.lastSignInAt.toISOString(),
      encryption: { algorithm: "AES-256-GCM", envelope: true, masterKeyId: user.wrapKeyId },
    },
    purposes: overview.map((v) => ({
      id: v.purpose.id,
      title: v.purpose.title,
      justification: v.purpose.justification,
      ifRefused: v.purpose.ifRefused,
      required: v.purpose.required,
      fields: v.purpose.fields,
      retentionDays: v.purpose.retentionDays,
      version: v.purpose.version,
      granted: v.granted,
      decidedAt: v.decidedAt?.toISOString() ?? null,
      ...(v.purpose.oneTime ? { oneTime: true, outcomeAt: v.outcomeAt?.toISOString() ?? null } : {}),
      stored: Object.fromEntries(
        v.stored.map((f) => [
          f.field,
          {
            value: f.value,
            label: FIELDS[f.field].label,
            source: FIELDS[f.field].source,
            storedAt: f.storedAt.toISOString(),
            updatedAt: f.updatedAt.toISOString(),
            purgeAt: f.purgeAt.toISOString(),
          },
        ]),
      ),
    })),
    consentHistory: history.map((r) => ({
      seq: r.seq,
      purposeId: r.purposeId,
      purposeVersion: r.purposeVersion,
      textHash: r.textHash,
      fields: r.fields,
      decision: r.decision,
      method: r.method,
      at: r.at.toISOString(),
      hash: r.hash,
    })),
    events: events.map((e) => ({
      type: e.type,
      at: e.at.toISOString(),
      detail: e.detail ? JSON.parse(e.detail) : null,
    })),
    receipt: receiptFrom(userId, overview),
  };
}

/** Who is asking (GDPR Art. 13(1)(a)): the operator's settings, as the consent page shows them. */
function controllerOf() {
  const { controller, appOrigin } = env();
  return {
    name: controller.name,
    contact: controller.contact,
    privacyPolicyUrl: controller.privacyPolicyUrl,
    origin: appOrigin,
    placeholder: controller.placeholder,
  };
}

export type UserExport = Awaited<ReturnType<typeof exportUserData>>;
export type ConsentReceipt = ReturnType<typeof receiptFrom>;

export async function consentReceipt(userId: string) {
  return receiptFrom(userId, await getConsentOverview(userId));
}

function receiptFrom(userId: string, overview: PurposeView[]) {
  const granted = overview.filter((v) => v.granted);
  const latest = granted.reduce<Date | null>(
    (acc, v) => (v.decidedAt && (!acc || v.decidedAt > acc) ? v.decidedAt : acc),
    null,
  );
  const origin = env().appOrigin;
  const controller = env().controller;
  return {
    version: "KI-CR-v1.1.0",
    jurisdiction: "EU (GDPR)",
    consentTimestamp: Math.floor((latest ?? new Date()).getTime() / 1000),
    collectionMethod: "web form at /consent and /settings (granted per purpose)",
    consentReceiptID: `${userId}:${latest?.toISOString() ?? "none"}`,
    language: "en",
    piiPrincipalId: userId,
    piiControllers: [
      {
        piiController: controller.name,
        contact: controller.contact,
        address: origin,
        email: controller.email ?? "",
        phone: "",
        piiControllerUrl: controller.contactHref?.startsWith("http") ? controller.contactHref : origin,
        onBehalf: false,
      },
    ],
    policyUrl: controller.privacyPolicyUrl ?? `${origin}/consent`,
    services: [
      {
        service: "Sign in with Telegram",
        purposes: granted.map((v) => ({
          purpose: v.purpose.title,
          purposeId: v.purpose.id,
          purposeVersion: v.purpose.version,
          purposeCategory: [v.purpose.justification],
          consentType: v.purpose.required ? "EXPLICIT (required for the account)" : "EXPLICIT",
          piiCategory: v.purpose.fields.map((f) => FIELDS[f].label),
          primaryPurpose: v.purpose.required,
          termination: `${v.purpose.retentionDays} days after the data was last refreshed, or when withdrawn`,
          thirdPartyDisclosure: false,
          grantedAt: v.decidedAt?.toISOString() ?? null,
        })),
      },
    ],
    sensitive: false,
    spiCat: [],
  };
}
