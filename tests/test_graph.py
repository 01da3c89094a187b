"""Result rows -> graph -> drawing and exports: pure, no database."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import networkx as nx
import pytest

from explorer.bench.render import bench_render, synthetic_graph
from explorer.graph import (
    ACTOR_STYLES,
    SIPRI_ATTRIBUTION,
    STATUS_ORDER,
    STATUS_STYLES,
    GraphData,
    cap_graph,
    collapse_transfers,
    compute_layout,
    edge_width,
    extract_graph,
    legend_html,
    legend_items,
    prepare_graph,
    script_json,
    strip_external_refs,
    to_pyvis_html,
    vis_data,
)
from explorer.graph_export import (
    export_csv,
    export_graphml,
    export_json,
    export_svg,
    make_provenance,
)

HOSTILE = [
    "</script><script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "\"quoted\" 'single' `tick`",
    "back\\slash \\u003c \\\\",
    "Côte d’Ivoire \u2028 line\u2029 sep \u202e rtl 🚀 <!-- ]]>",
]


def node(eid: str, label: str, **props: object) -> dict:
    return {"id": eid, "labels": [label], "properties": props}


def rel(eid: str, kind: str, start: str, end: str, **props: object) -> dict:
    return {"id": eid, "type": kind, "start": start, "end": end, "properties": props}


def actor(eid: str, name: str, kind: str = "state") -> dict:
    return node(eid, "Actor", id=eid.removeprefix("a-"), name=name, kind=kind)


def transfer_rows() -> list[dict]:
    """North Korea -> Russia missiles (two deals, one SIPRI), Russia -> North Korea
    sought jets, and a dangling SUPPLIED without its Transfer in the result."""
    nk, ru = actor("a-north-korea", "North Korea"), actor("a-russia", "Russia")
    t1 = node(
        "t1",
        "Transfer",
        id="t-nk-missiles",
        status="delivered",
        quantity=24,
        order_year=2023,
        delivery_years=[2023, 2024],
        tiv_total=50.0,
        origin="seed",
    )
    t2 = node(
        "t2",
        "Transfer",
        id="sipri-1",
        status="delivered",
        quantity=6,
        order_year=2022,
        tiv_delivered=12.5,
        origin="sipri",
    )
    t3 = node(
        "t3",
        "Transfer",
        id="t-jets",
        status="sought",
        quantity=None,
        quantity_text="some",
        order_year=2024,
        origin="seed",
    )
    ws = node("w1", "WeaponSystem", id="ws-hwasong-11", name="Hwasong-11")
    src = node("s1", "Source", id="src-wh", title="White House briefing")
    return [
        {
            "path": {
                "nodes": [nk, t1, ru],
                "relationships": [
                    rel("r1", "SUPPLIED", "a-north-korea", "t1"),
                    rel("r2", "TO", "t1", "a-russia"),
                ],
            },
            "of": [rel("r3", "OF", "t1", "w1"), ws],
            "ev": {"nested": [rel("r4", "EVIDENCED_BY", "t1", "s1", quote="dozens"), src]},
        },
        {
            "s": nk,
            "r": rel("r5", "SUPPLIED", "a-north-korea", "t2"),
            "t": t2,
            "to": rel("r6", "TO", "t2", "a-russia"),
            "o": ru,
        },
        {
            "chain": [
                ru,
                rel("r7", "SUPPLIED", "a-russia", "t3"),
                t3,
                rel("r8", "TO", "t3", "a-north-korea"),
            ],
            "n": 3,
        },
        {"dangling": rel("r9", "SUPPLIED", "a-russia", "t-missing"), "x": None},
    ]


# --------------------------------------------------------------------------- extraction


def test_extract_finds_nodes_and_relationships_anywhere() -> None:
    graph = extract_graph(transfer_rows())
    assert [n["id"] for n in graph.nodes] == [
        "a-north-korea",
        "a-russia",
        "s1",
        "t1",
        "t2",
        "t3",
        "w1",
    ]
    assert [e["id"] for e in graph.edges] == [f"r{i}" for i in range(1, 9)]
    assert graph.dropped_edges == 1


def test_extract_is_independent_of_row_order_and_merges_duplicates() -> None:
    rows = transfer_rows()
    assert extract_graph(rows) == extract_graph(list(reversed(rows)))
    partial = [
        {"a": node("n1", "Actor", name="Iran")},
        {"b": {"id": "n1", "labels": ["Actor", "Extra"], "properties": {"kind": "state"}}},
    ]
    merged = extract_graph(partial).nodes[0]
    assert merged["labels"] == ["Actor", "Extra"]
    assert merged["properties"] == {"name": "Iran", "kind": "state"}


def test_extract_stubs_missing_end_nodes_when_asked() -> None:
    graph = extract_graph(transfer_rows(), stub_missing=True)
    assert graph.dropped_edges == 0
    stub = graph.node_index()["t-missing"]
    assert stub["labels"] == [] and stub["stub"] is True


def test_extract_ignores_scalars_and_plain_maps() -> None:
    graph = extract_graph([{"n": 1, "m": {"a": "b"}, "l": ["x", 2.5, None]}])
    assert graph == GraphData()


def test_to_networkx_keeps_parallel_edges_and_attributes() -> None:
    g = extract_graph(transfer_rows()).to_networkx()
    assert isinstance(g, nx.MultiDiGraph)
    assert g.number_of_nodes() == 7 and g.number_of_edges() == 8
    assert g.nodes["a-russia"]["name"] == "Russia"
    assert g.nodes["a-russia"]["labels"] == ["Actor"]
    assert g.edges["t1", "s1", "r4"] == {"quote": "dozens", "type": "EVIDENCED_BY"}


# --------------------------------------------------------------------------- collapse


def test_collapse_folds_chains_and_aggregates_parallel_transfers() -> None:
    graph = collapse_transfers(extract_graph(transfer_rows()))
    assert [n["id"] for n in graph.nodes] == ["a-north-korea", "a-russia"]
    edges = {e["id"]: e for e in graph.edges}
    delivered = edges["transfer:a-north-korea->a-russia:delivered"]
    assert delivered["type"] == "TRANSFER"
    assert (delivered["start"], delivered["end"]) == ("a-north-korea", "a-russia")
    props = delivered["properties"]
    assert props["deals"] == 2
    assert props["quantity"] == 30
    assert props["tiv"] == 62.5  # tiv_delivered where known, else tiv_total
    assert (props["first_year"], props["last_year"]) == (2022, 2024)
    assert props["systems"] == ["Hwasong-11"]
    assert props["sources"] == ["White House briefing"]
    assert props["origins"] == ["seed", "sipri"]
    assert props["transfer_ids"] == ["t-nk-missiles", "sipri-1"]
    sought = edges["transfer:a-russia->a-north-korea:sought"]["properties"]
    assert sought["quantity"] is None and sought["quantity_text"] == ["some"]
    assert len(edges) == 2


def test_collapse_keeps_half_chains_and_lone_nodes() -> None:
    rows = [
        {
            "a": actor("a-iran", "Iran"),
            "t": node("t9", "Transfer", status="ordered"),
            "r": rel("r1", "SUPPLIED", "a-iran", "t9"),
        },
        {"w": node("w9", "WeaponSystem", name="Shahed-136")},
    ]
    graph = extract_graph(rows)
    assert collapse_transfers(graph) == graph


# --------------------------------------------------------------------------- cap


def test_cap_notice_wording_and_focus() -> None:
    graph = synthetic_graph(1240)
    capped, notice = cap_graph(graph, max_nodes=300, keep=["actor-1239", "n01238"])
    assert notice.message == "showing 300 of 1,240 nodes — narrow the filters"
    assert str(notice) == notice.message and notice.capped
    ids = {n["id"] for n in capped.nodes}
    assert len(ids) == 300 and {"n01239", "n01238"} <= ids
    assert all(e["start"] in ids and e["end"] in ids for e in capped.edges)
    assert notice.shown_edges == len(capped.edges) < notice.total_edges
    # The biggest supplier of the synthetic graph (most edges, most TIV) survives.
    assert "n00000" in ids


def test_cap_keeps_small_graphs_and_reports_dropped_relationships() -> None:
    graph = extract_graph(transfer_rows())
    same, notice = cap_graph(graph, max_nodes=300)
    assert same is graph and not notice.capped
    assert notice.message == (
        "showing all 7 nodes (1 relationship without both end nodes in the result not drawn)"
    )


def test_prepare_graph_runs_the_whole_pipeline() -> None:
    graph, notice = prepare_graph(transfer_rows(), max_nodes=1)
    assert notice.message.startswith("showing 1 of 2 nodes — narrow the filters")
    assert len(graph.nodes) == 1


# --------------------------------------------------------------------------- layout + HTML


def test_layout_is_deterministic_and_order_independent() -> None:
    rows = transfer_rows()
    first = compute_layout(extract_graph(rows))
    again = compute_layout(extract_graph(list(reversed(rows))))
    assert first == again
    big = synthetic_graph(600)
    assert compute_layout(big) == compute_layout(big)
    assert len(compute_layout(big)) == 600


def test_same_input_gives_identical_html() -> None:
    rows = transfer_rows()
    one = to_pyvis_html(collapse_transfers(extract_graph(rows)))
    two = to_pyvis_html(collapse_transfers(extract_graph(list(reversed(rows)))))
    assert one == two


_EXTERNAL = re.compile(
    r"<(?:script|link|img|iframe|source|embed|object|video|audio)\b[^>]*"
    r"\b(?:src|href|data|srcset)\s*=\s*[\"']?\s*(?:[a-z][a-z0-9+.-]*:|//)",
    re.IGNORECASE,
)


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def _tags(page: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Tags()
    parser.feed(page)
    return parser.tags


def test_html_has_no_external_references() -> None:
    page = to_pyvis_html(collapse_transfers(extract_graph(transfer_rows())))
    assert not _EXTERNAL.search(page)
    for needle in ('src="http', "src='http", 'href="http', "href='http", "//cdn"):
        assert needle not in page
    tags = _tags(page)
    assert all("src" not in attrs and "href" not in attrs for _, attrs in tags)
    assert [t for t, _ in tags if t in ("script", "link", "img", "iframe")] == ["script", "script"]
    assert "vis.Network" in page and "vis-network" in page  # inlined, not fetched


def test_strip_external_refs_removes_cdn_tags() -> None:
    page = (
        '<link href="https://cdn.jsdelivr.net/x.css" rel="stylesheet"/>'
        '<script src="https://cdnjs.cloudflare.com/vis.js"></script>'
        "<script src='//cdn.example/x.js'></script><img src=http://x/y.png><p>kept</p>"
    )
    assert strip_external_refs(page) == "<p>kept</p>"


def test_html_page_contract() -> None:
    page = to_pyvis_html(extract_graph(transfer_rows()), height="500px")
    # A standalone page: clicks and pictures are the dashboard's drawing frame's
    # (explorer/app/components/graph_view/drawing.js), not this page's.
    assert "postMessage" not in page
    assert "window.__explorerGraph = {nodes: nodes, edges: edges, network: network}" in page
    assert 'document.body.dataset.drawn = "true"' in page
    assert '"physics":{"enabled":false}' in page
    assert "height: 500px" in page
    with pytest.raises(ValueError):
        to_pyvis_html(GraphData(), height="1px;}</style><script>")


def _page_data(page: str) -> tuple[list[dict], list[dict]]:
    nodes = re.search(r"var nodeData = (.*);\n", page)
    edges = re.search(r"var edgeData = (.*);\n", page)
    assert nodes and edges
    return json.loads(nodes.group(1)), json.loads(edges.group(1))


def test_hostile_names_are_escaped_everywhere_in_html() -> None:
    rows = [
        {
            "a": actor(f"a{i}", name, "armed_group"),
            "b": actor("a-ru", "Russia"),
            "t": node(f"t{i}", "Transfer", status="sought", description=name),
            "s": rel(f"s{i}", "SUPPLIED", "a-ru", f"t{i}"),
            "o": rel(f"o{i}", "TO", f"t{i}", f"a{i}"),
            "w": node(f"w{i}", "WeaponSystem", name=name),
            "of": rel(f"of{i}", "OF", f"t{i}", f"w{i}"),
        }
        for i, name in enumerate(HOSTILE)
    ]
    graph = extract_graph(rows)
    for g in (graph, collapse_transfers(graph)):
        page = to_pyvis_html(g)
        for name in HOSTILE:
            assert name not in page
        assert "<img" not in page and "alert(1)</script>" not in page
        assert "\u2028" not in page and "\u2029" not in page
        assert page.lower().count("</script") == 2  # vis-network and the page's own
        assert [
            t
            for t, _ in _tags(page)
            if t not in ("html", "head", "meta", "title", "style", "body", "div")
        ] == ["script", "script"]
        nodes, edges = _page_data(page)
        labels = {n["label"] for n in nodes}
        titles = " ".join(n["title"] for n in nodes) + " ".join(e["title"] for e in edges)
        for name in HOSTILE:
            short = name if len(name) <= 40 else name[:39] + "…"
            assert short in labels  # canvas text: shown as typed, never parsed
        assert "&lt;img src=x onerror=alert(1)&gt;" in titles
        assert "<img" not in titles and "<script" not in titles
        assert set(re.findall(r"<(/?\w+)", titles)) <= {"b", "/b", "br"}


def test_script_json_cannot_close_the_script() -> None:
    text = script_json({"x": "</script><!-- <script> ]]> & \u2028"})
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(text) == {"x": "</script><!-- <script> ]]> & \u2028"}


def test_styles_make_status_obvious() -> None:
    graph = collapse_transfers(extract_graph(transfer_rows()))
    _, edges = vis_data(graph)
    by_status = {e["status"]: e for e in edges}
    delivered, sought = by_status["delivered"], by_status["sought"]
    assert delivered["dashes"] is False and sought["dashes"]
    assert delivered["color"]["color"] != sought["color"]["color"]
    assert delivered["arrows"]["to"]["enabled"] and delivered["from"] == "a-north-korea"
    assert edge_width({"tiv": 62.5}) > edge_width({"quantity": 3}) > edge_width({})
    assert edge_width({"tiv": 10**9}) == 8.0 and edge_width({}) == 1.5


def test_every_status_and_actor_kind_of_the_model_has_a_style() -> None:
    from explorer.model import ACTOR_KINDS, TRANSFER_STATUSES

    assert set(STATUS_STYLES) == set(STATUS_ORDER) == set(TRANSFER_STATUSES)
    assert set(ACTOR_STYLES) == set(ACTOR_KINDS)


def test_legend_lists_every_status_and_kind_escaped() -> None:
    items = legend_items()
    keys = {i["key"] for i in items}
    assert {
        "delivered",
        "ordered",
        "reported",
        "sought",
        "considered",
        "not_supplied",
        "withheld",
    } <= keys
    assert {
        f"Actor:{k}" for k in ("state", "organization", "armed_group", "person", "media", "unknown")
    } <= keys
    assert {"WeaponSystem", "WeaponClass", "Event", "Place", "Source"} <= keys
    snippet = legend_html()
    assert "<script" not in snippet and "Delivered" in snippet and "Not supplied" in snippet


# --------------------------------------------------------------------------- exports


def provenance() -> dict:
    return make_provenance(
        "MATCH (s:Actor)-[:SUPPLIED]->(t:Transfer)\nRETURN s, t",
        {"recipient": "russia"},
        [
            {
                "title": "SIPRI Arms Transfers Database",
                "generated": "2026-02-12",
                "attribution": SIPRI_ATTRIBUTION,
            }
        ],
        generated_at="2026-03-01T12:00:00+00:00",
    )


def seed_only_provenance() -> dict:
    return make_provenance("supplied-by", {}, [], generated_at="2026-03-01T12:00:00+00:00")


def sipri_provenance() -> dict:
    """The provenance of a result whose sources include SIPRI's (the test rows'
    deals are partly SIPRI-origin; ``explorer.attribution`` finds that source)."""
    return make_provenance("supplied-by", {}, provenance()["sources"],
                           generated_at="2026-03-01T12:00:00+00:00")


def test_csv_export_carries_provenance_and_sipri_attribution() -> None:
    graph = collapse_transfers(extract_graph(transfer_rows()))
    text = export_csv(graph, sipri_provenance())
    header = [line for line in text.splitlines() if line.startswith("# ")]
    assert header[0] == "# arms-transfer-explorer 0.1.0 export"
    assert "# query: supplied-by" in header
    assert "# generated_at: 2026-03-01T12:00:00+00:00" in header
    assert "# source: SIPRI Arms Transfers Database (generated 2026-02-12)" in header
    assert f"# {SIPRI_ATTRIBUTION}" in header  # a cited source is SIPRI's
    # The attribution follows the cited sources, not a guess from the data.
    assert SIPRI_ATTRIBUTION not in export_csv(graph, seed_only_provenance())
    body = [line for line in text.splitlines() if not line.startswith("# ")]
    records = list(csv.DictReader(io.StringIO("\n".join(body))))
    assert {r["record"] for r in records} == {"node", "edge"}
    edge = next(r for r in records if r["status"] == "delivered")
    assert (edge["from"], edge["to"], edge["systems"]) == ("North Korea", "Russia", "Hwasong-11")


def test_csv_export_of_rows_without_sipri_and_with_formulas() -> None:
    rows = [
        {
            "actor": actor("a1", '=HYPERLINK("x")'),
            "n": -3,
            "note": "-3",
            "path": {"nodes": [actor("a1", "A"), actor("a2", "B")], "relationships": []},
            "list": ["x", 1],
            "when": None,
        }
    ]
    text = export_csv(rows, seed_only_provenance())
    assert SIPRI_ATTRIBUTION not in text
    lines = [line for line in text.splitlines() if not line.startswith("# ")]
    assert lines[0] == "actor,n,note,path,list,when"
    assert lines[1] == '"\'=HYPERLINK(""x"")",-3,-3,A -> B,x; 1,'


def test_multiline_query_stays_inside_comments() -> None:
    text = export_csv([{"n": 1}], provenance())
    assert "# query: MATCH (s:Actor)-[:SUPPLIED]->(t:Transfer)" in text
    assert "#   RETURN s, t" in text
    assert f"# {SIPRI_ATTRIBUTION}" in text  # the cited source is SIPRI's
    assert text.splitlines()[-2:] == ["n", "1"]


def test_json_export_has_top_level_provenance() -> None:
    graph = collapse_transfers(extract_graph(transfer_rows()))
    data = json.loads(export_json(graph, sipri_provenance()))
    assert set(data) == {"provenance", "nodes", "edges", "dropped_edges"}
    assert data["provenance"]["query"] == "supplied-by"
    assert data["provenance"]["attribution"] == [SIPRI_ATTRIBUTION]
    assert data["provenance"]["sources"][0]["title"] == "SIPRI Arms Transfers Database"
    assert data["dropped_edges"] == 1
    rows = json.loads(export_json([{"n": 1, "name": "Iran"}], seed_only_provenance()))
    assert rows["rows"] == [{"n": 1, "name": "Iran"}] and rows["columns"] == ["n", "name"]
    assert rows["provenance"]["attribution"] == []


def test_graphml_export_parses_back() -> None:
    rows = [*transfer_rows(), {"bad": actor("a-x", "ctl\x01char " + HOSTILE[0])}]
    graph = collapse_transfers(extract_graph(rows))
    text = export_graphml(graph, provenance())
    back = nx.read_graphml(io.BytesIO(text.encode("utf-8")), force_multigraph=True)
    assert back.number_of_nodes() == len(graph.nodes)
    assert back.number_of_edges() == len(graph.edges)
    assert back.graph["query"].startswith("MATCH (s:Actor)")
    assert back.graph["attribution"] == SIPRI_ATTRIBUTION
    assert json.loads(back.graph["parameters"]) == {"recipient": "russia"}
    assert back.nodes["a-russia"]["name"] == "Russia"
    assert json.loads(back.nodes["a-russia"]["labels"]) == ["Actor"]
    assert HOSTILE[0] in back.nodes["a-x"]["name"]
    edge = next(iter(back.get_edge_data("a-north-korea", "a-russia").values()))
    assert json.loads(edge["systems"]) == ["Hwasong-11"] and edge["quantity"] == 30


def test_svg_export_is_wellformed_escaped_and_attributed() -> None:
    rows = [*transfer_rows(), *({"bad": actor(f"h{i}", name)} for i, name in enumerate(HOSTILE))]
    graph = collapse_transfers(extract_graph(rows))
    svg = export_svg(graph, sipri_provenance())
    root = ET.fromstring(svg.encode("utf-8"))
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert "<script" not in svg and "<img" not in svg
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert SIPRI_ATTRIBUTION in texts
    assert "<img src=x onerror=alert(1)>" in texts  # shown as text
    assert json.loads(root.find("{http://www.w3.org/2000/svg}metadata").text)["query"] == (
        "supplied-by"
    )


def test_html_shows_sipri_attribution_only_for_sipri_data() -> None:
    sipri = to_pyvis_html(collapse_transfers(extract_graph(transfer_rows())))
    seed = to_pyvis_html(extract_graph([{"a": actor("a1", "Iran")}]))
    assert SIPRI_ATTRIBUTION in sipri and SIPRI_ATTRIBUTION not in seed


# ----------------------------------------------------------- bench, and the page script in node


def test_bench_render_reports_timings() -> None:
    results = bench_render((20, 60))
    assert [r["nodes"] for r in results] == [20, 60]
    assert all({"nodes", "edges", "layout_ms", "html_ms"} <= r.keys() for r in results)


_NODE_HARNESS = r"""
const vm = require("vm");
const fs = require("fs");
const handlers = {};
const posted = [];
class DataSet {
  constructor(items) { this.items = new Map(items.map((i) => [i.id, i])); }
  get(id) { return this.items.get(id); }
}
class Network {
  constructor(container, data, options) { this.options = options; }
  on(name, fn) { handlers[name] = fn; }
  once(name, fn) { handlers[name] = fn; }
}
const body = { dataset: {} };
const document = {
  body,
  getElementById: (id) => ({ id }),
  createElement: (tag) => ({ tag, innerHTML: "" }),
};
const window = {
  parent: { postMessage: (msg, origin) => posted.push([msg, origin]) },
  addEventListener: (name, fn) => { handlers["window:" + name] = fn; },
};
const context = { vis: { DataSet, Network }, document, window, console };
const page = fs.readFileSync(0, "utf8");
const scripts = [...page.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]);
vm.runInNewContext(scripts[scripts.length - 1], context);
handlers.afterDrawing();
const first = window.__explorerGraph.nodes.items.keys().next().value;
const node = window.__explorerGraph.nodes.get(first);
console.log(JSON.stringify({ drawn: body.dataset.drawn, posted, title: node.title }));
"""


@pytest.mark.skipif(shutil.which("node") is None, reason="needs node to run the page script")
def test_page_script_runs_and_marks_drawn() -> None:
    page = to_pyvis_html(extract_graph([{"a": actor("a-x", HOSTILE[1])}]))
    out = subprocess.run(
        ["node", "-e", _NODE_HARNESS],
        input=page,
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    result = json.loads(out.stdout)
    assert result["drawn"] == "true"
    assert result["posted"] == []
    assert result["title"]["tag"] == "div"
    assert "&lt;img src=x onerror=alert(1)&gt;" in result["title"]["innerHTML"]
