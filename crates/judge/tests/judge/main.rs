//! envparity's judging as a specification, without the AWS SDK: the engine on snapshot pairs, earned parity,
//! coverage, golden reports and hostile data in every format.

mod coverage;
mod engine;
mod golden;
mod hostile;
mod layers;
mod opa;
mod trust;
