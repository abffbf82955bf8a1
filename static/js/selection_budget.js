// The 採択案 form: the total of the selected amounts and the budget left, updated as staff type.
(function () {
  const form = document.getElementById("selection-form");
  if (!form) return;
  const budget = Number(form.dataset.budget);
  const total = document.getElementById("chosen-total");
  const remaining = document.getElementById("remaining-budget");
  const yen = (n) => n.toLocaleString("ja-JP") + "円";
  function update() {
    let sum = 0;
    form.querySelectorAll("input[type=checkbox][name^=selected_]").forEach((box) => {
      if (!box.checked) return;
      const amount = form.querySelector(`input[name=amount_${box.name.slice(9)}]`);
      const value = Number(amount && amount.value);
      if (Number.isFinite(value) && value > 0) sum += Math.floor(value);
    });
    total.textContent = yen(sum);
    remaining.textContent = (budget - sum < 0 ? "−" + yen(sum - budget) + "（予算超過）" : yen(budget - sum));
  }
  form.addEventListener("input", update);
  form.addEventListener("change", update);
  update();
})();
