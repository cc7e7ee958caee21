/**
 * The one script of the dashboard, inline on a run's page. A click on a node of the DAG opens that
 * step (as the table's links do). While the run goes on, it follows the run's Server-Sent Events
 * and, on each step event, re-fetches the page's live part (`/runs/ID/live`, rendered on the
 * server by the same function as the page) and swaps it in: one renderer, no client templates.
 * Re-fetches never overlap, and an event arriving during one asks for one more, so what is shown is
 * never older than the last event.
 */

/** Events after which the live part may have changed (attempt-start comes once the call's money is reserved). */
const redrawOn = ["step-start", "attempt-start", "attempt-end", "item-end", "step-end", "steps"];

export function runPageScript(runId: string): string {
  // JSON is a JavaScript literal; "<" escaped so that no id can close the script element.
  const id = JSON.stringify(runId).replace(/</g, "\\u003c");
  return `<script>
(() => {
  const id = ${id};
  const base = "/runs/" + encodeURIComponent(id);
  document.addEventListener("click", (event) => {
    const node = event.target instanceof Element ? event.target.closest("g.node") : null;
    if (node) location.href = base + "/steps/" + encodeURIComponent(node.dataset.step);
  });
  if (document.getElementById("run-status").dataset.status !== "running") return;
  let fetching = false;
  let again = false;
  const redraw = async () => {
    if (fetching) { again = true; return; }
    fetching = true;
    try {
      do {
        again = false;
        const response = await fetch(base + "/live", { cache: "no-store" });
        if (response.ok) document.getElementById("live").innerHTML = await response.text();
      } while (again);
    } finally {
      fetching = false;
    }
  };
  const source = new EventSource("/api/runs/" + encodeURIComponent(id) + "/events");
  for (const type of ${JSON.stringify(redrawOn)}) source.addEventListener(type, () => void redraw());
  source.addEventListener("run-end", () => { source.close(); void redraw(); });
})();
</script>`;
}
