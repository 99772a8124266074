//! envparity: proves a staging environment mirrors production, or shows exactly where it does not.
//!
//! The data flows one way, one module per stage: [`collect`] (live environments into snapshots) ->
//! [`snapshot`] (read and write) -> [`matching`] (pair resources by logical key) ->
//! [`compare`] (comparators) under a [`policy`] -> [`engine`] (findings) -> [`report`] (render).
//! Only [`cli`] touches the terminal, the user's paths and exit statuses.

pub mod atomic;
pub mod catalog;
pub mod cli;
pub mod collect;
pub mod compare;
pub mod diagnostic;
pub mod engine;
pub mod gateway;
pub mod glob;
pub mod https;
pub mod matching;
pub mod policy;
pub mod report;
pub mod snapshot;
pub mod store;
