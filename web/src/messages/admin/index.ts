// The seller admin's catalogs by language, for i18n.addCatalogs (the admin
// page loads them with itself).
import { en, type AdminMessages } from "./en";
import { de } from "./de";
import { fr } from "./fr";
import { th } from "./th";
import { vi } from "./vi";
import { id } from "./id";
import { ms } from "./ms";

export const admin: Record<string, AdminMessages> = { en, de, fr, th, vi, id, ms };
