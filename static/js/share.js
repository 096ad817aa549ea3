// Copy buttons for the permalink and citations. Without JavaScript, or where the
// clipboard is not available, the buttons stay hidden and the text can be selected.
(function () {
  "use strict";
  if (!navigator.clipboard || !window.isSecureContext) return;

  function textFor(button) {
    if (button.dataset.copyText) return button.dataset.copyText;
    var source = document.getElementById(button.dataset.copyFrom);
    return source ? source.textContent.replace(/\s+/g, " ").trim() : "";
  }

  function announce(button, message) {
    var status = button.nextElementSibling;
    if (!status || !status.classList.contains("copy-status")) return;
    status.textContent = message;
    clearTimeout(button.copyTimer);
    button.copyTimer = setTimeout(function () { status.textContent = ""; }, 4000);
  }

  document.querySelectorAll("[data-copy-text], [data-copy-from]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(textFor(button)).then(
        function () { announce(button, "Copied."); },
        function () { announce(button, "Could not copy: select the text instead."); }
      );
    });
  });
})();
