// "Use as answer": copies a knowledge-base suggestion into the answer box (as text, never as HTML).
document.querySelectorAll("button.use").forEach((button) => {
  button.addEventListener("click", () => {
    const box = document.querySelector("#answer textarea");
    if (box) { box.value = button.dataset.text; box.focus(); }
  });
});
