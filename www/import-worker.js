// The importers and the reachability analysis, off the page's thread. They run in the
// JavaScript API's wasm (crates/vpcsim-wasm, built at opt-level 3 for speed), which is only
// downloaded when the user opens AWS CLI or Terraform files or the Reach tab: the
// playground's own wasm carries neither.
// Message in: {kind: "aws" | "terraform", files: [{path, text}]}, or
// {kind: "reach", scenario: JSON text, baseline: JSON text | null}.
// Message out: the API's tagged answer ({type: "success", ...} or {type: "failure",
// errors}) plus elapsed_ms (and, for "reach", update: how the matrix was found), as
// JSON text (the API's own JSON answers, passed on).
// An import worker answers once and is ended; the Reach tab keeps its worker, whose
// ReachSession keeps the last matrix: after an edit of rules only, it recomputes only
// the cells those rules touch.
import init, { importAwsJson, importTerraformJson, ReachSession } from './vpcsim-wasm.js';

const ready = init({ module_or_path: new URL('./vpcsim-wasm_bg.wasm', import.meta.url) });
let session = null;

self.onmessage = async (event) => {
  const { kind, files, scenario, baseline } = event.data;
  let text;
  try {
    await ready;
    const t0 = performance.now();
    // Every answer comes as JSON text, passed on as it is: a large account's scenario or
    // matrix is never parsed into objects here only to be stringified again.
    let update = '';
    if (kind === 'reach') {
      session ??= new ReachSession();
      text = session.reachabilityJson(scenario, baseline);
      update = `"update":${JSON.stringify(session.lastUpdate())},`;
    } else text = kind === 'terraform' ? importTerraformJson(files[0] ? files[0].text : '') : importAwsJson(files);
    // The answer's own time (input in, answer out), shown by the page and benchmarked,
    // added as the answer's first field (every answer is a non-empty object).
    const elapsed = performance.now() - t0;
    text = `{"elapsed_ms":${JSON.stringify(elapsed)},${update}${text.slice(1)}`;
  } catch (e) {
    // A crash leaves nothing to trust: the next request starts a new session.
    session = null;
    const answer = { type: 'failure', errors: [{ code: 'importer-crashed', severity: 'error', message: String(e), help: 'this is a bug in vpcsim: please report it with the files', at: '' }] };
    text = JSON.stringify(answer);
  }
  // As JSON text: one string is cheaper to pass than a deep object, and the page reads
  // JSON anyway.
  self.postMessage(text);
};
