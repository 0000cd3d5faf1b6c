/*
 * The two share buttons that need a browser's help, shown only where they work: "copy
 * link" (Clipboard API) and the phone's own share sheet (Web Share API). The network
 * links beside them are plain links and need nothing from here.
 */
"use strict";

(() => {
  for (const box of document.querySelectorAll(".share")) {
    const { url, title, copied } = box.dataset;
    const status = box.querySelector(".share-status");
    const copy = box.querySelector(".share-copy");
    const native = box.querySelector(".share-native");
    if (copy && navigator.clipboard && window.isSecureContext) {
      copy.parentElement.hidden = false;
      copy.addEventListener("click", () => {
        navigator.clipboard.writeText(url).then(() => {
          status.textContent = copied;
          copy.dataset.copied = "";
        }, () => {});
      });
    }
    if (native && typeof navigator.share === "function") {
      native.parentElement.hidden = false;
      native.addEventListener("click", () => {
        navigator.share({ title, url }).catch(() => {}); // the reader closed the sheet
      });
    }
  }
})();
