//! envparity's bottom floor: what a snapshot is and what it may hold.
//!
//! [`snapshot`] (the model, parsed from and written to bytes), [`catalog`] (every kind and its fields),
//! [`keys`] (a resource's logical key, the one rule collection and pairing share), and the small pieces every
//! floor above uses: [`glob`] patterns and [`diagnostic`] messages. No I/O happens here.

pub mod catalog;
pub mod diagnostic;
pub mod glob;
pub mod keys;
pub mod snapshot;
