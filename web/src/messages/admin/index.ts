// The seller admin's catalogs by language, for i18n.addCatalogs (the admin
// page loads them with itself).
import { en, type AdminMessages } from "./en";

export const admin: Record<string, AdminMessages> = { en };
