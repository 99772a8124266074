//! The one way out: every text a collector put into a snapshot passes [`check`] before the snapshot leaves
//! collection, whichever collector made it and whatever field holds it. A new source inherits it by producing
//! resources at all.
//!
//! Collectors redact what they know to be secret by name (an environment variable `DB_PASSWORD`, a SecureString);
//! this pass judges by content alone: tokens, passwords inside URLs, command lines, connection strings, property
//! lines and embedded JSON, in attributes, tags, names, identifiers and gap messages alike.

use super::secrets::Redactor;
use envparity_model::snapshot::{Attributes, Resource, Snapshot};

/// Masks or redacts every secret the snapshot's texts hold. The resources are checked on every core, a share of
/// them each (tens of thousands come from one Terraform state).
pub fn check(snapshot: &mut Snapshot, redactor: &Redactor) {
    let text = |s: &mut String| scrub_in_place(s, redactor);
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    let chunk = snapshot.resources.len().div_ceil(threads).max(256);
    std::thread::scope(|scope| {
        for resources in snapshot.resources.chunks_mut(chunk) {
            scope.spawn(move || resources.iter_mut().for_each(|r| check_resource(r, redactor)));
        }
    });
    for gap in &mut snapshot.gaps {
        text(&mut gap.error);
    }
    for source in &mut snapshot.sources {
        source.empty.iter_mut().for_each(text);
    }
    for unaudited in &mut snapshot.unaudited {
        text(&mut unaudited.resource_type);
    }
}

/// Masks or redacts every secret one resource's texts hold.
fn check_resource(r: &mut Resource, redactor: &Redactor) {
    for field in [&mut r.key, &mut r.name, &mut r.id].into_iter().flatten() {
        scrub_in_place(field, redactor);
    }
    for identifier in &mut r.identifiers {
        scrub_in_place(identifier, redactor);
    }
    r.tags = r
        .tags
        .iter()
        .map(|(k, v)| (k.clone(), redactor.tag(k, v)))
        .collect();
    let attributes = r
        .attributes
        .parse()
        .into_iter()
        .map(|(k, v)| (k, redactor.scrub(v)))
        .collect();
    // Scrubbing only replaces values by shallower ones, so the attributes stay as readable as they were.
    r.attributes = Attributes::from_map(&attributes);
}

/// A text with every secret in it masked, in place.
fn scrub_in_place(text: &mut String, redactor: &Redactor) {
    if let std::borrow::Cow::Owned(masked) = redactor.scrub_text(text) {
        *text = masked;
    }
}
