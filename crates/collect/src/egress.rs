//! The one way out: every text a collector put into a snapshot passes [`check`] before the snapshot leaves
//! collection, whichever collector made it and whatever field holds it. A new source inherits it by producing
//! resources at all.
//!
//! Collectors redact what they know to be secret by name (an environment variable `DB_PASSWORD`, a SecureString);
//! this pass judges by content alone: tokens, passwords inside URLs, command lines, connection strings, property
//! lines and embedded JSON, in attributes, tags, names, identifiers and gap messages alike.

use super::secrets::Redactor;
use envparity_model::snapshot::{Attributes, Snapshot};

/// Masks or redacts every secret the snapshot's texts hold.
pub fn check(snapshot: &mut Snapshot, redactor: &Redactor) {
    let text = |s: &mut String| {
        if let std::borrow::Cow::Owned(masked) = redactor.scrub_text(s) {
            *s = masked;
        }
    };
    for r in &mut snapshot.resources {
        for field in [&mut r.key, &mut r.name, &mut r.id].into_iter().flatten() {
            text(field);
        }
        r.identifiers.iter_mut().for_each(text);
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
