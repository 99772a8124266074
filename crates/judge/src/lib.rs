//! envparity's judging: two snapshots in, a report out, with no AWS SDK linked.
//!
//! [`matching`] (pair resources by logical key) -> [`compare`] (comparators) under a [`policy`] ->
//! [`engine`] (findings) -> [`report`] (render), assembled once by [`judge`]. Nothing here prints: the command
//! line does.

pub mod compare;
pub mod engine;
mod judgement;
pub mod matching;
pub mod policy;
pub mod report;

pub use judgement::{Judged, Settings, judge};
