import { assertBuilt } from "../tests/support/server";

export default function setup() {
  assertBuilt();
}
