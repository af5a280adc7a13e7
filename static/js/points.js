// The monthly board's print button: the page prints as the notice board's sheet.
document.addEventListener("DOMContentLoaded", () => {
  const button = document.getElementById("print-board");
  if (button) button.addEventListener("click", () => window.print());
});
