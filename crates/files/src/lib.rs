//! Local files, read and written one way: every file a config or policy names is read through the
//! [`gateway`], and every output is written whole by [`atomic`].

pub mod atomic;
pub mod gateway;
