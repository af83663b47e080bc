//! Entry point: installs the panic banner and mounts the playground.

fn main() {
    vpcsim_web::storage::install_panic_hook();
    yew::Renderer::<vpcsim_web::components::app::App>::new().render();
}
