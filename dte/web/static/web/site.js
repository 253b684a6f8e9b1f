// Behaviour that used to sit in inline attributes, kept in a file so the Content-Security-Policy
// can forbid inline script (issue 8 finding 4).
document.addEventListener("change", function (event) {
  var target = event.target;
  if (target && target.hasAttribute && target.hasAttribute("data-autosubmit") && target.form) {
    target.form.submit();
  }
});
