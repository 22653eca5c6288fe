// The embed's strings, in the seven languages of the app. They live in the
// studio catalogs (messages/studio/), one object per language beside the
// studio's own; importing only these keeps the studio's strings out of
// /embed.js. The chat overlay's strings and the HLS fallback's are here
// (the chat in the viewer's wording, so both say the same), merged into
// each language's catalog.
import { embedEn, type EmbedKey as StudioEmbedKey } from "../messages/studio/en";
import { embedDe } from "../messages/studio/de";
import { embedFr } from "../messages/studio/fr";
import { embedTh } from "../messages/studio/th";
import { embedVi } from "../messages/studio/vi";
import { embedId } from "../messages/studio/id";
import { embedMs } from "../messages/studio/ms";

const moreEn = {
  "embed.videoUnavailable": "This video can't play in your browser.",
  "embed.chat.label": "Live chat",
  "embed.chat.unavailable": "Chat isn't available in this player.",
  "embed.chat.open": "Open the chat",
  "embed.chat.placeholder": "Say something…",
  "embed.chat.input": "Chat message",
  "embed.chat.send": "Send",
  "embed.chat.login": "Log in to chat",
  "embed.chat.popupBlocked": "Your browser blocked the new window. Allow pop-ups for this site and try again.",
  "embed.chat.err.unauthenticated": "Log in to chat.",
  "embed.chat.err.muted": "You've been muted in this chat.",
  "embed.chat.err.slow_mode": "Slow mode is on. Wait a moment before your next message.",
  "embed.chat.err.rate_limited": "You're sending messages too fast. Wait a moment.",
  "embed.chat.err.blocked": "This message can't be posted.",
  "embed.chat.err.too_long": "This message is too long.",
  "embed.chat.err.show_not_live": "Chat opens when the show goes live.",
  "embed.chat.err.other": "Your message wasn't sent. Try again.",
};

type MoreKey = keyof typeof moreEn;
type MoreMessages = Record<MoreKey, string>;

const moreDe: MoreMessages = {
  "embed.videoUnavailable": "Dieses Video kann in deinem Browser nicht abgespielt werden.",
  "embed.chat.label": "Live-Chat",
  "embed.chat.unavailable": "Der Chat ist in diesem Player nicht verfügbar.",
  "embed.chat.open": "Chat öffnen",
  "embed.chat.placeholder": "Schreib etwas …",
  "embed.chat.input": "Chatnachricht",
  "embed.chat.send": "Senden",
  "embed.chat.login": "Zum Chatten anmelden",
  "embed.chat.popupBlocked": "Dein Browser hat das neue Fenster blockiert. Erlaube Pop-ups für diese Website und versuche es erneut.",
  "embed.chat.err.unauthenticated": "Melde dich an, um zu chatten.",
  "embed.chat.err.muted": "Du wurdest in diesem Chat stummgeschaltet.",
  "embed.chat.err.slow_mode": "Der langsame Modus ist aktiv. Warte kurz vor deiner nächsten Nachricht.",
  "embed.chat.err.rate_limited": "Du schreibst zu schnell. Warte einen Moment.",
  "embed.chat.err.blocked": "Diese Nachricht kann nicht gepostet werden.",
  "embed.chat.err.too_long": "Diese Nachricht ist zu lang.",
  "embed.chat.err.show_not_live": "Der Chat öffnet, sobald die Show live ist.",
  "embed.chat.err.other": "Deine Nachricht wurde nicht gesendet. Versuche es erneut.",
};

