import "server-only";
// Demo personas: fictional people with fixed Telegram-like ids, signed with the demo bot token that
// lib/env.ts generates. Only active when DEMO_MODE is on (which env.ts refuses outside loopback).
import { env } from "./env";
import { nowSeconds } from "./session-cookie";
import { signWidgetPayload } from "./telegram/widget";

export const DEMO_PERSONAS = {
  ada: { id: "100000001", first_name: "Ada", last_name: "Lovelace", username: "ada_demo", photo_url: "https://t.me/i/userpic/320/ada_demo.jpg" },
  grace: { id: "4503599627370001", first_name: "Grace", last_name: "Hopper", username: "grace_demo" },
  alan: { id: "100000003", first_name: "Alan" },
} as const satisfies Record<string, Record<string, string>>;

export type DemoPersona = keyof typeof DEMO_PERSONAS;

export function demoPayload(persona: string): Record<string, string> | null {
  const e = env();
  if (!e.demo || !e.botToken || !Object.hasOwn(DEMO_PERSONAS, persona)) return null;
  return signWidgetPayload(e.botToken, { ...DEMO_PERSONAS[persona as DemoPersona], auth_date: String(nowSeconds()) });
}
