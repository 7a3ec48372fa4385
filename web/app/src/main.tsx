import { render } from "preact";
import { App } from "./app";
import "./styles/base.css";
import "./styles/auth.css";
import "./styles/layout.css";
import "./styles/sidebar.css";
import "./styles/chat.css";
import "./styles/messages.css";
import "./styles/overlays.css";
import "./styles/receipts.css";
import "./styles/media.css";

const root = document.getElementById("app");
if (root !== null) render(<App />, root);
