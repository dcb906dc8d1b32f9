//! `insecure-build-step`: a RUN step asks for host privileges or the host's network
//! (rules/insecure-build-step.md).

use crate::diagnostic::Severity;
use crate::model::Model;
use crate::rules::Context;

pub(crate) const NAME: &str = "insecure-build-step";

pub(crate) fn check(model: &Model, ctx: &mut Context) {
    for dockerfile in &model.dockerfiles {
        for stage in &dockerfile.stages {
            for option in &stage.run_options {
                let severity = match (option.name.as_str(), option.value.as_str()) {
                    ("security", "insecure") => Severity::Error,
                    ("network", "host") => Severity::Warning,
                    _ => continue,
                };

                let message = format!("RUN step sets `--{}={}`", option.name, option.value);
                ctx.report(NAME, option.span, message).severity = severity;
            }
        }
    }
}
