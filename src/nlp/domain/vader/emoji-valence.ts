/**
 * Emoji valences on the lexicon's -4 … +4 scale. The 2014 lexicon predates
 * emoji in everyday text, so this table is this project's own judgement,
 * calibrated against the lexicon's emoticons (":)" 2.0, ":D" 2.3, "<3" 1.9,
 * ":(" -1.9) and words ("love" 3.2, "sad" -2.1, "angry" -2.3).
 *
 * Keys are the base code point: variation selectors, skin tones and ZWJ
 * continuations are folded into the base emoji by the tokeniser, so "👍🏽" is
 * "👍" and "❤️‍🔥" is "❤". Emoji not listed are neutral tokens.
 *
 * Reddit usage shaped a few entries: 💀 and 😭 mostly mean "I'm dying
 * laughing", 🔥 means "great", 🙃 and 🥲 are ironic.
 */
const GROUPS: readonly string[] = [
  // Smiling and laughing faces
  `😀 2.2  😃 2.3  😄 2.4  😁 2.2  😆 2.2  😅 1.1  🤣 2.3  😂 2.0  🙂 1.4  🙃 0.3  😉 1.4
   😊 2.4  😇 2.0  😌 1.4  😋 2.0  😎 1.9  🤠 1.6  🥳 2.8  🤗 2.2  🤭 0.9  ☺ 2.0`,
  // Affection
  `🥰 3.0  😍 3.0  🤩 3.0  😘 2.4  😗 1.4  😚 2.0  😙 1.8  🥲 0.3  😛 1.4  😜 1.5  🤪 1.2
   😝 1.4  🤑 0.8  😏 0.3  🤤 0.6  🤓 0.6`,
  // Neutral, doubtful and uneasy faces
  `🤔 -0.2  🤐 -0.3  🤨 -0.8  😐 -0.3  😑 -0.7  😶 -0.3  😒 -1.6  🙄 -1.4  😬 -0.8  🤥 -1.6
   😪 -1.0  😴 -0.2  🧐 0  😮 -0.2  😯 -0.3  😲 -0.3  😳 -0.7  🥺 -0.6  🤯 -0.4  🥱 -0.8
   🤫 0  😈 -0.5`,
  // Sad, worried and hurt faces
  `😕 -1.3  😟 -1.6  🙁 -1.6  ☹ -2.0  😦 -1.3  😧 -1.6  😨 -2.0  😰 -2.0  😥 -1.6  😢 -2.2
   😭 -1.6  😱 -1.7  😖 -2.0  😣 -1.8  😞 -2.0  😔 -1.7  😓 -1.4  😩 -1.8  😫 -1.9  😵 -1.5
   🥴 -0.6  😷 -1.2  🤒 -1.8  🤕 -1.8  🤢 -2.2  🤮 -2.6  🤧 -1.3  🥵 -0.8  🥶 -0.8`,
  // Angry and mocking faces, creatures
  `😤 -1.6  😠 -2.5  😡 -2.8  🤬 -3.0  👿 -2.2  💀 -0.3  ☠ -1.6  💩 -1.8  🤡 -1.5  👹 -1.6
   👺 -1.6  👻 0  👽 0  🤖 0  🙈 0.6  🙉 0.3  🙊 0.6`,
  // Cat faces
  `😺 1.8  😸 2.0  😹 2.0  😻 2.8  😼 0.5  😽 1.8  🙀 -1.2  😿 -2.0  😾 -2.0`,
  // Hearts
  `❤ 3.0  🧡 2.8  💛 2.8  💚 2.8  💙 2.8  💜 2.8  🖤 1.5  🤍 2.5  🤎 2.5  💔 -2.8  ❣ 2.6
   💕 3.0  💞 3.0  💓 2.8  💗 2.8  💖 3.0  💘 2.6  💝 2.8  💟 2.4  ♥ 2.8  💋 2.0  🫶 2.8`,
  // Hands and gestures
  `👍 2.0  👎 -2.0  👏 2.0  🙌 2.4  👌 1.6  🤝 1.6  🙏 1.6  ✌ 1.4  🤞 1.2  🤟 2.0  🤘 1.6
   💪 1.8  👊 0.6  ✊ 0.8  🖕 -2.8  👋 0.8  🤙 1.4  🤦 -1.6  🤷 -0.3  👀 0`,
  // Symbols and objects with a clear polarity
  `💯 2.0  ✅ 1.4  ✔ 1.2  ❌ -1.4  ✖ -0.8  ⚠ -1.0  ⛔ -1.4  🚫 -1.4  🆘 -1.8  💢 -1.8
   💤 -0.3  🔥 1.8  🎉 2.6  🎊 2.4  ✨ 1.6  ⭐ 1.6  🌟 2.0  🏆 2.4  🥇 2.2  🎂 2.0  🎁 2.0
   🌈 1.6  ☀ 1.4  🌞 1.8  🌹 1.8  🌸 1.4  💐 2.0  🍀 1.6  🚀 1.6  📈 1.2  📉 -1.2  💸 -0.8
   💰 1.2  🍻 1.8  🥂 2.0  🍾 2.0  🐐 1.8  🗑 -1.6  💥 0.3  ☕ 0.4`,
];

function parseGroups(groups: readonly string[]): Map<number, number> {
  const table = new Map<number, number>();
  for (const group of groups) {
    const fields = group.split(/\s+/).filter((field) => field !== '');
    for (let i = 0; i + 1 < fields.length; i += 2) {
      const codePoint = fields[i]?.codePointAt(0);
      const valence = Number(fields[i + 1]);
      if (codePoint === undefined || Number.isNaN(valence)) {
        throw new Error(`bad emoji valence entry near "${fields[i] ?? ''}"`);
      }
      table.set(codePoint, valence);
    }
  }
  return table;
}

/** Base emoji code point -> valence. */
export const EMOJI_VALENCE: ReadonlyMap<number, number> = parseGroups(GROUPS);
