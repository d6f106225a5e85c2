// The one result type of server actions: the expected failure comes back as data, bugs are thrown.
export type ActionResult<T = undefined> =
  | ({ ok: true; message: string } & (T extends undefined ? object : { data: T }))
  | { ok: false; message: string; fieldErrors?: Record<string, string> };

export type ActionState<T = undefined> = ActionResult<T> | null;
