//! Validation of a merged Compose model against the Compose specification's JSON schema.

use crate::parse::yaml::Node;

use super::Loader;

impl Loader<'_> {
    pub(super) fn validate(&mut self, _root: &Node) {}
}
