//! The model: a format-independent view of what each container will be at run time.

pub mod mode;
