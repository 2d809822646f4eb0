// Parse Mermaid charts with Mermaid's own parser, as GitHub's renderer would, and read back
// what each would draw. Input on stdin: a JSON list of chart texts. Output on stdout: a JSON
// list, one result per chart: {"ok": true, "type", "title", ...} or {"ok": false, "error"}.
// Exit code 0 when every chart parsed, 1 when one did not. Used by tests/out/test_mermaid.py.
import { readFileSync } from "node:fs";
import { JSDOM } from "jsdom";

const dom = new JSDOM("<!doctype html><html><body></body></html>");
globalThis.window = dom.window;
globalThis.document = dom.window.document;
const { default: mermaid } = await import("mermaid");
mermaid.initialize({ startOnLoad: false });

// Mermaid turns entity codes (#58;, #quot;) into placeholders before parsing and into HTML
// entities in the drawing; read them back as the characters a browser shows.
const NAMED = { quot: '"', amp: "&", lt: "<", gt: ">", apos: "'", nbsp: "\u00a0" };
const decode = (text) =>
  String(text ?? "")
    .replace(/\ufb02\u00b0\u00b0(\d+)\u00b6\u00df/g, (_, code) => String.fromCodePoint(Number(code)))
    .replace(/\ufb02\u00b0(\w+)\u00b6\u00df/g, (_, name) => NAMED[name] ?? `&${name};`)
    .trim();

function drawn(diagram) {
  const db = diagram.db;
  if (diagram.type === "timeline") {
    return {
      title: decode(db.getCommonDb().getDiagramTitle()),
      periods: db.getTasks().map((task) => [decode(task.task), task.events.map(decode)]),
    };
  }
  if (diagram.type === "xychart") {
    const data = db.getXYChartData();
    return {
      title: decode(db.getDiagramTitle()),
      labels: data.xAxis.categories.map(decode),
      axis: decode(data.yAxis.title),
      range: [data.yAxis.min, data.yAxis.max],
      series: data.plots.map((plot) => [plot.type, plot.data.map(([, value]) => value)]),
      colors: data.plots.map((plot) => plot.fill ?? plot.strokeFill),
      orientation: db.getChartConfig().chartOrientation,
    };
  }
  return {};
}

const charts = JSON.parse(readFileSync(0, "utf8"));
const results = [];
for (const text of charts) {
  try {
    await mermaid.parse(text);
    const diagram = await mermaid.mermaidAPI.getDiagramFromText(text);
    results.push({ ok: true, type: diagram.type, ...drawn(diagram) });
  } catch (error) {
    results.push({ ok: false, error: String(error?.message ?? error) });
  }
}
process.stdout.write(JSON.stringify(results) + "\n");
process.exitCode = results.every((result) => result.ok) ? 0 : 1;
