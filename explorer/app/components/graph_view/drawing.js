// The drawing frame's script (drawing.html). vis-network is loaded once with the
// page; each drawing arrives as data from the component frame:
//   {type: "explorer:draw", drawing: JSON text of {nodes, edges, options, attribution, rev},
//    scene}
// A drawing of the same scene (an Explore exploration growing) updates the
// DataSets in place: every node already drawn stays where it is on screen and the
// view keeps its zoom; a new scene replaces the picture and fits the view. Tooltips are HTML fragments
// escaped in Python (explorer.graph.page), turned into elements here.
// Exposes window.__explorerGraph = {nodes, edges, network} and, once a drawing is
// on screen, document.body.dataset.drawn = "true" and dataset.rev = its revision;
// window.__explorerTiming holds how long the last one took from data to drawn.
(function () {
  "use strict";
  var container = document.getElementById("explorer-graph");
  var nodes = new vis.DataSet([]);
  var edges = new vis.DataSet([]);
  var network = null;
  var scene = null;
  var optionsShown = null;
  var pending = null;   // {rev, began, mode} until vis has drawn
  var shownNodes = {};  // id -> the JSON it was drawn from: update only what changed
  var shownEdges = {};

  function tip(fragment) {
    var box = document.createElement("div");
    box.className = "explorer-tip";
    box.innerHTML = fragment;
    return box;
  }

  function withTip(item) {
    var copy = {};
    for (var name in item) { copy[name] = item[name]; }
    if (typeof copy.title === "string") { copy.title = tip(copy.title); }
    return copy;
  }

  function prepared(items, shown) {
    // What to add or update (tooltips as elements) and which ids to remove.
    var seen = {};
    var changed = [];
    items.forEach(function (item) {
      var key = JSON.stringify(item);
      seen[item.id] = key;
      if (shown[item.id] !== key) { changed.push(withTip(item)); }
    });
    var gone = Object.keys(shown).filter(function (id) { return !(id in seen); });
    return {changed: changed, gone: gone, seen: seen};
  }

  function drawn() {
    if (!pending) { return; }
    if (pending.grew && anyOutside()) {
      // Checked once more on the drawn picture, all nodes: the new ones were judged
      // against the view before vis-network had placed them.
      pending.grew = false;
      showAll();  // draws again; afterDrawing comes back here
      return;
    }
    var ms = performance.now() - pending.began;
    window.__explorerTiming = {ms: ms, mode: pending.mode, rev: pending.rev,
                               nodes: nodes.length, edges: edges.length};
    document.body.dataset.rev = pending.rev;
    document.body.dataset.drawn = "true";
    window.parent.postMessage({type: "explorer:drawn", rev: pending.rev, ms: ms}, "*");
    pending = null;
  }

  function overlays(drawing) {
    var count = (drawing.nodes || []).length;
    document.getElementById("explorer-empty").style.display = count ? "none" : "flex";
    var credit = document.getElementById("explorer-attribution");
    credit.textContent = drawing.attribution ? String(drawing.attribution) : "";
    credit.style.display = drawing.attribution ? "block" : "none";
  }

  function draw(drawing, sceneKey, began) {
    var rev = String(drawing.rev || "");
    document.body.dataset.drawn = "false";
    pending = {rev: rev, began: began, mode: "updated"};
    overlays(drawing);
    var options = drawing.options || {};
    var optionsKey = JSON.stringify(options);
    var same = network !== null && sceneKey === scene;
    var nodeWork = prepared(drawing.nodes || [], same ? shownNodes : {});
    var edgeWork = prepared(drawing.edges || [], same ? shownEdges : {});
    // Set before vis-network is touched: it may draw (and call drawn) at once.
    pending.grew = same && nodeWork.changed.some(function (n) { return !(n.id in shownNodes); });
    if (!same) {
      // A new picture: fresh data sets, the view fitted to them.
      pending.mode = network === null ? "created" : "replaced";
      nodes = new vis.DataSet(nodeWork.changed);
      edges = new vis.DataSet(edgeWork.changed);
      if (network === null) {
        network = new vis.Network(container, {nodes: nodes, edges: edges}, options);
        network.on("afterDrawing", drawn);
        network.on("click", clicked);
      } else {
        if (optionsKey !== optionsShown) { network.setOptions(options); }
        network.setData({nodes: nodes, edges: edges});
      }
    } else {
      // The same scene grown or trimmed: only what changed is touched, so every
      // node already drawn stays where it is and the zoom is kept. (Handing
      // vis-network the whole data again with setData, then restoring the view,
      // left the picture painted in a stale view.)
      var outside = nodeWork.changed.some(function (n) {
        return !(n.id in shownNodes) && outOfView(n);
      });
      if (optionsKey !== optionsShown) { network.setOptions(options); }
      // Each DataSet call makes vis-network go over the graph again: only the
      // calls with something to do.
      var touched = false;
      if (edgeWork.gone.length) { edges.remove(edgeWork.gone); touched = true; }
      if (nodeWork.gone.length) { nodes.remove(nodeWork.gone); touched = true; }
      if (nodeWork.changed.length) { nodes.update(nodeWork.changed); touched = true; }
      if (edgeWork.changed.length) { edges.update(edgeWork.changed); touched = true; }
      // A new node outside the view: zoom out to show them all (the view moves,
      // no node does).
      if (outside) { showAll(); touched = true; }
      if (!touched) { network.redraw(); }  // afterDrawing fires even when nothing changed
    }
    shownNodes = nodeWork.seen;
    shownEdges = edgeWork.seen;
    window.__explorerGraph = {nodes: nodes, edges: edges, network: network};
    optionsShown = optionsKey;
    scene = sceneKey;
  }

  function showAll() {
    // vis-network's fit() measures nodes by the size they were last drawn at,
    // which new nodes do not have yet: the view is set from the positions here.
    var at = Object.values(network.getPositions());
    if (!at.length) { return; }
    var xs = at.map(function (p) { return p.x; });
    var ys = at.map(function (p) { return p.y; });
    var minX = Math.min.apply(null, xs), maxX = Math.max.apply(null, xs);
    var minY = Math.min.apply(null, ys), maxY = Math.max.apply(null, ys);
    var margin = 60;  // px on screen, for the node and its label
    var scale = Math.min(1,
      (container.clientWidth - 2 * margin) / Math.max(1, maxX - minX),
      (container.clientHeight - 2 * margin) / Math.max(1, maxY - minY));
    network.moveTo({position: {x: (minX + maxX) / 2, y: (minY + maxY) / 2},
                    scale: Math.max(scale, 0.02), animation: false});
  }

  function anyOutside() {
    var box = {w: container.clientWidth, h: container.clientHeight};
    return Object.values(network.getPositions()).some(function (p) {
      var at = network.canvasToDOM(p);
      return at.x < 0 || at.y < 0 || at.x > box.w || at.y > box.h;
    });
  }

  function outOfView(node) {
    if (typeof node.x !== "number" || typeof node.y !== "number") { return false; }
    var at = network.canvasToDOM({x: node.x, y: node.y});
    return at.x < 0 || at.y < 0 || at.x > container.clientWidth || at.y > container.clientHeight;
  }

  function clicked(params) {
    if (!params.nodes || params.nodes.length === 0) { return; }
    var id = params.nodes[0];
    var node = nodes.get(id) || {};
    window.parent.postMessage({
      type: "explorer:node-click", id: id,
      entityId: node.entity_id || null, label: node.node_label || null
    }, "*");
  }

  // PNG export: the view as shown on white, the footer lines (the export's
  // provenance) under it, wrapped to the width, sent back as a data: URL. What
  // was painted stays in window.__explorerPng for tests (no OCR needed).
  function png(footer) {
    var source = container.querySelector("canvas");
    if (!source) { return; }
    var ratio = source.width / Math.max(1, source.clientWidth || source.width);
    var scratch = document.createElement("canvas").getContext("2d");
    var font = Math.round(12 * ratio) + "px system-ui, -apple-system, sans-serif";
    scratch.font = font;
    var room = source.width - 24 * ratio;
    var lines = [];
    (Array.isArray(footer) ? footer : []).forEach(function (text) {
      var line = "";
      String(text).split(" ").forEach(function (word) {
        var next = line ? line + " " + word : word;
        if (line && scratch.measureText(next).width > room) {
          lines.push(line);
          line = "    " + word;
        } else {
          line = next;
        }
      });
      lines.push(line);
    });
    var step = 17 * ratio;
    var out = document.createElement("canvas");
    out.width = source.width;
    out.height = source.height + Math.round(step * (lines.length + 1));
    var ctx = out.getContext("2d");
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, out.width, out.height);
    ctx.drawImage(source, 0, 0);
    ctx.strokeStyle = "#dddddd";
    ctx.beginPath();
    ctx.moveTo(0, source.height + 0.5);
    ctx.lineTo(out.width, source.height + 0.5);
    ctx.stroke();
    ctx.fillStyle = "#444444";
    ctx.font = font;
    lines.forEach(function (line, i) {
      ctx.fillText(line, 12 * ratio, source.height + step * (i + 1));
    });
    window.__explorerPng = {width: out.width, height: out.height, footer: lines};
    window.parent.postMessage({type: "explorer:png", dataUrl: out.toDataURL("image/png")}, "*");
  }

  window.addEventListener("message", function (event) {
    var data = event.data;
    // Only the component frame (our parent) may draw or ask for a picture.
    if (event.source !== window.parent || !data || typeof data !== "object") { return; }
    if (data.type === "explorer:draw" && typeof data.drawing === "string") {
      // JSON text: cheaper to pass between frames than the object graph it holds.
      var began = performance.now();
      var drawing = null;
      try { drawing = JSON.parse(data.drawing); } catch (error) { return; }
      if (drawing && typeof drawing === "object") {
        draw(drawing, String(data.scene || ""), began);
      }
    } else if (data.type === "explorer:png-request") {
      png(data.footer);
    }
  });
  window.parent.postMessage({type: "explorer:ready"}, "*");
})();
