// Behaviour that used to sit in inline attributes, kept in a file so the Content-Security-Policy
// can forbid inline script (issue 8 finding 4).
document.addEventListener("change", function (event) {
  var target = event.target;
  if (target && target.hasAttribute && target.hasAttribute("data-autosubmit") && target.form) {
    target.form.submit();
  }
});

// Division chooser (issue 13 item 13): a <select data-division-chooser> grouped by prefecture works
// without JavaScript; here it gets a province and a prefecture select in front of it, and keeps only
// the options of the chosen prefecture. The submitted value is still the select's own (the code).
function dteDivisionChooser(select) {
  var levels = JSON.parse(select.getAttribute("data-levels") || "{}");
  var all = Array.prototype.slice.call(select.querySelectorAll("option"));
  var empty = all.filter(function (o) { return !o.value; })[0];
  function makeSelect(label, items, role) {
    var wrap = document.createElement("span");
    wrap.className = "division-level";
    var s = document.createElement("select");
    s.setAttribute("aria-label", label);
    s.setAttribute("data-division-level", role);
    var blank = document.createElement("option");
    blank.value = "";
    blank.textContent = label + " —";
    s.appendChild(blank);
    items.forEach(function (item) {
      var o = document.createElement("option");
      o.value = item[0];
      o.textContent = item[1];
      s.appendChild(o);
    });
    wrap.appendChild(s);
    select.parentNode.insertBefore(wrap, select);
    return s;
  }
  var provinces = levels.provinces || [];
  var province = makeSelect(select.getAttribute("data-label-province"), provinces, "province");
  var prefecture = makeSelect(select.getAttribute("data-label-prefecture"), [], "prefecture");
  function fillPrefectures() {
    var keep = prefecture.value;
    while (prefecture.options.length > 1) { prefecture.remove(1); }
    (levels.prefectures || []).forEach(function (p) {
      if (province.value && p[0].slice(0, 2) === province.value.slice(0, 2)) {
        var o = document.createElement("option");
        o.value = p[0];
        o.textContent = p[1];
        prefecture.appendChild(o);
      }
    });
    prefecture.value = keep && keep.slice(0, 2) === province.value.slice(0, 2) ? keep : "";
  }
  function fillPlaces() {
    var current = select.value;
    while (select.firstChild) { select.removeChild(select.firstChild); }
    if (empty) { select.appendChild(empty); }
    all.forEach(function (o) {
      if (!o.value) { return; }
      var show = prefecture.value ? o.getAttribute("data-prefecture") === prefecture.value
        : (province.value ? o.getAttribute("data-province") === province.value : true);
      if (show) { select.appendChild(o); }
    });
    select.value = current;
    if (select.value !== current) { select.value = ""; }
  }
  var chosen = select.value;
  if (chosen) {
    province.value = chosen.slice(0, 2) + "0000";
    fillPrefectures();
    prefecture.value = /0000$/.test(chosen) ? "" : chosen.slice(0, 4) + "00";
  } else if (provinces.length === 1) {
    province.value = provinces[0][0];
    fillPrefectures();
  }
  fillPlaces();
  province.addEventListener("change", function () { fillPrefectures(); fillPlaces(); });
  prefecture.addEventListener("change", fillPlaces);
}

document.addEventListener("DOMContentLoaded", function () {
  Array.prototype.forEach.call(document.querySelectorAll("select[data-division-chooser]"), dteDivisionChooser);
});
