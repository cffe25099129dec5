/**
 * The page's scripts, inlined by html.ts: sorting, filtering and paging of the node table. The page
 * is complete without them: every row is in the HTML, drill-downs are <details>.
 *
 * With script, the table shows its rows a page at a time (NODE_PAGE rows, then "Show more" /
 * "Show all"). Laying out a 10,000-row table takes the browser seconds, every time the rows move;
 * laying out 250 takes milliseconds. So the script keeps every row element in an array, reads
 * each row's cells once into per-column key arrays, sorts and filters those arrays, and attaches
 * only the rows to show. A node's drill-down row (class "dd", after the node's row) moves with it. HEAD_SCRIPT marks the document while it loads so that CSS leaves rows
 * beyond the first page out of layout before the main script takes over (the mark is removed
 * whatever happens, so a failing script leaves the full table).
 *
 * The script records how long the last sort and filter took, with the next frame painted, in
 * data-sort-ms / data-filter-ms / data-page-ms on the table (data-ready-ms for taking over at load).
 *
 * The table: id "nodes-table"; a header cell's data-type is "n" (numbers, "—" for none) or "t"
 * (text, "—" sorts last), no data-type means not sortable; data-status-col is the index of the
 * status cell, whose classes (c, nc, nr, st, fi) the status filter matches.
 */

/** Rows shown at first and added by "Show more". */
export const NODE_PAGE = 250;

/** In <head>: marks the document as loading with script (see the CSS rule in html.ts). */
export const HEAD_SCRIPT = `document.documentElement.classList.add("js-loading");`;

