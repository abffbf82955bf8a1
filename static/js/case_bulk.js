// The case list's bulk form (templates/cases/_bulk_form.html): 「表示中の案件をすべて選ぶ」 ticks every case shown on
// this page (or clears them when all are ticked) and chooses 「チェックした案件」. Without JavaScript the button stays
// hidden and the boxes are ticked one by one, or 「絞り込みに該当するすべての案件」 is chosen.
(function () {
  const button = document.getElementById("bulk-select-all");
  if (!button) return;
  const boxes = function () {
    return Array.from(document.querySelectorAll('input[type=checkbox][name=case][form="case-bulk"]'));
  };
  if (!boxes().length) return;
  button.hidden = false;
  button.addEventListener("click", function () {
    const all = boxes();
    const tick = !all.every(function (box) { return box.checked; });
    all.forEach(function (box) { box.checked = tick; });
    const selected = document.querySelector('#case-bulk input[name=scope][value=selected]');
    if (selected) selected.checked = true;
    button.textContent = tick ? "選択をすべて外す" : "表示中の案件をすべて選ぶ";
  });
})();
