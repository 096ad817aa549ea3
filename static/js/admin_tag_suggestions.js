// Suggest existing tags of the field's kind for the name being typed last.
// The browser's own <datalist> shows the suggestions; each option holds the whole field
// value with the last name completed, so choosing one keeps the names already typed.
// Names are read and written as releases/tagging.py does: separated by ", ", ";" or a
// new line; in double quotes (inner quotes doubled) when a name holds a separator or
// starts with a quote.
"use strict";
(function () {
  const SEPARATOR = /,(?=\s|$)|;|\n/g;
  const QUOTED = /\s*"((?:[^"]|"")*)"\s*?(?:,|;|\n|$)/y;
  const OPEN_QUOTE = /\s*"(?:[^"]|"")*$/y; // a quoted name still being typed

  function quote(name) {
    if (/,(?=\s|$)|;|\n/.test(name) || name.startsWith('"')) {
      return `"${name.replaceAll('"', '""')}"`;
    }
    return name;
  }

  // Where the last name in the text begins.
  function lastNameStart(text) {
    let position = 0;
    for (;;) {
      OPEN_QUOTE.lastIndex = position;
      if (OPEN_QUOTE.test(text)) return position;
      QUOTED.lastIndex = position;
      const quoted = QUOTED.exec(text);
      if (quoted && !/[,;\n]$/.test(quoted[0])) return position;
      if (quoted) {
        position = QUOTED.lastIndex;
        continue;
      }
      SEPARATOR.lastIndex = position;
      if (!SEPARATOR.exec(text)) return position;
      position = SEPARATOR.lastIndex;
    }
  }

  // The name as its author means it, without the quotes written around it.
  function unquote(item) {
    const text = item.trim();
    if (!text.startsWith('"')) return text;
    return text.replace(/^"/, "").replace(/"$/, "").replaceAll('""', '"').trim();
  }

  function attach(input) {
    const list = document.getElementById(input.getAttribute("list"));
    let timer = null;
    let lastQuery = null;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(async function () {
        const start = lastNameStart(input.value);
        const query = unquote(input.value.slice(start));
        const prefix = input.value.slice(0, start);
        if (query.length < 1 || query === lastQuery) return;
        lastQuery = query;
        const url = `${input.dataset.suggestUrl}?q=${encodeURIComponent(query)}`;
        const response = await fetch(url, { credentials: "same-origin" });
        if (!response.ok) return;
        const { results } = await response.json();
        list.replaceChildren(
          ...results.map(function (tag) {
            const option = document.createElement("option");
            option.value = (prefix ? prefix.replace(/\s*$/, " ") : "") + quote(tag.name);
            option.label = tag.label;
            return option;
          })
        );
      }, 150);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("input[data-suggest-url]").forEach(attach);
  });
})();
