// Entry point: global styles, the app shell and its pages.
import "./global.css";
import "./app";
import "./pages/home";
import "./pages/viewer";
import "./pages/account";
