//! envparity: proves a staging environment mirrors production, or shows exactly where it does not.
//!
//! The work is done by the workspace's crates, one per floor: `envparity-model` (snapshots, the catalogue,
//! logical keys), `envparity-files` (the local file gateway), `envparity-collect` (live environments into
//! snapshots, and the store) and `envparity-judge` (pairing, policy, engine, reports). This package is the
//! command line: only [`cli`] touches the terminal, the user's paths and exit statuses.

pub mod cli;
