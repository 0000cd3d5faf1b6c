/*
 * Text-size control for article pages.
 *
 * The chosen size lives on <html data-text-size> so the stylesheet can scale
 * the article through one custom property. An inline script in <head> applies
 * the saved size before first paint; this file only wires up the buttons.
 */
"use strict";

(() => {
  const STORAGE_KEY = "newsgen.textSize";
  const SIZES = ["small", "normal", "large"];
  const root = document.documentElement;

  const currentSize = () => {
    const size = root.dataset.textSize;
    return size === "small" || size === "large" ? size : "normal";
  };

  const syncButtons = () => {
    const size = currentSize();
    document.querySelectorAll(".text-size button[data-text-size]").forEach((button) => {
      button.setAttribute("aria-pressed", button.dataset.textSize === size ? "true" : "false");
    });
  };

  const applySize = (size) => {
    if (size === "normal") {
      // No attribute means the default, which keeps the markup clean for "normal".
      delete root.dataset.textSize;
    } else {
      root.dataset.textSize = size;
    }
  };

  const saveSize = (size) => {
    // Storage can throw (private mode, disabled cookies, quota); the choice
    // then lasts for this page only, which is fine.
    try {
      if (size === "normal") {
        window.localStorage.removeItem(STORAGE_KEY);
      } else {
        window.localStorage.setItem(STORAGE_KEY, size);
      }
    } catch (error) {
      /* see above */
    }
  };

  const onClick = (event) => {
    const button = event.target.closest("button[data-text-size]");
    if (!button || !event.currentTarget.contains(button)) {
      return;
    }
    const size = button.dataset.textSize;
    if (!SIZES.includes(size)) {
      return;
    }
    applySize(size);
    saveSize(size);
    syncButtons();
  };

  // Keeps several open tabs in step when the reader changes size in one of them.
  const onStorage = (event) => {
    if (event.key !== STORAGE_KEY && event.key !== null) {
      return;
    }
    const size = SIZES.includes(event.newValue) ? event.newValue : "normal";
    applySize(size);
    syncButtons();
  };

  const init = () => {
    document.querySelectorAll(".text-size").forEach((group) => {
      group.addEventListener("click", onClick);
    });
    window.addEventListener("storage", onStorage);
    syncButtons();
  };

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
