// The emoji picker's set: the ones people actually use in chats, grouped as most pickers do.
// Small on purpose (no 3,000-entry table in the bundle); the OS keyboard has the rest.

import { graphemes as split } from "./graphemes";

export const EMOJI_GROUPS: { id: string; icon: string; emoji: string[] }[] = [
  {
    id: "smileys",
    icon: "😀",
    emoji: split("😀😃😄😁😆😅🤣😂🙂😉😊😇🥰😍🤩😘😋😛😜🤪😝🤗🤭🤫🤔🤐🤨😐😑😶😏😒🙄😬😌😔😪😴😷🤒🤕🥵🥶🥴😵🤯🥳😎🤓🧐😕😟🙁😮😯😲😳🥺😦😧😨😰😥😢😭😱😖😣😞😓😩😫🥱😤😡😠🤬😈💀💩🤡👻👽🤖"),
  },
  {
    id: "gestures",
    icon: "👍",
    emoji: split("👍👎👌🤌✌️🤞🤟🤘🤙👈👉👆👇☝️👋🤚🖐️✋🖖👏🙌👐🤲🤝🙏💪🫶✍️💅🤳🧠👀👁️👄💋"),
  },
  {
    id: "hearts",
    icon: "❤️",
    emoji: ["❤️", "🧡", "💛", "💚", "💙", "💜", "🖤", "🤍", "🤎", "💔", "❣️", "💕", "💞", "💓", "💗", "💖", "💘", "💝", "✨", "⭐", "🌟", "🔥", "💯", "✅", "❌", "❓", "❗", "💤", "💬", "💭"],
  },
  {
    id: "things",
    icon: "🎉",
    emoji: split("🎉🎊🎈🎁🎂🍰☕🍵🍺🍻🥂🍷🍕🍔🍟🌮🍜🍣🍱🥟🍎🍓🍉🍌🥑⚽🏀🎮🎧🎵🎸📷💻📱⌚💡📌📎📅📈🚀✈️🚗🚲🏠🌍🌈☀️🌙⛄🌸🌹🌻🍀🐶🐱🐼🦊🐧🐦🕊️"),
  },
];
