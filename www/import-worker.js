// The importers and the reachability analysis, off the page's thread. They run in the
// JavaScript API's wasm (crates/vpcsim-wasm, built at opt-level 3 for speed), which is only
// downloaded when the user opens AWS CLI or Terraform files or the Reach tab: the
// playground's own wasm carries neither.
// Message in: {kind: "aws" | "terraform", files: [{path, text}]}, or
// {kind: "reach", scenario: JSON text, baseline: JSON text | null}.
// Message out: the API's tagged answer ({type: "success", ...} or {type: "failure",
// errors}) plus elapsed_ms, as JSON text.
import init, { importAws, importTerraform, reachability } from './vpcsim-wasm.js';

const ready = init({ module_or_path: new URL('./vpcsim-wasm_bg.wasm', import.meta.url) });

self.onmessage = async (event) => {
  const { kind, files, scenario, baseline } = event.data;
  let answer;
  try {
    await ready;
    const t0 = performance.now();
    if (kind === 'reach') answer = reachability(scenario, baseline);
    else answer = kind === 'terraform' ? importTerraform(files[0] ? files[0].text : '') : importAws(files);
    // The import's own time (files in, scenario out), shown in the banner and benchmarked.
    answer.elapsed_ms = performance.now() - t0;
  } catch (e) {
    answer = { type: 'failure', errors: [{ code: 'importer-crashed', severity: 'error', message: String(e), help: 'this is a bug in vpcsim: please report it with the files', at: '' }] };
  }
  // As JSON text: one string is cheaper to pass than a deep object, and the page reads
  // JSON anyway, so the page's thread does not stringify a large network again.
  self.postMessage(JSON.stringify(answer));
};
