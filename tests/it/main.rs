//! envparity's integration tests, in one binary so that the large AWS SDK is linked once: the command line,
//! the engine as a specification, golden outputs, hostile inputs, the HTML report in a browser and the CI
//! examples. The AWS collectors against moto are in `tests/aws/`.

mod cli;
mod coverage;
mod egress;
mod engine;
mod examples;
mod golden;
mod hostile;
mod html;
mod no_panic;
mod rego;
mod sources;
mod trust;
