import { rmSync } from "node:fs";
import { assertBuilt } from "./server";

export default function setup() {
  assertBuilt();
  rmSync(".test-runs", { recursive: true, force: true });
}
