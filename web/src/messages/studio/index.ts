// The studio's catalogs by language, for i18n.addCatalogs (the studio,
// the embed's checkout window and demo page load them with themselves).
import { en, type StudioMessages } from "./en";
import { de } from "./de";
import { fr } from "./fr";
import { th } from "./th";
import { vi } from "./vi";
import { id } from "./id";
import { ms } from "./ms";

export const studio: Record<string, StudioMessages> = { en, de, fr, th, vi, id, ms };
