//! The error sink of a run: every error of the background tasks, with the calls cut off because the
//! engine stopped serving kept apart.

use std::sync::{Arc, Mutex, PoisonError};

use crate::monitor::EngineError;

/// Collects the errors of background tasks; the run fails if any were collected.
///
/// Errors that are consequences of the engine having stopped serving the program (see
/// [`EngineError::engine_stopped`]) are kept apart: the engine has already reported their cause,
/// so they are logged at debug level only and do not bury it.
#[derive(Clone, Default)]
pub struct ErrorSink(Arc<Mutex<Errors>>);

#[derive(Default)]
struct Errors {
    causes: Vec<String>,
    engine_stopped: Vec<String>,
}

impl ErrorSink {
    /// Records an error message.
    pub fn push(&self, message: impl Into<String>) {
        self.lock().causes.push(message.into());
    }

    /// Records an engine error with `context`, as a cause or as a consequence of the engine
    /// having stopped.
    pub fn push_engine_error(&self, context: &str, error: &EngineError) {
        let message = format!("{context}: {error}");
        let mut errors = self.lock();
        if error.engine_stopped {
            errors.engine_stopped.push(message);
        } else {
            errors.causes.push(message);
        }
    }

    /// Every error recorded so far, except the consequences of an engine stop.
    pub fn messages(&self) -> Vec<String> {
        self.lock().causes.clone()
    }

    /// The calls that failed because the engine had stopped serving the program.
    pub fn engine_stopped(&self) -> Vec<String> {
        self.lock().engine_stopped.clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Errors> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
