//! Entry point: mounts the playground.

fn main() {
    console_error_panic_hook::set_once();
    yew::Renderer::<vpcsim_web::components::app::App>::new().render();
}
