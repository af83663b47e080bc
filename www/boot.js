// Starts the playground. Trunk writes the hashed names of the app's JS and wasm on this
// script's tag (Trunk.toml `pattern_script`), so the page has no inline script and its
// Content-Security-Policy needs neither a hash nor a nonce.
const tag = document.querySelector('script[data-vpcsim-js]');
const { default: init } = await import(new URL(tag.dataset.vpcsimJs, document.baseURI).href);
await init({ module_or_path: new URL(tag.dataset.vpcsimWasm, document.baseURI).href });
