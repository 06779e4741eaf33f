//! The headless command-line interface: one module per subcommand. Each is thin:
//! parse, call `sesame-core`, print or write.

pub mod info;
pub mod ses;
pub mod ses_multi;
pub mod measure;
pub mod measures;
