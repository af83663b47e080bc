// The importers and the reachability analysis, off the page's thread. They run in the
// JavaScript API's wasm (crates/vpcsim-wasm, built at opt-level 3 for speed), which is only
// downloaded when the user opens AWS CLI or Terraform files or the Reach tab: the
// playground's own wasm carries neither.
// Message in: {kind: "aws" | "terraform", files: [{path, text}]}, or
// {kind: "reach", scenario: JSON text, baseline: JSON text | null}.
// Message out: the API's tagged answer ({type: "success", ...} or {type: "failure",
// errors}) plus elapsed_ms, as JSON text (the importers' own JSON answers, passed on).
import init, { importAwsJson, importTerraformJson, reachability } from './vpcsim-wasm.js';

const ready = init({ module_or_path: new URL('./vpcsim-wasm_bg.wasm', import.meta.url) });

self.onmessage = async (event) => {
  const { kind, files, scenario, baseline } = event.data;
  let text;
  try {
    await ready;
    const t0 = performance.now();
    // The importers answer in JSON text, passed on as it is: a large account's scenario
    // is never parsed into objects here only to be stringified again.
    if (kind === 'reach') text = JSON.stringify(reachability(scenario, baseline));
    else text = kind === 'terraform' ? importTerraformJson(files[0] ? files[0].text : '') : importAwsJson(files);
    // The import's own time (files in, answer out), shown in the banner and benchmarked,
    // added as the answer's first field (every answer is a non-empty object).
    const elapsed = performance.now() - t0;
    text = `{"elapsed_ms":${JSON.stringify(elapsed)},${text.slice(1)}`;
  } catch (e) {
    const answer = { type: 'failure', errors: [{ code: 'importer-crashed', severity: 'error', message: String(e), help: 'this is a bug in vpcsim: please report it with the files', at: '' }] };
    text = JSON.stringify(answer);
  }
  // As JSON text: one string is cheaper to pass than a deep object, and the page reads
  // JSON anyway.
  self.postMessage(text);
};
