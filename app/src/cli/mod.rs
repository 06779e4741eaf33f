//! The headless command-line interface: one module per subcommand. Each is thin:
//! parse, call `sesame-core`, print or write.

pub mod bumps;
pub mod tfmap;
