//! Entry point: installs the panic banner and mounts the playground.

fn main() {
    vpcsim_web::storage::install_panic_hook();
    yew::Renderer::<vpcsim_web::components::app::App>::new().render();
    // The end-to-end tests check the panic banner by opening the page with this fragment.
    // A panic here, after the app has rendered, is what any internal error would look like.
    if web_sys::window().and_then(|w| w.location().hash().ok()).as_deref() == Some("#test-panic") {
        gloo::timers::callback::Timeout::new(500, || panic!("panic requested by #test-panic")).forget();
    }
}
