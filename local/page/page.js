// The local dashboard page: draws what /api/state computed (the deployed dashboard's widgets over
// local data) and the latest invocations, and redraws when /api/events says data arrived.
// Everything from the server is shown as text: a handler's error message is data, never markup.

(() => {
  const charts = new Map(); // widget index → { plot, key }
  const page = { state: undefined, unreadable: 0, updating: false, again: false };
  const $ = (selector) => document.querySelector(selector);

  function element(tag, attributes, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes ?? {})) {
      if (name === "class") node.className = value;
      else node.setAttribute(name, value);
    }
    for (const child of children) node.append(child);
    return node;
  }

  /** The markdown the generator writes in text widgets: headings and `code`. */
  function markdown(text) {
    const match = /^(#{1,6})\s+(.*)$/.exec(String(text).split("\n")[0] ?? "");
    const node = element(match ? `h${Math.min(match[1].length, 6)}` : "p");
    const parts = String(match ? match[2] : text).split("`");
    for (const [i, part] of parts.entries()) {
      node.append(i % 2 === 1 ? element("code", {}, part) : part);
    }
    return node;
  }

  function lastValue(points) {
    for (let i = points.length - 1; i >= 0; i -= 1)
      if (typeof points[i] === "number") return points[i];
    return null;
  }

  function format(value) {
    if (value === null) return "–";
    return Math.abs(value) >= 100
      ? String(Math.round(value))
      : String(Math.round(value * 100) / 100);
  }

  function metricWidget(node, index, widget) {
    const series = Array.isArray(widget.series) ? widget.series : [];
    const withData = series.filter(
      (s) => Array.isArray(s.points) && s.points.some((v) => typeof v === "number"),
    );
    node.dataset.series = JSON.stringify(series.map((s) => ({ label: s.label, points: s.points })));
    const legend = element("div", { class: "legend" });
    for (const s of series) {
      legend.append(
        element(
          "span",
          {},
          element("span", { class: "swatch", style: `background:${s.color ?? "#1f77b4"}` }),
          `${s.label} ${format(lastValue(s.points ?? []))}`,
        ),
      );
    }
    const holder = element("div", { class: "plot" });
    node.append(holder, legend);
    if (Array.isArray(widget.problems) && widget.problems.length > 0) {
      node.append(element("div", { class: "problems" }, widget.problems.join("; ")));
    }
    for (const note of Array.isArray(widget.notes) ? widget.notes : []) {
      node.append(element("div", { class: "nodata" }, String(note)));
    }
    if (withData.length === 0) {
      node.append(element("div", { class: "nodata" }, "no data in this window"));
    }
    const key = JSON.stringify(series.map((s) => [s.label, s.color]));
    const width = Math.max(120, node.clientWidth - 16);
    // The legend and notes are laid out first, so the chart takes what room they leave.
    const below = [...node.children].reduce(
      (sum, child) => sum + (child === holder ? 0 : child.offsetHeight),
      0,
    );
    const height = Math.max(60, node.clientHeight - below - 14);
    const data = [widget.times, ...series.map((s) => s.points)];
    const axis = widget.yAxis ?? {};
    const previous = charts.get(index);
    previous?.plot.destroy();
    const plot = new uPlot(
      {
        width,
        height,
        legend: { show: false },
        cursor: { show: true },
        scales: {
          y: {
            range: (_u, min, max) => [
              axis.min ?? Math.min(0, min ?? 0),
              axis.max ?? Math.max(1, (max ?? 1) * 1.1),
            ],
          },
        },
        axes: [{ size: 28 }, { size: 40, label: axis.label, labelSize: axis.label ? 14 : 0 }],
        series: [
          {},
          ...series.map((s) => ({
            label: s.label,
            stroke: s.color ?? "#1f77b4",
            width: 1.5,
            points: { show: true, size: 4 },
            spanGaps: false,
          })),
        ],
      },
      data,
      holder,
    );
    charts.set(index, { plot, key });
  }

  function alarmWidget(node, widget) {
    const list = element("ul", { class: "alarm-list" });
    for (const alarm of widget.alarms ?? []) {
      const state = String(alarm.state);
      list.append(
        element(
          "li",
          { title: String(alarm.reason ?? "") },
          element("span", { class: `state ${/^[A-Z_]+$/.test(state) ? state : "none"}` }, state),
          String(alarm.name),
        ),
      );
    }
    if ((widget.alarms ?? []).length === 0)
      list.append(element("li", { class: "nodata" }, "no alarms"));
    node.append(list);
  }

  function drawDashboard(dashboard) {
    const root = $("#dashboard");
    for (const { plot } of charts.values()) plot.destroy();
    charts.clear();
    root.replaceChildren();
    if (dashboard?.loading)
      return root.append(
        element("p", { class: "nodata" }, "reading the dashboard from serverless print…"),
      );
    if (typeof dashboard?.error === "string")
      return root.append(
        element("p", { class: "problems" }, `dashboard unavailable: ${dashboard.error}`),
      );
    (dashboard?.widgets ?? []).forEach((widget, index) => {
      const node = element("div", {
        class: `widget ${widget.kind}`,
        "data-kind": String(widget.kind),
      });
      node.style.gridColumn = `${Number(widget.x) + 1} / span ${Number(widget.width)}`;
      node.style.gridRow = `${Number(widget.y) + 1} / span ${Number(widget.height)}`;
      root.append(node);
      try {
        if (widget.kind === "text") node.append(markdown(widget.markdown));
        else {
          const title = String(widget.title ?? widget.type ?? "");
          node.dataset.title = title;
          node.append(element("h3", { title }, title));
          if (widget.kind === "metric") metricWidget(node, index, widget);
          else if (widget.kind === "alarm") alarmWidget(node, widget);
          else
            node.append(
              element(
                "div",
                { class: "nodata" },
                `widget type ${String(widget.type)} is not drawn locally`,
              ),
            );
        }
      } catch (error) {
        page.unreadable += 1;
        node.append(
          element("div", { class: "problems" }, `cannot draw this widget: ${String(error)}`),
        );
      }
    });
  }

  function statusClass(invocation) {
    if (invocation.timeout) return "timeout";
    const status = invocation.status;
    return typeof status === "number" ? `s${Math.floor(status / 100)}xx` : "";
  }

  function matches(invocation, route, status) {
    if (route !== "" && invocation.route !== route) return false;
    if (status === "") return true;
    if (status === "timeout") return invocation.timeout === true;
    if (status === "5xx")
      return (
        invocation.timeout === true ||
        invocation.status >= 500 ||
        (invocation.status === undefined && invocation.errorType !== undefined)
      );
    return statusClass(invocation) === `s${status}`;
  }

  function drawInvocations(invocations) {
    const routeFilter = $("#route-filter");
    const chosen = routeFilter.value;
    const routes = [...new Set(invocations.map((i) => String(i.route)))].sort();
    routeFilter.replaceChildren(
      element("option", { value: "" }, "all routes"),
      ...routes.map((r) => element("option", { value: r }, r)),
    );
    routeFilter.value = routes.includes(chosen) ? chosen : "";
    const status = $("#status-filter").value;
    const shown = invocations.filter((i) => matches(i, routeFilter.value, status)).reverse();
    $("#shown").textContent = `${shown.length} of ${invocations.length} shown`;
    $("#invocations tbody").replaceChildren(
      ...shown.map((i) =>
        element(
          "tr",
          { class: statusClass(i), "data-request-id": String(i.requestId) },
          element("td", {}, new Date(i.time).toLocaleTimeString()),
          element("td", {}, String(i.route)),
          element("td", { class: "status" }, i.timeout ? "timeout" : String(i.status ?? "–")),
          element(
            "td",
            { class: "num" },
            format(typeof i.latencyMs === "number" ? i.latencyMs : null),
          ),
          element("td", {}, i.coldStart ? "cold" : ""),
          element("td", { class: "id" }, String(i.requestId)),
          element(
            "td",
            { class: "error", title: String(i.errorMessage ?? "") },
            i.errorType === undefined ? "" : `${i.errorType}: ${i.errorMessage ?? ""}`,
          ),
        ),
      ),
    );
  }

  function drawCounts(state) {
    const c = state.counts ?? {};
    const counts = $("#counts");
    counts.replaceChildren(
      `${c.invocations ?? 0} invocations · ${c.emfAccepted ?? 0} EMF lines read · `,
      element("span", { class: c.emfRejected > 0 ? "bad" : "" }, `${c.emfRejected ?? 0} rejected`),
      ` · ${c.otherLines ?? 0} other lines · `,
      element(
        "span",
        { class: page.unreadable > 0 ? "bad" : "" },
        `${page.unreadable} unreadable updates`,
      ),
      ` · updated ${new Date(state.generatedAt ?? Date.now()).toLocaleTimeString()}`,
    );
    counts.dataset.rejected = String(c.emfRejected ?? 0);
    counts.dataset.other = String(c.otherLines ?? 0);
    counts.dataset.unreadable = String(page.unreadable);
    const rejections = Array.isArray(c.rejections) ? c.rejections : [];
    const details = $("#rejections");
    details.hidden = rejections.length === 0;
    details.querySelector("ul").replaceChildren(
      ...rejections
        .slice(-20)
        .reverse()
        .map((r) => element("li", {}, `${r.reason} — ${r.line}`)),
    );
  }

  async function update() {
    if (page.updating) {
      page.again = true;
      return;
    }
    page.updating = true;
    try {
      const response = await fetch("/api/state", { cache: "no-store" });
      const state = JSON.parse(await response.text());
      if (typeof state !== "object" || state === null) throw new Error("not an object");
      page.state = state;
      drawDashboard(state.dashboard);
      drawInvocations(Array.isArray(state.invocations) ? state.invocations : []);
      drawCounts(state);
      document.body.dataset.updated = String(state.generatedAt);
    } catch (error) {
      // A reply the page cannot read is counted and shown; the next update tries again.
      page.unreadable += 1;
      if (page.state) drawCounts(page.state);
      else $("#counts").textContent = `unreadable update (${page.unreadable}): ${String(error)}`;
    } finally {
      page.updating = false;
      if (page.again) {
        page.again = false;
        void update();
      }
    }
  }

  $("#route-filter").addEventListener("change", () =>
    drawInvocations(page.state?.invocations ?? []),
  );
  $("#status-filter").addEventListener("change", () =>
    drawInvocations(page.state?.invocations ?? []),
  );
  new EventSource("/api/events").addEventListener("change", () => void update());
  // The minute moves on even when no request arrives.
  setInterval(() => void update(), 15_000);
  void update();
})();
