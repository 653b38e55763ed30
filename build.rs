//! Sets `cfg(footfall_partial)` when this build leaves out any optional
//! capability: options for what it lacks are then named and ignored
//! (`config::unsupported`, `Log::Ignored`). One list here instead of the
//! same `not(all(...))` at every seam; a new capability is added below
//! and in Cargo.toml's `[features]`.

const CAPABILITIES: [&str; 9] = [
    "SIGNALS",
    "ATTRIBUTION",
    "DATALAYER",
    "ECOMMERCE",
    "ERRORS",
    "FORMS",
    "VITALS",
    "HEATMAP",
    "EXPERIMENTS",
];

fn main() {
    println!("cargo::rustc-check-cfg=cfg(footfall_partial)");
    println!("cargo::rerun-if-changed=build.rs");
    for name in CAPABILITIES {
        println!("cargo::rerun-if-env-changed=CARGO_FEATURE_{name}");
    }
    if CAPABILITIES
        .iter()
        .any(|name| std::env::var_os(format!("CARGO_FEATURE_{name}")).is_none())
    {
        println!("cargo::rustc-cfg=footfall_partial");
    }
}
