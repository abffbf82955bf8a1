// Rows of a formset added in the page (審査項目, 年目ごとの補助率・上限額): a button marked data-add-row="<prefix>"
// copies the <template id="<prefix>-template"> row, numbers it and counts it in <prefix>-TOTAL_FORMS.
// Without this script the page still offers its blank rows, and saving adds more.
(function () {
  "use strict";
  document.querySelectorAll("button[data-add-row]").forEach(function (button) {
    var prefix = button.getAttribute("data-add-row");
    var template = document.getElementById(prefix + "-template");
    var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
    var rows = document.getElementById(prefix + "-rows");
    if (!template || !total || !rows) { return; }
    var token = template.getAttribute("data-row");
    button.hidden = false;
    button.addEventListener("click", function () {
      var index = parseInt(total.value, 10);
      var html = template.innerHTML.split("__prefix__").join(String(index)).split(token).join(String(index + 1));
      var holder = document.createElement("tbody");
      holder.innerHTML = html.trim();
      var row = holder.firstElementChild;
      rows.appendChild(row);
      total.value = String(index + 1);
      var first = row.querySelector("input:not([type=hidden])");
      if (first) { first.focus(); }
    });
  });
}());