const moreFr: MoreMessages = {
  "embed.videoUnavailable": "Cette vidéo ne peut pas être lue dans votre navigateur.",
  "embed.chat.label": "Chat en direct",
  "embed.chat.unavailable": "Le chat n’est pas disponible dans ce lecteur.",
  "embed.chat.open": "Ouvrir le chat",
  "embed.chat.placeholder": "Écrivez quelque chose…",
  "embed.chat.input": "Message du chat",
  "embed.chat.send": "Envoyer",
  "embed.chat.login": "Se connecter pour discuter",
  "embed.chat.popupBlocked": "Votre navigateur a bloqué la nouvelle fenêtre. Autorisez les pop-ups pour ce site et réessayez.",
  "embed.chat.err.unauthenticated": "Connectez-vous pour discuter.",
  "embed.chat.err.muted": "Vous avez été rendu muet dans ce chat.",
  "embed.chat.err.slow_mode": "Le mode lent est activé. Patientez un peu avant votre prochain message.",
  "embed.chat.err.rate_limited": "Vous envoyez des messages trop vite. Patientez un instant.",
  "embed.chat.err.blocked": "Ce message ne peut pas être publié.",
  "embed.chat.err.too_long": "Ce message est trop long.",
  "embed.chat.err.show_not_live": "Le chat ouvre quand le live commence.",
  "embed.chat.err.other": "Votre message n’a pas été envoyé. Réessayez.",
};

const moreTh: MoreMessages = {
  "embed.videoUnavailable": "วิดีโอนี้เล่นในเบราว์เซอร์ของคุณไม่ได้",
  "embed.chat.label": "แชทสด",
  "embed.chat.unavailable": "แชทไม่พร้อมใช้งานในเพลเยอร์นี้",
  "embed.chat.open": "เปิดแชท",
  "embed.chat.placeholder": "พิมพ์ข้อความ…",
  "embed.chat.input": "ข้อความแชท",
  "embed.chat.send": "ส่ง",
  "embed.chat.login": "เข้าสู่ระบบเพื่อแชท",
  "embed.chat.popupBlocked": "เบราว์เซอร์ของคุณบล็อกหน้าต่างใหม่ โปรดอนุญาตป๊อปอัปสำหรับเว็บไซต์นี้แล้วลองอีกครั้ง",
  "embed.chat.err.unauthenticated": "เข้าสู่ระบบเพื่อแชท",
  "embed.chat.err.muted": "คุณถูกปิดเสียงในแชทนี้",
  "embed.chat.err.slow_mode": "เปิดโหมดช้าอยู่ โปรดรอสักครู่ก่อนส่งข้อความถัดไป",
  "embed.chat.err.rate_limited": "คุณส่งข้อความเร็วเกินไป โปรดรอสักครู่",
  "embed.chat.err.blocked": "ไม่สามารถโพสต์ข้อความนี้ได้",
  "embed.chat.err.too_long": "ข้อความนี้ยาวเกินไป",
  "embed.chat.err.show_not_live": "แชทจะเปิดเมื่อไลฟ์เริ่ม",
  "embed.chat.err.other": "ส่งข้อความไม่สำเร็จ โปรดลองอีกครั้ง",
};

const moreVi: MoreMessages = {
  "embed.videoUnavailable": "Không thể phát video này trên trình duyệt của bạn.",
  "embed.chat.label": "Trò chuyện trực tiếp",
  "embed.chat.unavailable": "Không thể trò chuyện trong trình phát này.",
  "embed.chat.open": "Mở trò chuyện",
  "embed.chat.placeholder": "Nói gì đó…",
  "embed.chat.input": "Tin nhắn trò chuyện",
  "embed.chat.send": "Gửi",
  "embed.chat.login": "Đăng nhập để trò chuyện",
  "embed.chat.popupBlocked": "Trình duyệt đã chặn cửa sổ mới. Hãy cho phép cửa sổ bật lên cho trang này rồi thử lại.",
  "embed.chat.err.unauthenticated": "Đăng nhập để trò chuyện.",
  "embed.chat.err.muted": "Bạn đã bị tắt tiếng trong cuộc trò chuyện này.",
  "embed.chat.err.slow_mode": "Chế độ chậm đang bật. Vui lòng đợi một chút rồi gửi tiếp.",
  "embed.chat.err.rate_limited": "Bạn gửi tin quá nhanh. Vui lòng đợi một chút.",
  "embed.chat.err.blocked": "Không thể đăng tin nhắn này.",
  "embed.chat.err.too_long": "Tin nhắn quá dài.",
  "embed.chat.err.show_not_live": "Trò chuyện sẽ mở khi buổi live bắt đầu.",
  "embed.chat.err.other": "Tin nhắn chưa được gửi. Vui lòng thử lại.",
};

