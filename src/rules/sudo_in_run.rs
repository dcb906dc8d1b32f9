//! `sudo-in-run`: a RUN step uses `sudo` (rules/sudo-in-run.md).

use crate::model::Model;
use crate::rules::Context;

pub(crate) const NAME: &str = "sudo-in-run";

pub(crate) fn check(model: &Model, ctx: &mut Context) {
    for dockerfile in &model.dockerfiles {
        for stage in &dockerfile.stages {
            for step in &stage.sudo_steps {
                let message = match &step.runs {
                    Some(program) => format!("`sudo` runs `{program}` in a RUN step"),
                    None => "`sudo` is used in a RUN step".to_owned(),
                };
                ctx.report(NAME, step.span, message);
            }
        }
    }
}
