/* Anticor — inline formsets: add a row without a round trip to the server.
 *
 * Progressive enhancement only. Without JavaScript the «add» button is an ordinary submit button: the server gets the
 * whole form and renders it again with one more row. With this script the button instead clones the empty row kept
 * in a <template> (Django's formset.empty_form), replaces "__prefix__" with the next index and bumps TOTAL_FORMS.
 *
 * Markup (see templates/cases/includes/formset.html):
 *   <section data-formset data-formset-prefix="subjects" data-formset-added="Добавлена строка">
 *     …management form (subjects-TOTAL_FORMS, subjects-MAX_NUM_FORMS)…
 *     <div data-formset-list> <fieldset data-formset-row>…</fieldset> … </div>
 *     <template data-formset-template> <fieldset data-formset-row>… __prefix__ … __number__ …</fieldset> </template>
 *     <button type="submit" name="add_subject" data-formset-add>…</button>
 *     <p role="status" data-formset-status></p>
 *   </section>
 */
(function () {
  "use strict";

  var PREFIX = /__prefix__/g;
  var NUMBER = "__number__";

  function renumber(root, index) {
    var elements = [root].concat(Array.prototype.slice.call(root.querySelectorAll("*")));
    elements.forEach(function (element) {
      Array.prototype.slice.call(element.attributes).forEach(function (attribute) {
        if (attribute.value.indexOf("__prefix__") !== -1) {
          element.setAttribute(attribute.name, attribute.value.replace(PREFIX, String(index)));
        }
      });
    });
    Array.prototype.forEach.call(root.querySelectorAll("[data-formset-number]"), function (element) {
      if (element.textContent.indexOf(NUMBER) !== -1) {
        element.textContent = String(index + 1);
      }
    });
  }

  function firstField(row) {
    return row.querySelector(
      "input:not([type=hidden]):not([type=checkbox]):not([disabled]), select:not([disabled]), textarea:not([disabled])"
    );
  }

  function setup(container) {
    var prefix = container.getAttribute("data-formset-prefix");
    var total = container.querySelector("input[name='" + prefix + "-TOTAL_FORMS']");
    var max = container.querySelector("input[name='" + prefix + "-MAX_NUM_FORMS']");
    var list = container.querySelector("[data-formset-list]");
    var template = container.querySelector("template[data-formset-template]");
    var button = container.querySelector("[data-formset-add]");
    var status = container.querySelector("[data-formset-status]");
    if (!prefix || !total || !list || !template || !button || !("content" in template)) {
      return; // leave the server-side button alone
    }

    button.addEventListener("click", function (event) {
      var index = parseInt(total.value, 10) || 0;
      var limit = max ? parseInt(max.value, 10) : NaN;
      if (!isNaN(limit) && index >= limit) {
        return; // let the server explain the limit
      }
      event.preventDefault();

      var fragment = template.content.cloneNode(true);
      var row = fragment.querySelector("[data-formset-row]");
      if (!row) {
        return;
      }
      renumber(row, index);
      var empty = list.querySelector(".formset__empty");
      if (empty) {
        empty.parentNode.removeChild(empty);
      }
      list.appendChild(fragment);
      total.value = String(index + 1);

      var field = firstField(row);
      if (field) {
        field.focus();
      }
      if (status) {
        var legend = row.querySelector("legend");
        var added = container.getAttribute("data-formset-added") || "";
        // Clear first so that the same text is announced again for the next row.
        status.textContent = "";
        window.setTimeout(function () {
          status.textContent = added + (legend ? ": " + legend.textContent.replace(/\s+/g, " ").trim() : "");
        }, 50);
      }
    });
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-formset]"), setup);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
