// 通院日: 「通院日の欄を増やす」 adds an empty date box after the last one (without script, saving adds empty boxes).
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("button[data-rows]").forEach((button) => {
    const list = document.getElementById(button.dataset.rows);
    if (!list) return;
    button.hidden = false;
    button.addEventListener("click", () => {
      const last = list.lastElementChild;
      if (!last) return;
      const row = last.cloneNode(true);
      const number = list.children.length + 1;
      const input = row.querySelector("input");
      const label = row.querySelector("label");
      input.id = `${button.dataset.rows}_${number}`;
      input.value = "";
      label.htmlFor = input.id;
      label.textContent = `通院日（${number}行目）`;
      row.querySelector(".wareki").textContent = "";
      list.appendChild(row);
      input.focus();
    });
  });
});
