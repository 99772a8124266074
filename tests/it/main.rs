//! envparity's integration tests of the command line, in one binary so that the large AWS SDK is linked once:
//! the commands, local sources, Rego rules in their worker, the egress check, the HTML report in a browser and
//! the CI examples. The AWS collectors against moto are in `tests/aws/`; judging on its own, without the SDK, in
//! `crates/judge/tests/`.

mod cli;
mod compose_corpus;
mod egress;
mod examples;
mod golden;
mod html;
mod no_panic;
mod readme;
mod rego;
mod sources;
mod terraform;