const moreId: MoreMessages = {
  "embed.videoUnavailable": "Video ini tidak dapat diputar di browser Anda.",
  "embed.chat.label": "Obrolan live",
  "embed.chat.unavailable": "Obrolan tidak tersedia di pemutar ini.",
  "embed.chat.open": "Buka obrolan",
  "embed.chat.placeholder": "Tulis sesuatu…",
  "embed.chat.input": "Pesan obrolan",
  "embed.chat.send": "Kirim",
  "embed.chat.login": "Masuk untuk ikut mengobrol",
  "embed.chat.popupBlocked": "Browser Anda memblokir jendela baru. Izinkan pop-up untuk situs ini, lalu coba lagi.",
  "embed.chat.err.unauthenticated": "Masuk untuk ikut mengobrol.",
  "embed.chat.err.muted": "Anda dibisukan di obrolan ini.",
  "embed.chat.err.slow_mode": "Mode lambat aktif. Tunggu sebentar sebelum mengirim pesan berikutnya.",
  "embed.chat.err.rate_limited": "Anda mengirim pesan terlalu cepat. Tunggu sebentar.",
  "embed.chat.err.blocked": "Pesan ini tidak dapat dikirim.",
  "embed.chat.err.too_long": "Pesan ini terlalu panjang.",
  "embed.chat.err.show_not_live": "Obrolan dibuka saat live dimulai.",
  "embed.chat.err.other": "Pesan Anda tidak terkirim. Coba lagi.",
};

const moreMs: MoreMessages = {
  "embed.videoUnavailable": "Video ini tidak boleh dimainkan dalam pelayar anda.",
  "embed.chat.label": "Sembang langsung",
  "embed.chat.unavailable": "Sembang tidak tersedia dalam pemain ini.",
  "embed.chat.open": "Buka sembang",
  "embed.chat.placeholder": "Tulis sesuatu…",
  "embed.chat.input": "Mesej sembang",
  "embed.chat.send": "Hantar",
  "embed.chat.login": "Log masuk untuk bersembang",
  "embed.chat.popupBlocked": "Pelayar anda menyekat tetingkap baharu. Benarkan tetingkap timbul untuk laman ini dan cuba lagi.",
  "embed.chat.err.unauthenticated": "Log masuk untuk bersembang.",
  "embed.chat.err.muted": "Anda telah dibisukan dalam sembang ini.",
  "embed.chat.err.slow_mode": "Mod perlahan dihidupkan. Tunggu sebentar sebelum menghantar mesej seterusnya.",
  "embed.chat.err.rate_limited": "Anda menghantar mesej terlalu cepat. Tunggu sebentar.",
  "embed.chat.err.blocked": "Mesej ini tidak boleh disiarkan.",
  "embed.chat.err.too_long": "Mesej ini terlalu panjang.",
  "embed.chat.err.show_not_live": "Sembang dibuka apabila siaran bermula.",
  "embed.chat.err.other": "Mesej anda tidak dihantar. Cuba lagi.",
};

export type EmbedKey = StudioEmbedKey | MoreKey;
export type EmbedMessages = Record<EmbedKey, string>;

export const embedCatalogs: Record<string, EmbedMessages> = {
  en: { ...embedEn, ...moreEn },
  de: { ...embedDe, ...moreDe },
  fr: { ...embedFr, ...moreFr },
  th: { ...embedTh, ...moreTh },
  vi: { ...embedVi, ...moreVi },
  id: { ...embedId, ...moreId },
  ms: { ...embedMs, ...moreMs },
};
