//! The effective user of a container and what decides it: a service's `user:`, a `USER`
//! instruction of the stage it runs, or the base image, known from the table of images or not.

use crate::model::images::{self, ImageUser};
use crate::model::{Base, Dockerfile, Model, Service, Stage, StageUser, StepDown, User};
use crate::source::{Span, Spanned};

/// Where a container's user comes from.
#[derive(Debug, Clone)]
pub enum UserOrigin<'a> {
    /// The service's `user:` value; an empty one counts as unset, as the engine reads it.
    Service(&'a Spanned<String>),
    /// A `USER` instruction of the stage that runs, or of a stage it is built from.
    Instruction(&'a StageUser),
    /// Nothing sets a user: the base image (`FROM` or `image:`) decides.
    Image(ImageOrigin<'a>),
    /// The service builds a Dockerfile that was not read, or names no image.
    Unknown,
}

/// The image whose default user a container keeps.
#[derive(Debug, Clone)]
pub struct ImageOrigin<'a> {
    /// As written after expansion; `scratch` for `FROM scratch`.
    pub reference: &'a str,
    /// The `FROM` instruction that names the image, or the `image:` value.
    pub span: Span,
    /// What the table of known images (or the configuration) says about it.
    pub known: Option<ImageUser>,
}

impl UserOrigin<'_> {
    /// The user when something names one: `user:`, `USER` or a known image.
    pub fn user(&self) -> Option<User> {
        match self {
            UserOrigin::Service(user) => Some(User::parse(&user.value)),
            UserOrigin::Instruction(stage_user) => Some(stage_user.user.clone()),
            UserOrigin::Image(image) => image.known.as_ref().map(|known| known.user.clone()),
            UserOrigin::Unknown => None,
        }
    }

    /// Known to run as a non-root user.
    pub fn is_non_root(&self) -> bool {
        self.user()
            .is_some_and(|user| !user.is_empty() && !user.is_root())
    }
}

/// How an entrypoint steps down from root, when one does.
#[derive(Debug, Clone)]
pub enum StepDownOrigin<'a> {
    /// A step-down program in the entrypoint or its script.
    Program(&'a StepDown),
    /// The base image's own entrypoint, from the table of known images.
    Image { reference: &'a str, to: String },
}

impl Model {
    /// The user a service's containers run as and what decides it.
    pub fn service_user<'a>(&'a self, service: &'a Service) -> UserOrigin<'a> {
        if let Some(user) = &service.user
            && !User::parse(&user.value).is_empty()
        {
            return UserOrigin::Service(user);
        }

        if service.build.is_some() {
            return match self.built_stage(service) {
                Some((dockerfile, stage)) => self.stage_user(dockerfile, stage),
                None => UserOrigin::Unknown,
            };
        }

        match &service.image {
            // An image named by a variable without a value is unknown, not an image.
            Some(image) if !image.value.trim().is_empty() => {
                UserOrigin::Image(self.image_origin(&image.value, image.span))
            }
            _ => UserOrigin::Unknown,
        }
    }

    /// The user the containers of an image built from `stage` run as.
    pub fn stage_user<'a>(
        &'a self,
        dockerfile: &'a Dockerfile,
        stage: &'a Stage,
    ) -> UserOrigin<'a> {
        if let Some(user) = &stage.user {
            return UserOrigin::Instruction(user);
        }

        let root = dockerfile.root_stage(stage);
        match &root.base {
            Base::Image(reference) if reference.trim().is_empty() => UserOrigin::Unknown,
            Base::Image(reference) => UserOrigin::Image(self.image_origin(reference, root.span)),
            Base::Scratch | Base::Stage(_) => UserOrigin::Image(ImageOrigin {
                reference: "scratch",
                span: root.span,
                known: None,
            }),
        }
    }

    /// How a service's entrypoint steps down from root: its own `entrypoint:` replaces the
    /// image's; otherwise the `ENTRYPOINT` of the built stage, else the base image's.
    pub fn service_step_down<'a>(&'a self, service: &'a Service) -> Option<StepDownOrigin<'a>> {
        if let Some(entrypoint) = &service.entrypoint {
            return entrypoint.steps_down.as_ref().map(StepDownOrigin::Program);
        }

        let command = service.command.as_deref();
        if service.build.is_some() {
            let (dockerfile, stage) = self.built_stage(service)?;
            return self.image_step_down(dockerfile, stage, command);
        }

        let image = service.image.as_ref()?;
        let known = images::known_user(&image.value, &self.allowances.images)?;
        let to = known.steps_down_with(command)?.to_owned();
        Some(StepDownOrigin::Image {
            reference: &image.value,
            to,
        })
    }

    /// How the entrypoint of an image built from `stage` steps down from root.
    // LIMITATION: a `CMD` in the Dockerfile is not read, so a base image that steps down only
    // for its server counts as stepping down whatever command the image runs.
    pub fn stage_step_down<'a>(
        &'a self,
        dockerfile: &'a Dockerfile,
        stage: &'a Stage,
    ) -> Option<StepDownOrigin<'a>> {
        self.image_step_down(dockerfile, stage, None)
    }

    /// The `ENTRYPOINT` of the stage, else the base image's entrypoint for `command`.
    fn image_step_down<'a>(
        &'a self,
        dockerfile: &'a Dockerfile,
        stage: &'a Stage,
        command: Option<&[String]>,
    ) -> Option<StepDownOrigin<'a>> {
        if let Some(entrypoint) = &stage.entrypoint {
            return entrypoint.steps_down.as_ref().map(StepDownOrigin::Program);
        }

        let Base::Image(reference) = &dockerfile.root_stage(stage).base else {
            return None;
        };
        let known = images::known_user(reference, &self.allowances.images)?;
        let to = known.steps_down_with(command)?.to_owned();
        Some(StepDownOrigin::Image { reference, to })
    }

    fn image_origin<'a>(&self, reference: &'a str, span: Span) -> ImageOrigin<'a> {
        ImageOrigin {
            reference,
            span,
            known: images::known_user(reference, &self.allowances.images),
        }
    }
}

impl Dockerfile {
    /// The first stage of the `FROM <stage>` chain that `stage` is built from: the one that
    /// names an image or `scratch`.
    pub fn root_stage<'a>(&'a self, stage: &'a Stage) -> &'a Stage {
        let mut current = stage;
        // Each stage can only name an earlier one, so the chain ends; the bound is a guard.
        for _ in 0..=self.stages.len() {
            let Base::Stage(parent) = current.base else {
                break;
            };
            let Some(parent) = self.stages.get(parent) else {
                break;
            };
            current = parent;
        }
        current
    }
}
