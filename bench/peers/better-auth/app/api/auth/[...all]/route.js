import { toNextJsHandler } from "better-auth/next-js";
import { auth } from "../../../../auth.js";

export const { POST, GET } = toNextJsHandler(auth);
