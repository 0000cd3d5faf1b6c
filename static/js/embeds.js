// A video, a post or a map from another site is shown as a box with its link
// until the reader presses its button: only then is the provider's player made,
// so opening an article sends nothing to YouTube, Facebook or X. Without
// JavaScript the button stays hidden and the link works as a link.
(function () {
  "use strict";
  var boxes = document.querySelectorAll("figure.embed[data-embed-src]");
  Array.prototype.forEach.call(boxes, function (box) {
    var button = box.querySelector(".embed-load");
    if (!button) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      var frame = document.createElement("iframe");
      frame.setAttribute("sandbox", box.getAttribute("data-embed-sandbox"));
      frame.setAttribute("referrerpolicy", box.getAttribute("data-embed-referrer"));
      frame.setAttribute("allow", "fullscreen; picture-in-picture; encrypted-media");
      frame.setAttribute("title", box.getAttribute("data-embed-title"));
      frame.className = "embed-frame";
      frame.src = box.getAttribute("data-embed-src");
      box.classList.add("embed--loaded");
      button.replaceWith(frame);
      frame.focus();
    }, { once: true });
  });
})();
