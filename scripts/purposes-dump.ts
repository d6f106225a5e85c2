// `npm run purposes:dump`: prints the shipped purpose catalogue as a PURPOSES_FILE (JSON, one entry
// per purpose with its text in every language), the starting point for an operator's own. Loaded as
// PURPOSES_FILE unchanged, it gives every purpose the same versions as the shipped catalogue, so
// nobody is asked again; edit a text and those who decided on that language's text are.
import { SHIPPED_CATALOGUE } from "../lib/domain/purposes";

const file = SHIPPED_CATALOGUE.map((p) => ({
  id: p.id,
  texts: p.texts,
  fields: p.fields,
  required: p.required,
  retentionDays: p.retentionDays,
  ...(p.oneTime === undefined ? {} : { oneTime: p.oneTime }),
}));
process.stdout.write(`${JSON.stringify(file, null, 2)}\n`);
