// Suggest existing tags of the field's kind for the name being typed after the last comma.
// The browser's own <datalist> shows the suggestions; each option holds the whole field
// value with the last name completed, so choosing one keeps the names already typed.
"use strict";
(function () {
  const SEPARATOR = /(,\s|;|\n)/;

  function quote(name) {
    return /,(\s|$)|;|\n/.test(name) ? `"${name}"` : name;
  }

  function attach(input) {
    const list = document.getElementById(input.getAttribute("list"));
    let timer = null;
    let lastQuery = null;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(async function () {
        const parts = input.value.split(SEPARATOR);
        const query = parts.pop().trim();
        const prefix = parts.join("");
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
