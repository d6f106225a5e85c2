import { auth } from "../auth.js";

export default async function Home() {
  const session = await auth();
  return <main>{session ? `Signed in as ${session.user?.name}` : "Not signed in"}</main>;
}
