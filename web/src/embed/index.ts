// Entry of /embed.js, the embeddable player: a site adds
//
//   <script type="module" src="https://HAWKER/embed.js"></script>
//   <hawker-show show="shw_…"></hawker-show>
//
// Built on its own into one file with no chunks (vite.config.ts), so a
// page on another origin fetches exactly one script. It talks to the
// server it was loaded from: the API base is this script's own origin.
import { HawkerShow } from "./player";

HawkerShow.base = new URL(import.meta.url).origin;

// A page that loads the script twice (two widgets, two tags) keeps the
// first definition.
if (!customElements.get("hawker-show")) customElements.define("hawker-show", HawkerShow);