export const CLIENT_SCRIPT = `(function () {
"use strict";
var root = document.documentElement;
try {
var table = document.getElementById("nodes-table");
if (!table || !table.tBodies.length) return;
var PAGE = ${NODE_PAGE};
var tbody = table.tBodies[0];
var rows = [];
var extras = [];
for (var g = 0; g < tbody.rows.length; g++) {
  var tr = tbody.rows[g];
  if (tr.classList.contains("dd") && rows.length) extras[rows.length - 1] = tr;
  else { rows.push(tr); extras.push(null); }
}
var heads = table.tHead.rows[0].cells;
var statusCol = Number(table.getAttribute("data-status-col"));
var controls = document.getElementById("node-controls");
var q = document.getElementById("node-filter");
var sel = document.getElementById("node-status");
var out = document.getElementById("node-count");
var paging = document.getElementById("node-paging");
var more = document.getElementById("node-more");
var all = document.getElementById("node-all");
var order = new Array(rows.length);
for (var o = 0; o < rows.length; o++) order[o] = o;
var match = null;
var limit = PAGE;
var keys = [];
var texts = null;
var classes = null;
var sortCol = -1;
var sortDir = 0;
var timer = 0;
var generation = 0;

function fmt(n) { return String(n).replace(/\\B(?=(\\d{3})+(?!\\d))/g, ","); }
function settle(t0, attr, message) {
  // Only the latest render may add its timing: an older one's callback must not overwrite it.
  var mine = ++generation;
  out.textContent = message + ".";
  requestAnimationFrame(function () {
    setTimeout(function () {
      if (mine !== generation) return;
      var ms = Math.round(performance.now() - t0);
      table.setAttribute(attr, String(ms));
      if (attr !== "data-ready-ms") out.textContent = message + " (" + fmt(ms) + " ms).";
    }, 0);
  });
}
function render(t0, attr, what) {
  var list = [];
  for (var i = 0; i < order.length; i++) if (!match || match[order[i]]) list.push(order[i]);
  var n = Math.min(limit, list.length);
  var frag = document.createDocumentFragment();
  for (var j = 0; j < n; j++) {
    frag.appendChild(rows[list[j]]);
    if (extras[list[j]]) frag.appendChild(extras[list[j]]);
  }
  tbody.textContent = "";
  tbody.appendChild(frag);
  paging.hidden = n >= list.length;
  more.textContent = "Show " + fmt(Math.min(PAGE, list.length - n)) + " more";
  all.textContent = "Show all " + fmt(list.length);
  var showing = n === list.length ? "showing all" + (match ? "" : " " + fmt(n) + " node" + (n === 1 ? "" : "s")) : "showing " + fmt(n);
  var shown = match ? (list.length === 0 ? "no node matches (of " + fmt(rows.length) + ")" : fmt(list.length) + " of " + fmt(rows.length) + " nodes match; " + showing)
    : n === list.length ? showing : showing + " of " + fmt(list.length) + " nodes";
  var message = what ? what + "; " + shown : shown.charAt(0).toUpperCase() + shown.slice(1);
  settle(t0, attr, message);
}
function keysOf(col) {
  if (keys[col]) return keys[col];
  var numeric = heads[col].getAttribute("data-type") === "n";
  var k = new Array(rows.length);
  for (var i = 0; i < rows.length; i++) {
    var t = rows[i].cells[col].textContent.trim();
    if (t === "—" || t === "") k[i] = null;
    else k[i] = numeric ? parseFloat(t.replace(/,/g, "")) : t.toLowerCase();
  }
  keys[col] = k;
  return k;
}
function sortBy(col) {
  var t0 = performance.now();
  var numeric = heads[col].getAttribute("data-type") === "n";
  var dir = col === sortCol ? -sortDir : (numeric ? -1 : 1);
  var k = keysOf(col);
  for (var i = 0; i < order.length; i++) order[i] = i;
  order.sort(function (a, b) {
    var x = k[a], y = k[b];
    if (x === y) return a - b;
    if (x === null) return 1;
    if (y === null) return -1;
    return x < y ? -dir : dir;
  });
  sortCol = col;
  sortDir = dir;
  for (var h = 0; h < heads.length; h++) {
    if (heads[h].hasAttribute("data-type")) heads[h].setAttribute("aria-sort", h === col ? (dir > 0 ? "ascending" : "descending") : "none");
  }
  render(t0, "data-sort-ms", "Sorted by " + heads[col].textContent.trim() + ", " + (dir > 0 ? "ascending" : "descending"));
}
function filter() {
  // A "change" runs at once with the inputs as they are: drop a debounced run still pending.
  clearTimeout(timer);
  var t0 = performance.now();
  if (!texts) {
    texts = new Array(rows.length);
    classes = new Array(rows.length);
    for (var i = 0; i < rows.length; i++) {
      texts[i] = (rows[i].textContent + (extras[i] ? " " + extras[i].textContent : "")).toLowerCase();
      classes[i] = " " + rows[i].cells[statusCol].className + " ";
    }
  }
  var terms = q.value.toLowerCase().split(/\\s+/).filter(Boolean);
  var status = sel.value ? " " + sel.value + " " : "";
  if (terms.length === 0 && !status) {
    match = null;
  } else {
    match = new Uint8Array(rows.length);
    for (var r = 0; r < rows.length; r++) {
      var ok = !status || classes[r].indexOf(status) >= 0;
      for (var t = 0; ok && t < terms.length; t++) ok = texts[r].indexOf(terms[t]) >= 0;
      match[r] = ok ? 1 : 0;
    }
  }
  render(t0, "data-filter-ms", "");
}
for (var c = 0; c < heads.length; c++) {
  if (!heads[c].hasAttribute("data-type")) continue;
  var button = document.createElement("button");
  button.type = "button";
  button.className = "sort";
  button.setAttribute("data-col", String(c));
  while (heads[c].firstChild) button.appendChild(heads[c].firstChild);
  heads[c].appendChild(button);
  heads[c].setAttribute("aria-sort", "none");
  button.addEventListener("click", function (event) { sortBy(Number(event.currentTarget.getAttribute("data-col"))); });
}
q.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(filter, rows.length > 2000 ? 200 : 60); });
sel.addEventListener("change", filter);
more.addEventListener("click", function () { limit += PAGE; render(performance.now(), "data-page-ms", ""); });
all.addEventListener("click", function () { limit = Infinity; render(performance.now(), "data-page-ms", ""); });
controls.hidden = false;
out.hidden = false;
render(performance.now(), "data-ready-ms", "");
if (rows.length > 1) out.textContent += " Select a column heading to sort.";
} finally {
root.classList.remove("js-loading");
}
})();`;
