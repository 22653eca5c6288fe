// The embed's strings, in the seven languages of the app. They live in the
// studio catalogs (messages/studio/), one object per language beside the
// studio's own; importing only these keeps the studio's strings out of
// /embed.js.
import { embedEn, type EmbedMessages } from "../messages/studio/en";
import { embedDe } from "../messages/studio/de";
import { embedFr } from "../messages/studio/fr";
import { embedTh } from "../messages/studio/th";
import { embedVi } from "../messages/studio/vi";
import { embedId } from "../messages/studio/id";
import { embedMs } from "../messages/studio/ms";

export type { EmbedKey } from "../messages/studio/en";

export const embedCatalogs: Record<string, EmbedMessages> = {
  en: embedEn,
  de: embedDe,
  fr: embedFr,
  th: embedTh,
  vi: embedVi,
  id: embedId,
  ms: embedMs,
};
